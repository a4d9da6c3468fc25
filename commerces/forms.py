from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.forms import SmsPhoneForm
from backend.core.forms import NeutralCharField
from backend.territory.models import Commune, Sector
from commerces.models import Trade

CATEGORIES = [
    ("vol", _("Vol (à l'étalage, à l'arraché…)")),
    ("escroquerie", _("Arnaque, escroquerie, faux billets")),
    ("suspect", _("Personne ou véhicule suspect")),
    ("violences", _("Agression, violences, menaces")),
    ("degradation", _("Dégradation, tag")),
    ("cambriolage", _("Cambriolage, tentative d'effraction")),
    ("demarchage", _("Démarchage douteux")),
    ("rodeo", _("Rodéo motorisé")),
    ("tranquillite", _("Tranquillité publique (bruit, nuisances)")),
    ("autre", _("Autre")),
]
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class PhoneForm(SmsPhoneForm):
    phone_label = _("Numéro de téléphone mobile")
    phone_help = _("Le numéro inscrit pour votre commerce, par exemple 06 12 34 56 78.")


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("Type de faits"), choices=CATEGORIES)
    description = NeutralCharField(
        label=_("Ce qui s'est passé"),
        max_length=2000,
        help_text=_(
            "Quoi, où, description des personnes (taille, tenue) ou du véhicule. N'écrivez ni nom, ni rien "
            "sur la santé, l'origine ou la religion de quiconque : décrivez plutôt."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    occurred_at = forms.DateTimeField(
        label=_("Date et heure des faits"),
        input_formats=[DATETIME_LOCAL, "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    place = NeutralCharField(
        label=_("Lieu (facultatif)"),
        max_length=200,
        required=False,
        help_text=_("Où exactement, si ce n'est pas au commerce : « sur le parking », « rue voisine »…"),
    )
    in_progress = forms.BooleanField(label=_("Les faits sont en cours"), required=False)
    photo = forms.FileField(
        label=_("Photo (facultatif)"),
        required=False,
        help_text=_("JPEG, PNG ou WebP, 10 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def clean_occurred_at(self) -> object:
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("La date des faits ne peut pas être dans le futur."))
        return value


class OptInForm(forms.Form):
    sms_opt_in = forms.BooleanField(label=_("Recevoir les alertes commerces par SMS"), required=False)


class ApplicationForm(forms.Form):
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=Commune.objects.all(), empty_label=None)
    shop_name = NeutralCharField(label=_("Enseigne du commerce"), max_length=150)
    trade = forms.ChoiceField(label=_("Type de commerce"), choices=Trade.choices)
    siret = NeutralCharField(label=_("Numéro SIRET"), max_length=20, help_text=_("14 chiffres."))
    address = NeutralCharField(label=_("Adresse du commerce"), max_length=255)
    sector = forms.ModelChoiceField(
        label=_("Secteur (quartier)"),
        queryset=Sector.objects.select_related("commune"),
        required=False,
        empty_label=_("Je ne sais pas"),
    )
    contact_name = NeutralCharField(label=_("Vos nom et prénom"), max_length=150)
