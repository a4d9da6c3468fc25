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
