"""An observation sent to an agency (a dispatch) and the officers' notes on it."""

import enum

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.models.agencies import Agency
from alerts.models.observations import Observation


class Dispatch(models.Model):
    """One observation sent to one agency."""

    class Status(models.TextChoices):
        SENT = "sent", _("transmis")
        ACKNOWLEDGED = "acknowledged", _("pris en compte")
        CLOSED = "closed", _("clôturé")
        HANDED_OVER = "handed_over", _("transféré")

        # Still the agency's to act on (not choices).
        OPEN = enum.nonmember(frozenset({"sent", "acknowledged"}))

    class Outcome(models.TextChoices):
        INTERVENTION = "intervention", _("intervention effectuée")
        ARREST = "arrest", _("interpellation")
        PROCEDURE = "procedure", _("procédure ou plainte")
        NO_TRACE = "no_trace", _("rien constaté sur place")
        NO_OFFENCE = "no_offence", _("pas d'infraction")
        INFORMATION = "information", _("pris pour information")
        OTHER = "other", _("autre")

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="dispatches")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="dispatches")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENT, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    ack_deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    source = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Le transfert ou la relance qui a créé cette transmission."),
    )

    class Meta:
        verbose_name = _("transmission")
        verbose_name_plural = _("transmissions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["observation", "agency"], name="dispatch_one_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.observation_id} → {self.agency_id}"


class DispatchNote(models.Model):
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The author when it is an agency's system (an agency token) rather than a person.
    agency_token = models.ForeignKey(
        "alerts.AgencyToken", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.dispatch_id} #{self.pk}"
