"""The video-protection register: the town's cameras, the requests for footage, and the extractions made
for them with their later destruction. Extractions and destructions are a legal record: append-only
(a correction is a new row that names the row it corrects)."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Camera(models.Model):
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="cameras", verbose_name=_("commune")
    )
    name = models.CharField(_("nom"), max_length=120)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    sector = models.ForeignKey(
        "territory.Sector",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cameras",
        verbose_name=_("secteur"),
    )
    films = models.CharField(
        _("ce qu'elle filme"),
        max_length=250,
        help_text=_("Par exemple : « parvis de la mairie, entrée du parking »."),
    )
    is_active = models.BooleanField(_("en service"), default=True)

    class Meta:
        verbose_name = _("caméra")
        verbose_name_plural = _("caméras")
        ordering = ["commune", "name"]
        constraints = [models.UniqueConstraint(fields=["commune", "name"], name="video_camera_unique_name")]

    def __str__(self) -> str:
        return self.name


class FootageRequest(models.Model):
    """A request for footage from an agency, with the officer who made it. Refused requests stay in the
    register with their reason (the ethics committee counts them)."""

    class Kind(models.TextChoices):
        JUDICIAL = "judicial", _("judiciaire (réquisition)")
        ADMINISTRATIVE = "administrative", _("administrative")

    class Status(models.TextChoices):
        PENDING = "pending", _("à traiter")
        REFUSED = "refused", _("refusée")
        EXTRACTED = "extracted", _("images extraites")

    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.PROTECT,
        related_name="footage_requests",
        verbose_name=_("commune"),
    )
    agency = models.ForeignKey(
        "alerts.Agency", on_delete=models.PROTECT, related_name="footage_requests", verbose_name=_("service")
    )
    officer_name = models.CharField(_("agent requérant"), max_length=150)
    officer_is_opj = models.BooleanField(_("officier de police judiciaire"), default=False)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    requisition_reference = models.CharField(_("référence de la réquisition"), max_length=80, blank=True)
    motive = models.CharField(_("motif"), max_length=300, blank=True)
    cameras = models.ManyToManyField(Camera, related_name="requests", verbose_name=_("caméras"))
    start = models.DateTimeField(_("début des images"))
    end = models.DateTimeField(_("fin des images"))
    observation = models.ForeignKey(
        "alerts.Observation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="footage_requests",
        verbose_name=_("signalement lié"),
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING)
    refusal_reason = models.CharField(_("motif du refus"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("saisie par"),
    )
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("traitée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande d'images")
        verbose_name_plural = _("demandes d'images")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.agency} — {self.created_at:%d/%m/%Y}"


class AppendOnly(models.Model):
    """A row of the legal record: written once, never changed nor deleted one by one (the retention
    purge removes whole expired requests with their rows, by queryset)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError(_("Le registre ne se modifie pas : enregistrez une correction."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError(_("Le registre ne se supprime pas ligne à ligne."))


class Extraction(AppendOnly):
    class Medium(models.TextChoices):
        USB = "usb", _("clé USB")
        DISC = "disc", _("disque optique (CD, DVD, Blu-ray)")
        DRIVE = "drive", _("disque dur externe")
        TRANSFER = "transfer", _("transfert sécurisé")

    request = models.ForeignKey(
        FootageRequest, on_delete=models.CASCADE, related_name="extractions", verbose_name=_("demande")
    )
    medium = models.CharField(_("support"), max_length=10, choices=Medium.choices)
    # [{"name": "cam3-2026-12-01.mp4", "sha256": "<64 hex>"}, …]: each file's fingerprint.
    files = models.JSONField(_("fichiers et empreintes SHA-256"))
    recipient_name = models.CharField(_("remis à"), max_length=150)
    handed_over_at = models.DateTimeField(_("remis le"))
    corrects = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrige l'extraction"),
    )
    note = models.CharField(_("observation"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )
    recorded_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    class Meta:
        verbose_name = _("extraction")
        verbose_name_plural = _("extractions")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_medium_display()} — {self.recipient_name} — {self.handed_over_at:%d/%m/%Y}"


class Destruction(AppendOnly):
    extraction = models.ForeignKey(
        Extraction, on_delete=models.CASCADE, related_name="destructions", verbose_name=_("extraction")
    )
    destroyed_at = models.DateTimeField(_("détruite le"))
    witness_name = models.CharField(_("détruite par ou devant"), max_length=150)
    note = models.CharField(_("observation"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )
    recorded_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    class Meta:
        verbose_name = _("destruction d'extraction")
        verbose_name_plural = _("destructions d'extractions")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.extraction} — {self.destroyed_at:%d/%m/%Y}"
