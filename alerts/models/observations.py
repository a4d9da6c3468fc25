"""An observation and what hangs on it: its channel, its reference counter, the author's follow-ups,
its photos and its status history (the allowed changes: Observation.TRANSITIONS)."""

import enum
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.models.categories import Category


class Channel(models.TextChoices):
    APP = "app", _("application")
    SMS = "sms", _("SMS")
    WEB = "web", _("formulaire web")


class ReferenceCounter(models.Model):
    """The last number given per commune and year; incremented under a row lock."""

    commune = models.ForeignKey("territory.Commune", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "year"], name="reference_counter_unique")]

    def __str__(self) -> str:
        return f"{self.commune_id}/{self.year}: {self.last}"


class Observation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de modération")
        DISPATCHED = "dispatched", _("transmis")
        ACKNOWLEDGED = "acknowledged", _("pris en compte")
        CLOSED = "closed", _("clôturé")
        REJECTED = "rejected", _("non retenu")
        MERGED = "merged", _("fusionné")

        # Nothing more will happen to it: the retention clock runs from here (not choices).
        FINISHED = enum.nonmember(frozenset({"closed", "rejected", "merged"}))

    # The only status changes there are (alerts/services/transitions.py refuses any other): moderation
    # dispatches, rejects or merges a pending item; its dispatches then move it on.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        "pending": frozenset({"dispatched", "rejected", "merged"}),
        "dispatched": frozenset({"acknowledged", "closed"}),
        "acknowledged": frozenset({"closed"}),
        "closed": frozenset(),
        "rejected": frozenset(),
        "merged": frozenset(),
    }

    class RejectReason(models.TextChoices):
        FALSE_REPORT = "false_report", _("signalement infondé ou mensonger")
        DISCRIMINATORY = "discriminatory", _("contenu discriminatoire ou injurieux")
        OUT_OF_SCOPE = "out_of_scope", _("ne relève pas de la police")
        INSUFFICIENT = "insufficient", _("informations insuffisantes")
        PRIVATE_DISPUTE = "private_dispute", _("litige d'ordre privé")
        OTHER = "other", _("autre motif")

    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, related_name="observations", verbose_name=_("commune")
    )
    reference = models.CharField(_("référence"), max_length=24, unique=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("auteur"),
    )
    channel = models.CharField(_("canal"), max_length=5, choices=Channel.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="observations", verbose_name=_("catégorie")
    )
    description = models.TextField(_("texte"), max_length=2000)
    redacted_description = models.TextField(
        _("texte transmis à la police"),
        max_length=2000,
        blank=True,
        help_text=_("Vide : le texte d'origine."),
    )
    occurred_at = models.DateTimeField(_("constaté le"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    # How far the position may be off, as the app measured it (metres).
    accuracy = models.PositiveIntegerField(_("précision (m)"), null=True, blank=True)
    # The nearest imported address when it was received (a snapshot: a later import does not change it).
    address = models.CharField(_("adresse la plus proche"), max_length=255, blank=True)
    address_distance = models.PositiveIntegerField(_("distance à cette adresse (m)"), null=True, blank=True)
    place = models.CharField(_("lieu"), max_length=200, blank=True, help_text=_("Précisé par l'auteur."))
    redacted_place = models.CharField(
        _("lieu transmis à la police"),
        max_length=200,
        blank=True,
        help_text=_("Vide : le lieu d'origine."),
    )
    sector = models.ForeignKey(
        "territory.Sector",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("secteur"),
    )
    in_progress = models.BooleanField(_("en cours"), default=False)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # A blocked sender's reports are kept but never reach the police (nor the queue).
    quarantined = models.BooleanField(_("expéditeur bloqué"), default=False)
    auto_approved = models.CharField(_("transmis sans modération"), max_length=20, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(
        _("motif de refus"), max_length=20, choices=RejectReason.choices, blank=True
    )
    reject_note = models.TextField(_("précision"), max_length=1000, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    created_at = models.DateTimeField(_("reçu le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    # Closed, rejected or merged: the retention period runs from here.
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["commune", "status", "created_at"], name="observation_queue"),
            models.Index(fields=["author", "created_at"], name="observation_author"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def police_text(self) -> str:
        return self.redacted_description or self.description

    @property
    def police_place(self) -> str:
        return self.redacted_place or self.place


class ObservationAddition(models.Model):
    """A follow-up text by the author. It waits for a moderator, who lets it reach the police (as written or
    redacted) or keeps it back: the police never read a follow-up that no moderator read first."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de modération")
        VISIBLE = "visible", _("visible de la police")
        REJECTED = "rejected", _("non retenu")

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="additions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    text = models.TextField(max_length=2000)
    redacted_text = models.TextField(
        _("texte transmis à la police"),
        max_length=2000,
        blank=True,
        help_text=_("Vide : le texte d'origine."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("complément")
        verbose_name_plural = _("compléments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.observation_id} + {self.pk}"

    @property
    def police_text(self) -> str:
        return self.redacted_text or self.text


def _photo_path(instance: "ObservationPhoto", filename: str) -> str:
    now = timezone.now()
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"private/observations/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ObservationPhoto(models.Model):
    """Re-encoded by Pillow (no EXIF, no GPS); stored outside any public folder, streamed by a view."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=_photo_path, max_length=200)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.observation_id} #{self.position}"


class ObservationTransition(models.Model):
    """Every status change is a row: who, from, to, why, when."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The actor when it is an agency's system (an agency token) rather than a person.
    agency_token = models.ForeignKey(
        "alerts.AgencyToken", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    reason = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.observation_id}: {self.from_status or '∅'} → {self.to_status}"
