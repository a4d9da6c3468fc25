from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.territory.geo import validate_polygon


def _validate_geojson(value: Any) -> None:
    problems = validate_polygon(value)
    if problems:
        raise ValidationError("; ".join(problems))


class Commune(models.Model):
    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    insee_code = models.CharField(_("code INSEE"), max_length=5, blank=True)
    reference_prefix = models.CharField(
        _("préfixe des références"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,6}$", _("De 2 à 6 lettres majuscules."))],
        help_text=_("Préfixe des références de signalement, par exemple PMB pour PMB-2026-000123."),
    )
    boundary = models.JSONField(
        _("contour (GeoJSON)"),
        null=True,
        blank=True,
        validators=[_validate_geojson],
        help_text=_("Polygone GeoJSON de la commune ; à défaut, la réunion de ses secteurs."),
    )
    sms_number = models.CharField(
        _("numéro SMS de la commune"),
        max_length=20,
        blank=True,
        help_text=_(
            "Numéro E.164 qui reçoit les SMS des commerces de cette commune (vide : numéro par défaut)."
        ),
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="sectors", verbose_name=_("commune")
    )
    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(_("identifiant"), max_length=120)
    polygon = models.JSONField(_("polygone (GeoJSON)"), null=True, blank=True, validators=[_validate_geojson])
    adjacent = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name=_("secteurs voisins")
    )

    class Meta:
        verbose_name = _("secteur")
        verbose_name_plural = _("secteurs")
        ordering = ["commune", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "slug"], name="sector_unique_slug_per_commune")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune})"


class Address(models.Model):
    """A postal address of the Base Adresse Nationale (imported by `manage.py import_ban`): public data,
    kept to name the place nearest to an observation's coordinates without asking an outside service."""

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("commune")
    )
    ban_id = models.CharField(_("identifiant BAN"), max_length=64, unique=True)
    number = models.PositiveIntegerField(_("numéro"), null=True, blank=True)
    rep = models.CharField(_("indice de répétition"), max_length=20, blank=True)
    street = models.CharField(_("voie"), max_length=200)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    commune_name = models.CharField(_("nom de la commune"), max_length=120)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    class Meta:
        verbose_name = _("adresse")
        verbose_name_plural = _("adresses")
        ordering = ["street", "number", "rep"]
        # The nearest-address lookup: a latitude band of one commune, the longitude read from the index.
        indexes = [models.Index(fields=["commune", "latitude", "longitude"], name="address_lookup")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return address_label(self.number, self.rep, self.street, self.postcode, self.commune_name)


def address_label(number: int | None, rep: str, street: str, postcode: str, commune_name: str) -> str:
    """« 12 bis Chemin de la Gavotte, 13170 Les Pennes-Mirabeau »."""
    head = " ".join(part for part in (str(number) if number is not None else "", rep, street) if part)
    tail = " ".join(part for part in (postcode, commune_name) if part)
    return f"{head}, {tail}" if tail else head
