"""Each commune's settings for observations: fallback agency, retention, the emergency watch cell."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from alerts.models.agencies import Agency
from alerts.models.categories import Category


class CommuneAlertSettings(models.Model):
    """Per commune: fallback agency, retention, and the emergency watch cell's switch."""

    commune = models.OneToOneField(
        "territory.Commune",
        on_delete=models.CASCADE,
        related_name="alert_settings",
        verbose_name=_("commune"),
    )
    fallback_agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service par défaut"),
    )
    retention_days = models.PositiveIntegerField(
        _("conservation (jours)"),
        default=365,
        help_text=_("Durée de conservation des signalements clôturés ou non retenus et de leurs photos."),
    )
    emergency_active = models.BooleanField(_("cellule de veille d'urgence active"), default=False)
    emergency_categories = models.ManyToManyField(
        Category, blank=True, related_name="+", verbose_name=_("catégories transmises sans modération")
    )
    emergency_reason = models.CharField(_("motif"), max_length=500, blank=True)
    emergency_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    emergency_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("réglages des signalements")
        verbose_name_plural = _("réglages des signalements")

    def __str__(self) -> str:
        return str(self.commune)
