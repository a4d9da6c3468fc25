"""The webhook part of the agency's admin page (mixed into alerts.admin.AgencyAdmin): the signing secret,
readable by whoever may edit the agency, an action that regenerates it, and the agency's webhook
deliveries that failed for good (dead letters)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alerts.models import Agency
from alerts.webhooks import agency_webhook_secret_rotate, failed_webhooks, webhook_secret_new

DEAD_LETTERS_SHOWN = 20


class AgencyWebhookAdminMixin(admin.ModelAdmin):
    actions = ["webhook_secret_regenerate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            if self.has_change_permission(request, obj):
                fields.append("webhook_secret_shown")
            fields.append("webhook_dead_letters")
        return fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The key exists as soon as there is an address, so that the page shows it before the first event.
        if obj.webhook_url and not obj.webhook_secret:
            obj.webhook_secret = webhook_secret_new()
        super().save_model(request, obj, form, change)

    @admin.display(description=_("secret de signature du webhook"))
    def webhook_secret_shown(self, obj: Agency) -> str:
        if not obj.webhook_secret:
            return str(_("Aucun pour l'instant : il sera créé avec l'adresse du webhook."))
        return obj.webhook_secret

    @admin.display(description=_("webhooks en échec définitif"))
    def webhook_dead_letters(self, obj: Agency) -> str:
        rows = list(failed_webhooks(agency_ids=[obj.pk])[:DEAD_LETTERS_SHOWN])
        if not rows:
            return str(_("Aucun envoi en échec."))
        lines = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(row.delivery.not_before).strftime("%d/%m/%Y %H:%M"),
                    row.delivery.data.get("type", ""),
                    (row.delivery.data.get("data") or {}).get("id", ""),
                    row.delivery.attempts,
                    row.delivery.last_error,
                )
                for row in rows
            ),
        )
        return format_html(
            '<table class="webhook-dead-letters"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("dernier essai"),
            _("événement"),
            _("transmission"),
            _("tentatives"),
            _("erreur"),
            lines,
        )

    @admin.action(description=_("Régénérer le secret du webhook"), permissions=["change"])
    def webhook_secret_regenerate(self, request: HttpRequest, queryset: QuerySet[Agency]) -> None:
        done = 0
        for agency in queryset:
            if self.has_change_permission(request, agency):
                agency_webhook_secret_rotate(agency=agency, actor=request.user)  # type: ignore[arg-type]
                done += 1
        self.message_user(
            request,
            ngettext(
                "Nouveau secret créé pour %(count)d service : il est affiché sur sa fiche.",
                "Nouveaux secrets créés pour %(count)d services : ils sont affichés sur leurs fiches.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )
