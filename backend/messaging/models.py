from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Device(models.Model):
    """A push address: an FCM registration token of one user's app installation, or a browser's Web Push
    subscription (the web app): its endpoint URL is the token, its two keys encrypt what is sent to it."""

    class Platform(models.TextChoices):
        ANDROID = "android", "Android"
        IOS = "ios", "iOS"
        WEB = "web", "Web"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="devices",
        verbose_name=_("utilisateur"),
    )
    token = models.CharField(_("jeton FCM ou adresse Web Push"), max_length=4096, unique=True)
    # Web Push only (base64url): the browser's P-256 public key and authentication secret.
    web_p256dh = models.CharField(_("clé Web Push (p256dh)"), max_length=100, blank=True)
    web_auth = models.CharField(_("secret Web Push (auth)"), max_length=40, blank=True)
    platform = models.CharField(_("plateforme"), max_length=10, choices=Platform.choices)
    app_version = models.CharField(_("version de l'application"), max_length=40, blank=True)
    is_active = models.BooleanField(_("actif"), default=True, db_index=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("vu le"), default=timezone.now)
    deactivated_reason = models.CharField(_("motif de désactivation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("appareil")
        verbose_name_plural = _("appareils")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} …{self.token[-8:]}"


class Delivery(models.Model):
    """One message to one recipient on one channel: the outbox row that the worker sends."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        PUSH = "push", _("notification push")
        WEBHOOK = "webhook", _("webhook")

    class Status(models.TextChoices):
        QUEUED = "queued", _("en file")
        SENDING = "sending", _("en cours d'envoi")
        SENT = "sent", _("envoyé")
        FAILED = "failed", _("échec définitif")
        INVALID = "invalid", _("adresse invalide")
        CANCELLED = "cancelled", _("annulé")

    class Priority(models.TextChoices):
        NORMAL = "normal", _("normale")
        HIGH = "high", _("haute")

    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    priority = models.CharField(
        _("priorité"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("destinataire"),
    )
    # Address for SMS to people who are not users, and webhook URLs; wiped when a person is erased.
    address = models.CharField(_("adresse"), max_length=500, blank=True)
    kind = models.CharField(_("nature"), max_length=40, db_index=True)
    title = models.CharField(_("titre"), max_length=200, blank=True)
    body = models.TextField(_("texte"))
    data = models.JSONField(_("données"), default=dict, blank=True)
    # What caused the delivery ("alerts.broadcast:12"): receipts and cancellations find their rows by it.
    source = models.CharField(_("origine"), max_length=80, blank=True, db_index=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    not_before = models.DateTimeField(_("pas avant"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    lease_until = models.DateTimeField(_("réservé jusqu'à"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    # Push only: the per-device receipts exist (made once, so a retry never reaches a newer device twice).
    receipts_made = models.BooleanField(default=False, editable=False)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    provider_id = models.CharField(_("identifiant fournisseur"), max_length=100, blank=True, db_index=True)
    provider_status = models.CharField(_("état chez le fournisseur"), max_length=40, blank=True)
    # Worthless after this moment (a login code): the worker fails it instead of sending it late.
    expires_at = models.DateTimeField(_("périmé après"), null=True, blank=True)
    # The body is a secret (a login code): blanked once the delivery is settled (sent, failed, invalid).
    redact_when_settled = models.BooleanField(_("texte effacé après l'envoi"), default=False)

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        indexes = [models.Index(fields=["status", "not_before"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk} ({self.get_status_display()})"


class PushReceipt(models.Model):
    """The outcome of a push delivery on one device."""

    class Status(models.TextChoices):
        PENDING = "pending", _("à envoyer")
        SENT = "sent", _("envoyé")
        FAILED = "failed", _("échec")
        INVALID = "invalid", _("jeton invalide")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="receipts")
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, related_name="receipts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider_id = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("accusé push")
        verbose_name_plural = _("accusés push")
        constraints = [models.UniqueConstraint(fields=["delivery", "device"], name="receipt_one_per_device")]

    def __str__(self) -> str:
        return f"{self.delivery_id} → {self.device_id}: {self.status}"
