"""Broadcasts: prevention advice, burglary alerts and shop alerts sent by the town and the police."""

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
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


class BroadcastTemplate(models.Model):
    """A commune's wording for a kind of broadcast; without one, the defaults of
    services/templates.py. The placeholders are filled when the console prefills a message."""

    PLACEHOLDERS = ("faits", "secteurs", "date", "moment", "categorie", "commune")

    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.CASCADE,
        related_name="broadcast_templates",
        verbose_name=_("commune"),
    )
    kind = models.CharField(_("nature"), max_length=20, choices=Broadcast.Kind.choices)
    title = models.CharField(
        _("titre"),
        max_length=120,
        help_text=_("Espaces réservés : {secteurs}, {date}, {moment}, {categorie}, {faits}, {commune}."),
    )
    body = models.TextField(
        _("texte"),
        max_length=900,
        help_text=_(
            "Espaces réservés : {faits} (« Cambriolage signalé ce mardi 3 décembre en fin de matinée » ou "
            "« 3 cambriolages signalés depuis samedi »), {secteurs} (« secteur La Gavotte »), {date}, "
            "{moment}, {categorie}, {commune}. La consigne d'appeler le 17 est ajoutée à la fin."
        ),
    )

    class Meta:
        verbose_name = _("modèle de diffusion")
        verbose_name_plural = _("modèles de diffusion")
        constraints = [models.UniqueConstraint(fields=["commune", "kind"], name="broadcast_template_once")]

    def __str__(self) -> str:
        return f"{self.commune} : {self.get_kind_display()}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for field in ("title", "body"):
            try:
                names = {name for _text, name, _spec, _conv in string.Formatter().parse(getattr(self, field))}
            except ValueError:
                errors[field] = gettext(
                    "Accolade mal fermée : écrivez les espaces réservés ainsi : {secteurs}."
                )
                continue
            unknown = sorted(name for name in names - set(self.PLACEHOLDERS) if name is not None)
            if unknown:
                errors[field] = gettext("Espace réservé inconnu : %(names)s (possibles : %(allowed)s).") % {
                    "names": ", ".join(f"{{{name}}}" for name in unknown),
                    "allowed": ", ".join(f"{{{name}}}" for name in self.PLACEHOLDERS),
                }
        if errors:
            raise ValidationError(errors)
