from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BroadcastsConfig(AppConfig):
    """Broadcasts (prevention advice, burglary and shop alerts): part of the alerts layer, own migrations."""

    name = "alerts.broadcasts"
    label = "broadcasts"
    verbose_name = _("Diffusions")

    def ready(self) -> None:
        from alerts.broadcasts.services import broadcasts_run_due
        from backend.core.periodic import register_periodic

        # Scheduled broadcasts go at their time, expired ones stop: the worker runs this every 10 s.
        register_periodic("broadcasts.run_due", lambda: broadcasts_run_due(), every_seconds=10)

        from alerts.broadcasts import retention

        retention.register()
