"""The public form of a rights request (no JavaScript: plain fields, native date inputs)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.privacy.models import RightsRequest
from backend.core.forms import NeutralCharField
from backend.territory.models import Commune


def contact_missing(data: dict[str, Any]) -> str | None:
    """The contact field that the chosen channel needs and the data lacks."""
    field = {"email": "email", "sms": "phone", "post": "postal_address"}.get(data.get("channel") or "")
    return field if field and not data.get(field) else None


class RightsRequestForm(forms.Form):
    commune = forms.ModelChoiceField(
        label=_("Commune concernée"), queryset=Commune.objects.order_by("name"), empty_label=None
    )
    requester = forms.ChoiceField(label=_("Vous êtes"), choices=RightsRequest.Requester.choices)
    kind = forms.ChoiceField(label=_("Vous demandez"), choices=RightsRequest.Kind.choices)
    name = NeutralCharField(
        label=_("Nom et prénom"), max_length=160, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    details = NeutralCharField(
        label=_("Votre demande"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Ce que vous souhaitez, et ce qui vous fait penser que des données vous concernent."),
    )
    observation_reference = NeutralCharField(
        label=_("Référence du signalement, si vous la connaissez"), max_length=24, required=False
    )
    period_start = forms.DateField(
        label=_("Faits à partir du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Faits jusqu'au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(
        label=_("Recevoir la réponse par"), choices=RightsRequest.Channel.choices, widget=forms.RadioSelect
    )
    email = forms.EmailField(
        label=_("Courriel"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = NeutralCharField(
        label=_("Téléphone mobile"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    postal_address = NeutralCharField(
        label=_("Adresse postale"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    identity_proof = NeutralCharField(
        label=_("Justificatif d'identité"),
        max_length=300,
        help_text=_(
            "Le justificatif que vous présenterez en mairie ou joindrez à votre courrier (par exemple : "
            "carte d'identité). N'envoyez pas de copie par ce formulaire."
        ),
    )
    identity_declared = forms.BooleanField(
        label=_("Je déclare sur l'honneur faire cette demande pour moi-même."), required=True
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = contact_missing(data)
        if missing:
            self.add_error(missing, _("Indiquez où vous répondre par le moyen choisi."))
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("La fin de la période précède son début."))
        return data
