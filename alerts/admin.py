"""Admin pages of the observations domain. Who sees which rows and may change them is the access policy's
answer (alerts/access.py, asked through CommuneScopedAdmin)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alerts import access, services
from alerts.models import (
    Agency,
    AgencyToken,
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
from backend.core.errors import ApplicationError
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


class AgencyTokenAddForm(forms.ModelForm):
    class Meta:
        model = AgencyToken
        fields = ["agency", "label"]

    def clean_label(self) -> str:
        try:
            return services.text_clean(self.cleaned_data["label"], field="label", limit=80)
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error


@admin.register(AgencyToken)
class AgencyTokenAdmin(CommuneScopedAdmin):
    """Created through the service, which returns the secret: the page after "Enregistrer" shows it, once.
    Never edited nor deleted (notes and transitions name the token): revoked."""

    list_display = ["label", "agency", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["agency"]
    search_fields = ["label", "prefix"]
    actions = ["revoke"]
    shown = [
        "agency",
        "label",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = AgencyTokenAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["agency", "label"] if obj is None else self.shown

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.shown

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return  # nothing is editable
        token, secret = services.agency_token_create(
            agency=form.cleaned_data["agency"],
            label=form.cleaned_data["label"],
            actor=request.user,  # type: ignore[arg-type]
            ip=client_ip(request),
        )
        for field in AgencyToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding = False
        request.agency_token_secret = secret  # type: ignore[attr-defined]

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Jeton créé"),
            "token": obj,
            "secret": request.agency_token_secret,  # type: ignore[attr-defined]
            "changelist_url": reverse("admin:alerts_agencytoken_changelist"),
        }
        # The admin's views are never_cache (no-store): the secret stays out of caches.
        return TemplateResponse(request, "admin/alerts/agencytoken/created.html", context)

    @admin.action(description=_("Révoquer les jetons choisis"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[AgencyToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at=None).select_related("agency"):
            try:
                services.agency_token_revoke(token=token, actor=request.user, ip=client_ip(request))  # type: ignore[arg-type]
            except ApplicationError as error:
                self.message_user(request, f"{token.label} : {error.message}", messages.ERROR)
            else:
                revoked += 1
        if revoked:
            self.message_user(
                request,
                ngettext("%(count)d jeton révoqué.", "%(count)d jetons révoqués.", revoked)
                % {"count": revoked},
            )


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
