from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BroadcastsConfig(AppConfig):
    """Broadcasts (prevention advice, burglary and shop alerts): part of the alerts layer, own migrations."""

    name = "alerts.broadcasts"
    label = "broadcasts"
    verbose_name = _("Diffusions")
