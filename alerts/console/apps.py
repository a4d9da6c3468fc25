from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The live console of operators and moderators (websocket + page): part of the alerts layer."""

    name = "alerts.console"
    label = "console"
    verbose_name = _("Console temps réel")
