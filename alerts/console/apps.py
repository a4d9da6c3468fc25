from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The live console of operators and moderators (websocket + page): part of the alerts layer."""

    name = "alerts.console"
    label = "console"
    verbose_name = _("Console temps réel")

    def ready(self) -> None:
        from alerts.console.services import console_connections_prune, events_prune
        from backend.core.periodic import register_periodic

        # Sockets of a daphne process that died leave rows behind: offline after three missed heartbeats.
        register_periodic("console.presence_prune", lambda: console_connections_prune(), every_seconds=30)
        register_periodic("console.events_prune", lambda: events_prune(), every_seconds=600)
