"""The holiday watch's HTML forms: the resident's (phone, code, request, change) and the patrol's pass."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.core.forms import NeutralCharField
from backend.territory.models import Commune, Sector
from neighbours.holiday_watch.models import ANOMALY_CATEGORIES, PatrolPass

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class SectorChoiceField(forms.ModelChoiceField[Sector]):
    def label_from_instance(self, obj: Sector) -> str:
        return f"{obj.commune} : {obj.name}"


class RequestForm(forms.Form):
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=Commune.objects.all())
    address = NeutralCharField(
        label=_("Adresse du domicile"),
        max_length=300,
        help_text=_("Numéro et voie, par exemple « 12 chemin de la Gavotte »."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    sector = SectorChoiceField(
        label=_("Secteur"),
        queryset=Sector.objects.select_related("commune"),
        required=False,
        help_text=_("Utile si votre adresse n'est pas reconnue."),
    )
    start = forms.DateField(label=_("Jour du départ"), input_formats=DATE_FORMATS, widget=DATE_INPUT)
    end = forms.DateField(label=_("Jour du retour"), input_formats=DATE_FORMATS, widget=DATE_INPUT)
    alarm = forms.BooleanField(label=_("Le domicile a une alarme"), required=False)
    contact_name = NeutralCharField(
        label=_("Personne à contacter en votre absence"), max_length=120, required=False
    )
    contact_phone = NeutralCharField(
        label=_("Son téléphone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    visitors = NeutralCharField(
        label=_("Personnes autorisées à passer"),
        max_length=500,
        required=False,
        help_text=_("Famille, voisin qui arrose, jardinier… pour que la patrouille ne s'en inquiète pas."),
    )
    keys_left_with = NeutralCharField(label=_("Clés confiées à"), max_length=200, required=False)
    burglary_alerts = forms.BooleanField(
        label=_("Recevoir par SMS les alertes cambriolage de mon secteur pendant mon absence"), required=False
    )


class ShortenForm(forms.Form):
    end = forms.DateField(label=_("Nouveau jour de retour"), input_formats=DATE_FORMATS, widget=DATE_INPUT)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (no JavaScript)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(PhotosField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class PassForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Constat"), choices=PatrolPass.Outcome.choices, widget=forms.RadioSelect, initial="ras"
    )
    category = forms.ChoiceField(
        label=_("Nature de l'anomalie"),
        choices=[(slug, slug) for slug in ANOMALY_CATEGORIES],
        required=False,
        initial=ANOMALY_CATEGORIES[0],
    )
    note = NeutralCharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        help_text=_("Obligatoire pour une anomalie : ce qui a été vu."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = PhotosField(label=_("Photos"), required=False, help_text=_("Pour une anomalie seulement."))

    def __init__(self, *args: Any, category_labels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [(slug, category_labels.get(slug, slug)) for slug in ANOMALY_CATEGORIES]
