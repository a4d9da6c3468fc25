"""The emergency watch cell's life: activations (who asked, what, where, until when), their renewals, the
cell's roster (members and deputies), each person alerted for an activation, and the dated log."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.models.categories import Category


class EmergencyActivation(models.Model):
    """One activation of a commune's emergency cell, from its request to its close (manual or lapsed)."""

    class Quality(models.TextChoices):
        MAYOR = "mayor", _("maire")
        PROSECUTOR = "prosecutor", _("procureur de la République")
        PREFECT = "prefect", _("préfet")
        OTHER = "other", _("autre autorité")

    class Ending(models.TextChoices):
        CLOSED = "closed", _("levée")
        LAPSED = "lapsed", _("échue sans renouvellement")

    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="+", verbose_name=_("commune")
    )
    requested_by_quality = models.CharField(_("qualité du demandeur"), max_length=20, choices=Quality.choices)
    requested_by_name = models.CharField(_("nom du demandeur"), max_length=120)
    reason = models.CharField(_("motif"), max_length=500)
    categories = models.ManyToManyField(
        Category, related_name="+", verbose_name=_("catégories transmises sans modération")
    )
    # None chosen: the whole commune.
    sectors = models.ManyToManyField(
        "territory.Sector", blank=True, related_name="+", verbose_name=_("secteurs concernés")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("activée le"), default=timezone.now)
    review_at = models.DateTimeField(_("réexamen le"), db_index=True)
    closed_at = models.DateTimeField(_("levée le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ending = models.CharField(_("fin"), max_length=10, choices=Ending.choices, blank=True)
    close_reason = models.CharField(_("motif de la levée"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("activation de la cellule d'urgence")
        verbose_name_plural = _("activations de la cellule d'urgence")
        ordering = ["-opened_at"]
        constraints = [
            # One open activation per commune at a time.
            models.UniqueConstraint(
                fields=["commune"], condition=models.Q(closed_at=None), name="emergency_one_open_per_commune"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune} — {self.opened_at:%d/%m/%Y %H:%M}"


class EmergencyRenewal(models.Model):
    """An activation prolonged: who, why, and the new review time."""

    activation = models.ForeignKey(EmergencyActivation, on_delete=models.CASCADE, related_name="renewals")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("motif"), max_length=500)
    previous_review_at = models.DateTimeField(_("réexamen précédent"))
    review_at = models.DateTimeField(_("nouveau réexamen"))
    at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("renouvellement de la cellule d'urgence")
        verbose_name_plural = _("renouvellements de la cellule d'urgence")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.activation} — {self.review_at:%d/%m/%Y %H:%M}"


class EmergencyRosterMember(models.Model):
    """A member of a commune's emergency cell (a staff account), with an optional deputy."""

    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="+", verbose_name=_("commune")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("membre")
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suppléant"),
    )

    class Meta:
        verbose_name = _("membre de la cellule d'urgence")
        verbose_name_plural = _("membres de la cellule d'urgence")
        constraints = [
            models.UniqueConstraint(fields=["commune", "member"], name="emergency_roster_member_once")
        ]

    def __str__(self) -> str:
        return str(self.member)


class EmergencyCallout(models.Model):
    """One person alerted for an activation (a member, or a deputy replacing one), and their answer."""

    activation = models.ForeignKey(EmergencyActivation, on_delete=models.CASCADE, related_name="callouts")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The member a deputy replaces; None for a member's own callout.
    replaces = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    alerted_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When the deputy was alerted in this person's place (the confirmation delay passed).
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("appel d'un membre de la cellule d'urgence")
        verbose_name_plural = _("appels des membres de la cellule d'urgence")
        ordering = ["alerted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activation", "person"], name="emergency_callout_once")
        ]

    def __str__(self) -> str:
        return str(self.person)


class EmergencyLogEntry(models.Model):
    """The cell's dated log: decisions, messages, alerts, confirmations, renewals, broadcasts."""

    class Kind(models.TextChoices):
        ACTIVATED = "activated", _("activation")
        RENEWED = "renewed", _("renouvellement")
        CLOSED = "closed", _("levée")
        LAPSED = "lapsed", _("échéance")
        ALERTED = "alerted", _("membre alerté")
        CONFIRMED = "confirmed", _("présence confirmée")
        DEPUTY = "deputy", _("suppléant alerté")
        MESSAGE = "message", _("message")
        BROADCAST = "broadcast", _("diffusion envoyée")

    activation = models.ForeignKey(EmergencyActivation, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=1000)

    class Meta:
        verbose_name = _("entrée du journal de la cellule d'urgence")
        verbose_name_plural = _("journal de la cellule d'urgence")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.text[:60]}"
