from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as stdnum_siret


def validate_siret(value: str) -> None:
    """A SIRET (14 digits, Luhn key; La Poste's establishments excepted) as python-stdnum checks it."""
    try:
        stdnum_siret.validate(value)
    except StdnumError:
        raise ValidationError(
            _("Numéro SIRET invalide : 14 chiffres attendus, avec une clé de contrôle correcte."),
            code="invalid_siret",
        ) from None


class Trade(models.TextChoices):
    FOOD = "alimentation", _("Alimentation, supérette")
    BAKERY = "boulangerie", _("Boulangerie, pâtisserie")
    PHARMACY = "pharmacie", _("Pharmacie")
    TOBACCO = "tabac-presse", _("Tabac, presse")
    JEWELLER = "bijouterie", _("Bijouterie, horlogerie")
    RESTAURANT = "cafe-restaurant", _("Café, restaurant")
    BEAUTY = "coiffure-beaute", _("Coiffure, beauté")
    CLOTHING = "habillement", _("Habillement, chaussures")
    FUEL = "station-service", _("Station-service")
    SERVICES = "services", _("Banque, assurance, agence")
    OTHER = "autre", _("Autre commerce")


class Shop(models.Model):
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, related_name="shops", verbose_name=_("commune")
    )
    name = models.CharField(_("enseigne"), max_length=150)
    trade = models.CharField(_("type de commerce"), max_length=30, choices=Trade.choices, db_index=True)
    siret = models.CharField(
        _("SIRET"), max_length=14, blank=True, validators=[validate_siret], help_text=_("14 chiffres.")
    )
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    sector = models.ForeignKey(
        "territory.Sector",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shops",
        verbose_name=_("secteur"),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(_("inscrit le"), default=timezone.now)

    class Meta:
        verbose_name = _("commerce")
        verbose_name_plural = _("commerces")
        ordering = ["commune", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "siret"],
                condition=~models.Q(siret=""),
                name="shop_unique_siret_per_commune",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.sector is not None and self.commune_id and self.sector.commune_id != self.commune_id:
            raise ValidationError({"sector": _("Ce secteur n'appartient pas à la commune du commerce.")})


class Shopkeeper(models.Model):
    """A user with the role « commerçant » attached to their shop; one shop per person."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shopkeeper",
        verbose_name=_("utilisateur"),
    )
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="shopkeepers", verbose_name=_("commerce")
    )
    sms_opt_in = models.BooleanField(
        _("reçoit les alertes par SMS"),
        default=True,
        help_text=_("« STOP » ou « ARRET » par SMS désabonne, « START » réabonne."),
    )
    sms_opt_in_changed_at = models.DateTimeField(_("abonnement modifié le"), null=True, blank=True)
    created_at = models.DateTimeField(_("inscrit le"), default=timezone.now)

    class Meta:
        verbose_name = _("commerçant")
        verbose_name_plural = _("commerçants")
        ordering = ["shop", "id"]

    def __str__(self) -> str:
        return f"{self.user} — {self.shop}"


class ShopApplication(models.Model):
    """A shop's request to join, made on the web form by a person whose phone was verified by code."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        APPROVED = "approved", _("acceptée")
        REJECTED = "rejected", _("refusée")

    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.CASCADE,
        related_name="shop_applications",
        verbose_name=_("commune"),
    )
    shop_name = models.CharField(_("enseigne"), max_length=150)
    trade = models.CharField(_("type de commerce"), max_length=30, choices=Trade.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    address = models.CharField(_("adresse"), max_length=255)
    sector = models.ForeignKey(
        "territory.Sector", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("secteur")
    )
    contact_name = models.CharField(_("nom du contact"), max_length=150)
    phone = models.CharField(_("téléphone vérifié"), max_length=20)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_note = models.CharField(_("motif"), max_length=500, blank=True)
    shop = models.ForeignKey(
        Shop,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commerce créé"),
    )

    class Meta:
        verbose_name = _("demande d'inscription d'un commerce")
        verbose_name_plural = _("demandes d'inscription des commerces")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.shop_name} ({self.get_status_display()})"


class InboundMessage(models.Model):
    """Every SMS received, once per provider message id: the log, the quarantine and the idempotency key."""

    class Status(models.TextChoices):
        REPORT = "report", _("signalement créé")
        FOLLOW_UP = "follow_up", _("complément d'un signalement")
        COMMAND = "command", _("commande (STOP, START, AIDE)")
        EMPTY = "empty", _("message vide")
        REFUSED = "refused", _("refusé")
        RATE_LIMITED = "rate_limited", _("trop de messages")
        QUARANTINED = "quarantined", _("en quarantaine (numéro inconnu)")
        ATTACHED = "attached", _("rattaché à un commerce")
        DISCARDED = "discarded", _("écarté")

    provider = models.CharField(_("fournisseur"), max_length=20)
    provider_id = models.CharField(_("identifiant fournisseur"), max_length=100)
    sender = models.CharField(_("expéditeur"), max_length=40, db_index=True)
    to = models.CharField(_("destinataire"), max_length=40, blank=True)
    body = models.TextField(_("texte"), blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inbound_sms",
        verbose_name=_("commune"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commerçant"),
    )
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, db_index=True)
    observation_reference = models.CharField(_("signalement"), max_length=24, blank=True)
    reply = models.CharField(_("réponse envoyée"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("examiné par"),
    )
    reviewed_at = models.DateTimeField(_("examiné le"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS reçu")
        verbose_name_plural = _("SMS reçus")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_id"], name="inbound_sms_once_per_provider_id"
            )
        ]
        indexes = [models.Index(fields=["sender", "received_at"], name="inbound_sms_sender")]

    def __str__(self) -> str:
        return f"{self.sender} {self.received_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class ShopAlertTemplate(models.Model):
    """A ready-made « Alerte Commerces » text: zone, time, method, description and advice, never a victim.

    Placeholders: {zone}, {heure}, {mode_operatoire}, {description}, {conseil}.
    """

    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shop_alert_templates",
        verbose_name=_("commune"),
        help_text=_("Vide : modèle proposé à toutes les communes."),
    )
    name = models.CharField(_("nom"), max_length=120)
    method = models.CharField(_("mode opératoire"), max_length=200)
    advice = models.CharField(_("conseil"), max_length=300)
    body = models.TextField(
        _("texte"),
        max_length=640,
        help_text=_("Variables : {zone}, {heure}, {mode_operatoire}, {description}, {conseil}."),
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("modèle d'alerte commerces")
        verbose_name_plural = _("modèles d'alerte commerces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
