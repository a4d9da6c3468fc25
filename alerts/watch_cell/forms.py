"""The watch cell's forms: their choices come from the access policy (accounts) and the meeting (roster)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts import access
from alerts.watch_cell.models import Action, Meeting, RosterMember
from backend.accounts.models import User
from backend.territory.models import Sector


class DateInput(forms.DateInput):
    input_type = "date"


class MeetingForm(forms.ModelForm[Meeting]):
    prefix = "meeting"

    class Meta:
        model = Meeting
        fields = ["held_on", "title", "status"]
        widgets = {"held_on": DateInput()}


class MeetingCreateForm(MeetingForm):
    class Meta(MeetingForm.Meta):
        fields = ["held_on", "title"]


class RosterMemberForm(forms.Form):
    prefix = "member"
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Compte de la commune"),
        empty_label=_("— aucun —"),
    )
    full_name = forms.CharField(label=_("ou partenaire extérieur : nom"), max_length=150, required=False)
    email = forms.EmailField(label=_("adresse e-mail"), required=False)
    organisation = forms.CharField(label=_("organisme"), max_length=150, required=False)

    def __init__(self, *args: Any, actor: User, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        seated = meeting.roster.exclude(user=None).values("user_id")
        self.fields["user"].queryset = access.roster_accounts(actor).exclude(pk__in=seated)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("user") is None and not (data.get("full_name") or "").strip():
            raise forms.ValidationError(_("Choisissez un compte ou donnez le nom d'un partenaire."))
        return data


class ActionForm(forms.Form):
    prefix = "action"
    title = forms.CharField(label=_("Action décidée"), max_length=300)
    owner_member = forms.ModelChoiceField(
        queryset=RosterMember.objects.none(), required=False, label=_("Pilote"), empty_label=_("— autre —")
    )
    owner_text = forms.CharField(label=_("ou pilote (texte libre)"), max_length=150, required=False)
    due_on = forms.DateField(label=_("Échéance"), required=False, widget=DateInput())
    sector = forms.ModelChoiceField(
        queryset=Sector.objects.none(),
        required=False,
        label=_("Secteur"),
        empty_label=_("— toute la commune —"),
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_member"].queryset = meeting.roster.select_related("user")  # type: ignore[attr-defined]
        self.fields["sector"].queryset = Sector.objects.filter(commune_id=meeting.commune_id)  # type: ignore[attr-defined]


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), choices=Action.Status.choices)
