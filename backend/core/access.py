"""The seam through which every door asks the access policy.

Vigie has one access policy, `alerts/access.py`: it answers every "may this user see / do this"
question. The kernel's own doors (its API views, the admin site and the admin base class that every
admin page derives from) cannot import it (layers: the kernel is at the bottom), so they ask the policy
registered here; `alerts` registers it from AlertsConfig.ready(). Until one is registered, nobody but a
platform superuser passes any door: the default is to refuse.

- `door(name)` is a DRF permission class for a named door ("moderation", "police", "staff", …): the
  policy's table says who may pass it (roles, and whether the staff's second factor is required).
- The staff sign-in asks `landing(user)`: the URL name where someone lands without a `next`.
- The admin asks `admin_site_allows`, `admin_queryset`, `admin_allows` and `admin_choices`.
"""

from functools import cache
from typing import Any, Protocol

from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.permissions import BasePermission


class AccessPolicy(Protocol):
    def door_allows(self, request: Any, door: str) -> bool: ...

    def landing(self, user: Any) -> str: ...

    def admin_site_allows(self, request: HttpRequest) -> bool: ...

    def admin_queryset(self, request: HttpRequest, admin: Any, queryset: QuerySet[Any]) -> QuerySet[Any]: ...

    def admin_allows(self, request: HttpRequest, action: str, admin: Any, obj: Any = None) -> bool: ...

    def admin_choices(
        self, request: HttpRequest, admin: Any, db_field: Any, queryset: QuerySet[Any]
    ) -> QuerySet[Any]: ...

    def admin_readonly_fields(self, request: HttpRequest, admin: Any, obj: Any = None) -> list[str]: ...


def _superuser(request: Any) -> bool:
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


class _SuperusersOnly:
    """Before the domain registers its policy (or in a kernel-only test): superusers, nobody else."""

    def door_allows(self, request: Any, door: str) -> bool:
        return _superuser(request)

    def landing(self, user: Any) -> str:
        return "home"

    def admin_site_allows(self, request: HttpRequest) -> bool:
        return _superuser(request)

    def admin_queryset(self, request: HttpRequest, admin: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset if _superuser(request) else queryset.none()

    def admin_allows(self, request: HttpRequest, action: str, admin: Any, obj: Any = None) -> bool:
        return _superuser(request)

    def admin_choices(
        self, request: HttpRequest, admin: Any, db_field: Any, queryset: QuerySet[Any]
    ) -> QuerySet[Any]:
        return queryset if _superuser(request) else queryset.none()

    def admin_readonly_fields(self, request: HttpRequest, admin: Any, obj: Any = None) -> list[str]:
        return []


_policy: list[AccessPolicy] = [_SuperusersOnly()]


def register_access_policy(policy: AccessPolicy) -> None:
    _policy[0] = policy


def access_policy() -> AccessPolicy:
    return _policy[0]


@cache
def door(name: str) -> type[BasePermission]:
    """The DRF permission class of a named door (one class per name, so views can be compared)."""

    def has_permission(self: BasePermission, request: Any, view: Any) -> bool:
        return access_policy().door_allows(request, name)

    return type(
        f"Door_{name}",
        (BasePermission,),
        {
            "door": name,
            "message": "Votre rôle ne permet pas cette action.",
            "has_permission": has_permission,
            "__doc__": f"Passes whom the access policy lets through the {name!r} door.",
        },
    )


# The API's default door (REST_FRAMEWORK's DEFAULT_PERMISSION_CLASSES): any active account, staff with
# their second factor.
SignedIn = door("signed_in")
