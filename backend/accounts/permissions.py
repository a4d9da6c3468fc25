"""DRF permission classes per role. Object-level scoping (commune, agency) lives in selectors."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from backend.accounts.models import Role


class _HasRole(BasePermission):
    roles: frozenset[str] = frozenset()
    message = "Votre rôle ne permet pas cette action."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.is_active and getattr(user, "role", None) in self.roles
        )


class IsReferent(_HasRole):
    roles = frozenset({Role.REFERENT})


class IsShopkeeper(_HasRole):
    roles = frozenset({Role.SHOPKEEPER})


class IsReporter(_HasRole):
    """People who submit observations: referents and shopkeepers."""

    roles = frozenset({Role.REFERENT, Role.SHOPKEEPER})


class IsModerator(_HasRole):
    roles = frozenset({Role.MODERATOR, Role.ADMIN})


class IsOperator(_HasRole):
    roles = frozenset({Role.OPERATOR, Role.ADMIN})


class IsCoordinator(_HasRole):
    """Who enrols and manages referents and shops: moderators (coordinators) and admins."""

    roles = frozenset({Role.MODERATOR, Role.ADMIN})


class IsStaff(_HasRole):
    roles = frozenset({Role.MODERATOR, Role.OPERATOR, Role.ADMIN})


class IsCommuneAdmin(_HasRole):
    roles = frozenset({Role.ADMIN})
