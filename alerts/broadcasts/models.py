"""Broadcasts: prevention advice, burglary alerts and shop alerts sent by the town and the police."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BroadcastPolicy(models.Model):
    """Per commune: whether a broadcast needs a second person's approval before it goes."""

    commune = models.OneToOneField(
        "territory.Commune",
        on_delete=models.CASCADE,
        related_name="broadcast_policy",
        verbose_name=_("commune"),
    )
    two_person_rule = models.BooleanField(
        _("validation à deux"),
        default=False,
        help_text=_("Une diffusion rédigée par une personne doit être validée par une autre avant l'envoi."),
    )

    class Meta:
        verbose_name = _("règle de diffusion")
        verbose_name_plural = _("règles de diffusion")

    def __str__(self) -> str:
        return str(self.commune)


class Broadcast(models.Model):
    class Kind(models.TextChoices):
        PREVENTION = "prevention", _("conseil de prévention")
        BURGLARY_ALERT = "burglary_alert", _("alerte cambriolage")
        SHOP_ALERT = "shop_alert", _("alerte commerces")

    class MsgType(models.TextChoices):
        ALERT = "alert", _("alerte")
        UPDATE = "update", _("mise à jour")
        CANCEL = "cancel", _("annulation")

    class CapStatus(models.TextChoices):
        ACTUAL = "actual", _("réelle")
        EXERCISE = "exercise", _("exercice")

    class State(models.TextChoices):
        DRAFT = "draft", _("à valider")
        SCHEDULED = "scheduled", _("programmée")
        SENT = "sent", _("envoyée")
        CANCELLED = "cancelled", _("annulée")
        EXPIRED = "expired", _("expirée")

    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="broadcasts", verbose_name=_("commune")
    )
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    msg_type = models.CharField(
        _("type de message"), max_length=10, choices=MsgType.choices, default=MsgType.ALERT
    )
    cap_status = models.CharField(
        _("statut"), max_length=10, choices=CapStatus.choices, default=CapStatus.ACTUAL
    )
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    # The broadcast an update or a cancel refers to (CAP `references`); it reaches the same recipients.
    original = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("origine"),
    )
    title = models.CharField(_("titre"), max_length=120)
    body = models.TextField(_("texte"), max_length=1000)
    sectors = models.ManyToManyField(
        "territory.Sector", blank=True, related_name="+", verbose_name=_("secteurs")
    )
    include_adjacent = models.BooleanField(_("avec les secteurs voisins"), default=False)
    audiences = models.JSONField(_("publics"), default=list)
    trades = models.JSONField(_("métiers"), default=list, blank=True)
    channels = models.JSONField(_("canaux"), default=list)
    observation = models.ForeignKey(
        "alerts.Observation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="broadcasts",
        verbose_name=_("signalement"),
    )
    send_at = models.DateTimeField(_("envoi programmé le"), null=True, blank=True, db_index=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("rédigée par"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validée par"),
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("annulée par"),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    approved_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    recipients_count = models.PositiveIntegerField(_("destinataires"), default=0)

    class Meta:
        verbose_name = _("diffusion")
        verbose_name_plural = _("diffusions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "send_at"], name="broadcast_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}: {self.title}"

    @property
    def source(self) -> str:
        """The `source` of its Delivery rows: receipts and cancellations find them by it."""
        return f"broadcast:{self.pk}"


class BroadcastRecipient(models.Model):
    """Who a broadcast reached and on which channel: updates and cancels go to exactly these people."""

    class Channel(models.TextChoices):
        PUSH = "push", _("notification push")
        SMS = "sms", _("SMS")
        NONE = "none", _("boîte de réception seule")

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    notification = models.ForeignKey(
        "alerts.Notification", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("destinataire")
        verbose_name_plural = _("destinataires")
        constraints = [models.UniqueConstraint(fields=["broadcast", "user"], name="broadcast_recipient_once")]

    def __str__(self) -> str:
        return f"{self.broadcast_id} → {self.user_id} ({self.channel})"
