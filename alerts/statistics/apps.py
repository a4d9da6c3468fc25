from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    """Monthly aggregates (CLSPD statistics, annual report): part of the alerts layer, own migrations."""

    name = "alerts.statistics"
    label = "statistics"
    verbose_name = _("Statistiques")

    def ready(self) -> None:
        from alerts.statistics.counters import BROADCAST_LABELS, broadcasts_sent
        from alerts.statistics.registry import register_monthly_counter
        from alerts.statistics.services import statistics_before_purge, statistics_refresh_recent
        from backend.core.periodic import register_periodic
        from backend.core.retention import register_retention_pre_purge

        # Nightly: recent months follow the observations' life (moderation, closing) until frozen.
        register_periodic("statistics.refresh", lambda: statistics_refresh_recent(), every_seconds=24 * 3600)
        # Before any purge: the months about to lose rows are computed one last time, then frozen.
        register_retention_pre_purge("statistics.freeze", statistics_before_purge)
        register_monthly_counter("broadcasts", broadcasts_sent, labels=BROADCAST_LABELS)
