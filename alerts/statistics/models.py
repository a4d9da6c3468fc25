"""Monthly aggregates of a commune's observations, and the counters other features add. No personal data:
counts and medians per group, never a row that points at a person or an observation."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """Where an observation stands, as the statistics count it (its status, in fewer words)."""

    PENDING = "pending", _("en attente de modération")
    REJECTED = "rejected", _("non retenu")
    MERGED = "merged", _("fusionné avec un autre")
    TRANSMITTED = "transmitted", _("transmis, en cours")
    CLOSED = "closed", _("clôturé")


class StatisticsMonth(models.Model):
    """One commune's month: when it was last computed, and whether it is frozen (the purge has started
    deleting its observations: recomputing it would lose figures, so nothing recomputes it again)."""

    commune = models.ForeignKey("territory.Commune", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("mois"), help_text=_("Le premier jour du mois."))
    computed_at = models.DateTimeField(_("calculé le"), default=timezone.now)
    frozen_at = models.DateTimeField(_("figé le"), null=True, blank=True)
    # +1 at every computation: what the page's cache of figures is keyed on.
    revision = models.PositiveIntegerField(default=0)
    # The month's medians over all its observations (as MonthlyFigure's): an unfiltered view by month
    # reads these instead of every group's delays.
    median_moderation_s = models.PositiveIntegerField(null=True, blank=True)
    median_acknowledgement_s = models.PositiveIntegerField(null=True, blank=True)
    median_close_s = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("mois de statistiques")
        verbose_name_plural = _("mois de statistiques")
        constraints = [models.UniqueConstraint(fields=["commune", "month"], name="statistics_month_unique")]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.month:%Y-%m}"


class MonthlyFigure(models.Model):
    """How many observations of a month fell in one group, and the medians of their delays (seconds)."""

    commune = models.ForeignKey("territory.Commune", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("mois"))
    sector = models.ForeignKey(
        "territory.Sector", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey("alerts.Category", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("canal"), max_length=5)
    outcome = models.CharField(_("issue"), max_length=12, choices=Outcome.choices)
    count = models.PositiveIntegerField(_("nombre"))
    # Receipt → moderation decision; transmission → first acknowledgement; receipt → closed/rejected/merged.
    median_moderation_s = models.PositiveIntegerField(null=True, blank=True)
    median_acknowledgement_s = models.PositiveIntegerField(null=True, blank=True)
    median_close_s = models.PositiveIntegerField(null=True, blank=True)
    # The group's delays themselves, without anything that points at an observation ({"moderation": [s,
    # …], "acknowledgement": […], "close": […]}): a coarser group's medians are then exact too.
    delays = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("agrégat mensuel")
        verbose_name_plural = _("agrégats mensuels")
        indexes = [models.Index(fields=["commune", "month"], name="monthly_figure_month")]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.month:%Y-%m} {self.outcome}: {self.count}"


class MonthlyCounter(models.Model):
    """A count that another feature adds to the statistics (broadcasts sent, holiday watches…), by key."""

    commune = models.ForeignKey("territory.Commune", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("mois"))
    sector = models.ForeignKey(
        "territory.Sector", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    key = models.CharField(_("compteur"), max_length=80)
    value = models.PositiveIntegerField(_("valeur"))

    class Meta:
        verbose_name = _("compteur mensuel")
        verbose_name_plural = _("compteurs mensuels")
        indexes = [models.Index(fields=["commune", "month"], name="monthly_counter_month")]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.month:%Y-%m} {self.key}: {self.value}"
