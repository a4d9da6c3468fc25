"""Admin pages of the observations domain. Who sees which rows and may change them is the access policy's
answer (alerts/access.py, asked through CommuneScopedAdmin)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts import access
from alerts.models import (
    Agency,
    Category,
    CommuneAlertSettings,
    Dispatch,
    Observation,
    ObservationRead,
    ObservationTransition,
    RoutingRule,
    SenderStanding,
)
from alerts.read_log import observation_reads_export, observation_reads_record
from alerts.webhooks_admin import AgencyWebhookAdminMixin
from backend.audit.services import client_ip
from backend.territory.admin import CommuneScopedAdmin


@admin.register(Category)
class CategoryAdmin(CommuneScopedAdmin):
    """The platform's defaults are listed (read-only for a commune) beside the commune's own."""

    list_display = ["label", "slug", "commune", "urgent", "routine", "position", "is_active"]
    list_filter = ["urgent", "routine", "is_active"]
    search_fields = ["label", "slug"]


@admin.register(Agency)
class AgencyAdmin(AgencyWebhookAdminMixin, CommuneScopedAdmin):
    """An agency serving several communes is edited by platform superusers only (the policy), and no form
    drops a commune or a member its user cannot see (CommuneScopedAdmin.save_related)."""

    commune_path = "communes"
    list_display = ["name", "kind", "duty_phone", "ack_minutes_in_progress", "ack_minutes", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["communes", "members"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(CommuneScopedAdmin):
    list_display = ["commune", "category", "sector", "starts_at", "ends_at", "priority", "is_active"]
    list_filter = ["is_active"]
    filter_horizontal = ["agencies"]


@admin.register(CommuneAlertSettings)
class CommuneAlertSettingsAdmin(CommuneScopedAdmin):
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
    """The moderation view, read-only (observations change through the moderation and dispatch services
    only): the policy opens it to the commune's moderators and admins, never to the police. Every
    observation listed or opened here is written to the officers' read log."""

    list_display = ["reference", "category", "status", "in_progress", "channel", "created_at"]
    list_filter = ["status", "channel", "in_progress"]
    search_fields = ["reference"]
    inlines = [TransitionInline]
    exclude = ["ip"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _served(self, request: HttpRequest, observations: list[Observation]) -> None:
        observation_reads_record(
            actor=request.user,
            observations=observations,
            door=ObservationRead.Door.ADMIN,
            view=access.View.MODERATION,
            ip=client_ip(request),
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            self._served(request, list(changelist.result_list))
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        observation = self.get_object(request, object_id)
        if observation is not None and response.status_code == 200:
            self._served(request, [observation])
        return response


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


@admin.register(ObservationRead)
class ObservationReadAdmin(CommuneScopedAdmin):
    """The officers' read log: filter by reference, officer or author id, then export it (CSV)."""

    list_display = ["at", "reference", "actor", "door", "view", "ip"]
    list_filter = ["door", "view"]
    search_fields = ["reference", "=observation_id", "=actor__id", "=author_id"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    actions = ["export_csv"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Exporter les lectures choisies (CSV)"))
    def export_csv(self, request: HttpRequest, queryset: Any) -> HttpResponse:
        content = observation_reads_export(
            user=request.user,  # type: ignore[arg-type]
            rows=queryset.select_related("actor").order_by("at", "id"),
            filters={"admin_selection": queryset.count()},
        )
        response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="lectures-{stamp}.csv"'
        return response
