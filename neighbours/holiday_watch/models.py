"""A home watched while its residents are away (a request), and the patrols' passes in front of it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.territory.models import Address, Commune, Sector

# Anomalies seen on patrol are filed in these categories (alerts' default taxonomy), the first by default.
ANOMALY_CATEGORIES = ("cambriolage", "degradation", "suspect", "autre")


class WatchRequest(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("en cours")
        CANCELLED = "cancelled", _("annulée")

    class Channel(models.TextChoices):
        APP = "app", _("application des référents")
        WEB = "web", _("formulaire web")

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="+", verbose_name=_("commune")
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("secteur")
    )
    # The referent who asked through the app; none for the web form (no account).
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("référent demandeur"),
    )
    channel = models.CharField(_("canal"), max_length=5, choices=Channel.choices)
    # The resident's number, proved by an SMS code (or the referent's): texts about the home go there.
    phone = models.CharField(_("téléphone du demandeur"), max_length=20)
    address = models.CharField(_("adresse"), max_length=300)
    # The commune's imported address it matched, if any (its position placed the home in its sector).
    address_ref = models.ForeignKey(
        Address,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adresse BAN"),
    )
    start = models.DateField(_("départ"))
    end = models.DateField(_("retour"))
    alarm = models.BooleanField(_("alarme"), default=False)
    contact_name = models.CharField(_("personne à contacter"), max_length=120, blank=True)
    contact_phone = models.CharField(_("téléphone de la personne à contacter"), max_length=20, blank=True)
    visitors = models.CharField(_("visiteurs autorisés"), max_length=500, blank=True)
    keys_left_with = models.CharField(_("clés confiées à"), max_length=200, blank=True)
    burglary_alerts = models.BooleanField(_("alertes cambriolage par SMS"), default=False)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande de tranquillité vacances")
        verbose_name_plural = _("demandes de tranquillité vacances")
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["commune", "status", "start", "end"], name="holiday_watch_days")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="holiday_watch_dates")
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.start:%d/%m/%Y} – {self.end:%d/%m/%Y})"


class PatrolPass(models.Model):
    """One pass of a patrol in front of a watched home: « RAS », or an anomaly (then an observation)."""

    class Outcome(models.TextChoices):
        NOTHING = "ras", _("RAS")
        ANOMALY = "anomaly", _("anomalie")

    request = models.ForeignKey(
        WatchRequest, on_delete=models.CASCADE, related_name="passes", verbose_name=_("demande")
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    at = models.DateTimeField(_("heure du passage"))
    outcome = models.CharField(_("constat"), max_length=10, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=2000, blank=True)
    # The observation an anomaly made (routed to the police; its photos are there).
    observation = models.ForeignKey(
        "alerts.Observation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signalement"),
    )

    class Meta:
        verbose_name = _("passage de patrouille")
        verbose_name_plural = _("passages de patrouille")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.at:%d/%m/%Y %H:%M} {self.get_outcome_display()}"
