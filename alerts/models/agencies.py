"""The police services observations are sent to, and the routing rules that choose them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from alerts.models.categories import Category
from backend.messaging.webhook import validate_webhook_url


class Agency(models.Model):
    class Kind(models.TextChoices):
        POLICE_MUNICIPALE = "police_municipale", _("police municipale")
        POLICE_NATIONALE = "police_nationale", _("police nationale")
        GENDARMERIE = "gendarmerie", _("gendarmerie")

    name = models.CharField(_("nom"), max_length=160)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    communes = models.ManyToManyField(
        "territory.Commune", related_name="agencies", verbose_name=_("communes desservies")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="agencies",
        verbose_name=_("opérateurs"),
    )
    duty_phone = models.CharField(
        _("téléphone de permanence"), max_length=20, blank=True, help_text=_("Reçoit les relances par SMS.")
    )
    ack_minutes_in_progress = models.PositiveSmallIntegerField(
        _("délai de prise en compte, faits en cours (minutes)"), default=10
    )
    ack_minutes = models.PositiveSmallIntegerField(_("délai de prise en compte (minutes)"), default=60)
    webhook_url = models.URLField(
        _("webhook"),
        blank=True,
        validators=[validate_webhook_url],
        help_text=_(
            "Optionnel : adresse https publique qui reçoit chaque événement des transmissions, "
            "en requêtes signées (voir docs/webhooks.md)."
        ),
    )
    # Signs the webhook requests (X-Vigie-Signature); made when a webhook is first used (alerts/webhooks.py).
    webhook_secret = models.CharField(_("secret du webhook"), max_length=100, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service de police")
        verbose_name_plural = _("services de police")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Category × sector × time window → agencies. Of the rules that match, those of the highest
    priority win (their agencies together); none matching → the commune's fallback agency."""

    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("commune")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("catégorie"),
        help_text=_("Vide : toutes les catégories."),
    )
    sector = models.ForeignKey(
        "territory.Sector",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("secteur"),
        help_text=_("Vide : tous les secteurs."),
    )
    starts_at = models.TimeField(_("à partir de"), null=True, blank=True)
    ends_at = models.TimeField(
        _("jusqu'à"), null=True, blank=True, help_text=_("Vide : toute la journée. Peut passer minuit.")
    )
    priority = models.PositiveSmallIntegerField(
        _("priorité"), default=100, help_text=_("La plus haute gagne.")
    )
    agencies = models.ManyToManyField(Agency, related_name="routing_rules", verbose_name=_("services"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("règle d'orientation")
        verbose_name_plural = _("règles d'orientation")
        ordering = ["commune", "-priority", "id"]

    def __str__(self) -> str:
        return f"{self.commune} · {self.category or '*'} · {self.sector or '*'} ({self.priority})"
