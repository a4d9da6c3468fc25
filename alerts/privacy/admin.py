"""The office's workflow for rights requests in the admin (the commune's DPO and admins, scoped by the access
policy): a request received by post is added here; on a request, one step at a time (identity check, the
reports the search finds, extension, deferral, decision), each through its service (audited)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from alerts.privacy import services
from alerts.privacy.forms import contact_missing
from alerts.privacy.models import RightsRequest
from alerts.privacy.selectors import reports_matching
from backend.audit.services import client_ip
from backend.core.errors import ApplicationError
from backend.territory.admin import CommuneScopedAdmin

SUBMITTED = [
    "commune",
    "requester",
    "kind",
    "name",
    "channel",
    "email",
    "phone",
    "postal_address",
    "details",
    "observation_reference",
    "period_start",
    "period_end",
    "identity_proof",
    "identity_declared",
]
RECORDED = [
    "reference",
    "status",
    "received_at",
    "due_at",
    "reports_found",
    "matched_references",
    "identity_checked_at",
    "identity_checked_by",
    "identity_check_note",
    "extension_reason",
    "deferral_ground",
    "deferred_until",
    "decision",
    "legal_ground",
    "answer",
    "decided_at",
    "decided_by",
    "reminded_at",
]


class StepForm(forms.ModelForm):
    """One step of the workflow; the fields it needs are checked here, the rules in the services."""

    STEPS = [
        ("", _("— aucune —")),
        ("identity", _("Identité vérifiée")),
        ("match", _("Retenir les signalements trouvés")),
        ("extend", _("Prolonger le délai de deux mois")),
        ("defer", _("Différer la réponse (enquête en cours)")),
        ("decide", _("Décider et répondre au demandeur")),
    ]
    step = forms.ChoiceField(label=_("Étape"), choices=STEPS, required=False)
    note = forms.CharField(
        label=_("Motif, fondement ou vérification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Identité : ce qui a été vu. Prolongation : son motif. Report : son fondement (RGPD art. 14-5-b, "
            "23 ; loi Informatique et Libertés art. 48, 52). Décision : son fondement juridique."
        ),
    )
    until = forms.DateField(
        label=_("Report jusqu'au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    decision_taken = forms.ChoiceField(
        label=_("Décision"), choices=[("", "—"), *RightsRequest.Decision.choices], required=False
    )
    answer_text = forms.CharField(
        label=_("Réponse au demandeur"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    class Meta:
        model = RightsRequest
        fields: list[str] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        step = data.get("step")
        if step in ("identity", "extend", "defer", "decide") and not data.get("note", "").strip():
            self.add_error("note", _("Ce champ est requis pour cette étape."))
        if step == "decide" and not data.get("decision_taken"):
            self.add_error("decision_taken", _("Choisissez la décision."))
        return data


class SubmitForm(forms.ModelForm):
    """A request received by post or at the counter, recorded by the office."""

    class Meta:
        model = RightsRequest
        fields = SUBMITTED

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = contact_missing(data)
        if missing:
            self.add_error(missing, _("Indiquez où répondre par le moyen choisi."))
        if not data.get("identity_declared"):
            self.add_error("identity_declared", _("La demande doit être faite pour soi-même."))
        return data


@admin.register(RightsRequest)
class RightsRequestAdmin(CommuneScopedAdmin):
    list_display = ["reference", "kind", "requester", "status", "received_at", "due_at", "decision"]
    list_filter = ["status", "kind", "requester"]
    search_fields = ["reference", "name", "observation_reference"]
    date_hierarchy = "received_at"

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = SubmitForm if obj is None else StepForm
        kwargs["fields"] = (
            SUBMITTED if obj is None else ["step", "note", "until", "decision_taken", "answer_text"]
        )
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return SUBMITTED
        return [*RECORDED, *SUBMITTED, "step", "note", "until", "decision_taken", "answer_text"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else [*RECORDED, *SUBMITTED]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the retention purge removes them; until then they are the commune's proof

    @admin.display(description=_("Signalements trouvés (référence ou période)"))
    def reports_found(self, obj: RightsRequest) -> str:
        rows = reports_matching(
            commune_id=obj.commune_id,
            reference=obj.observation_reference,
            start=obj.period_start,
            end=obj.period_end,
        )[:50]
        return format_html_join(
            "",
            "<div>{} — {} — {}</div>",
            ((row.reference, row.occurred_at, row.get_status_display()) for row in rows),
        ) or str(_("aucun"))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = request.user
        data = form.cleaned_data
        try:
            if not change:
                created = services.rights_request_submit(
                    actor=actor,  # type: ignore[arg-type]
                    ip=client_ip(request),
                    **{name: data.get(name) for name in SUBMITTED},
                )
                for field in RightsRequest._meta.concrete_fields:
                    setattr(obj, field.attname, getattr(created, field.attname))
                obj._state.adding = False
                return
            step, note = data.get("step"), data.get("note", "")
            if step == "identity":
                services.rights_request_check_identity(request=obj, actor=actor, note=note)  # type: ignore[arg-type]
            elif step == "match":
                found = reports_matching(
                    commune_id=obj.commune_id,
                    reference=obj.observation_reference,
                    start=obj.period_start,
                    end=obj.period_end,
                )
                references = list(found.values_list("reference", flat=True)[:500])
                services.rights_request_match(request=obj, actor=actor, references=references)  # type: ignore[arg-type]
            elif step == "extend":
                services.rights_request_extend(request=obj, actor=actor, reason=note)  # type: ignore[arg-type]
            elif step == "defer":
                services.rights_request_defer(request=obj, actor=actor, ground=note, until=data.get("until"))  # type: ignore[arg-type]
            elif step == "decide":
                services.rights_request_decide(
                    request=obj,
                    actor=actor,  # type: ignore[arg-type]
                    decision=data["decision_taken"],
                    legal_ground=note,
                    answer=data.get("answer_text", ""),
                )
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
