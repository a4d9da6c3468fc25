"""Admin pages of the observations domain, scoped to the staff member's commune."""

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from alerts.models import (
    Agency,
    Category,
    CommuneAlertSettings,
    Dispatch,
    Observation,
    ObservationTransition,
    RoutingRule,
    SenderStanding,
)
from alerts.webhooks_admin import AgencyWebhookAdminMixin
from backend.accounts.models import Role, User
from backend.territory.admin import CommuneScopedAdmin
from backend.territory.models import Commune


def _commune_id(request: HttpRequest) -> int | None:
    return getattr(request.user, "commune_id", None)


def _superuser(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_superuser", False))


class AgencyChoicesMixin:
    """Agencies, categories and operators offered in forms: those of the staff member's commune."""

    def _scoped(self, db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        if _superuser(request):
            return
        commune_id = _commune_id(request)
        related = db_field.related_model
        if related is Agency:
            kwargs["queryset"] = Agency.objects.filter(communes=commune_id)
        elif related is Category:
            kwargs["queryset"] = Category.objects.filter(Q(commune=None) | Q(commune_id=commune_id))
        elif related is Commune:
            kwargs["queryset"] = Commune.objects.filter(pk=commune_id or 0)
        elif related is User:
            kwargs["queryset"] = User.objects.filter(commune_id=commune_id or 0, role=Role.OPERATOR)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scoped(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scoped(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


@admin.register(Category)
class CategoryAdmin(CommuneScopedAdmin):
    list_display = ["label", "slug", "commune", "urgent", "routine", "position", "is_active"]
    list_filter = ["urgent", "routine", "is_active"]
    search_fields = ["label", "slug"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if getattr(request.user, "is_superuser", False):
            return queryset
        # The platform's defaults are shown (read-only below) beside the commune's own categories.
        return queryset.filter(Q(commune=None) | Q(commune_id=getattr(request.user, "commune_id", None)))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.commune_id is None and not getattr(request.user, "is_superuser", False):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)


@admin.register(Agency)
class AgencyAdmin(AgencyWebhookAdminMixin, AgencyChoicesMixin, CommuneScopedAdmin):
    commune_path = "communes"
    list_display = ["name", "kind", "duty_phone", "ack_minutes_in_progress", "ack_minutes", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["communes", "members"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).distinct()


@admin.register(RoutingRule)
class RoutingRuleAdmin(AgencyChoicesMixin, CommuneScopedAdmin):
    list_display = ["commune", "category", "sector", "starts_at", "ends_at", "priority", "is_active"]
    list_filter = ["is_active"]
    filter_horizontal = ["agencies"]


@admin.register(CommuneAlertSettings)
class CommuneAlertSettingsAdmin(AgencyChoicesMixin, CommuneScopedAdmin):
    list_display = ["commune", "fallback_agency", "retention_days", "emergency_active"]
    readonly_fields = ["emergency_active", "emergency_reason", "emergency_changed_by", "emergency_changed_at"]
    exclude = ["emergency_categories"]


class TransitionInline(admin.TabularInline):
    model = ObservationTransition
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_status", "to_status", "reason", "note"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Observation)
class ObservationAdmin(CommuneScopedAdmin):
    """Read-only: observations change through the moderation and dispatch services only."""

    list_display = ["reference", "category", "status", "in_progress", "channel", "created_at"]
    list_filter = ["status", "channel", "in_progress"]
    search_fields = ["reference"]
    inlines = [TransitionInline]
    exclude = ["ip"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_active", False) and getattr(request.user, "is_staff", False))


@admin.register(Dispatch)
class DispatchAdmin(CommuneScopedAdmin):
    commune_path = "observation__commune"
    list_display = ["observation", "agency", "status", "created_at", "acknowledged_at", "escalated_at"]
    list_filter = ["status"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SenderStanding)
class SenderStandingAdmin(CommuneScopedAdmin):
    commune_path = "user__commune"
    list_display = ["user", "rejections", "flagged_at", "blocked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
