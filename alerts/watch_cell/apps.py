from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchCellConfig(AppConfig):
    """The CLSPD's monthly watch cell: part of the alerts layer (it reads observations, dispatches and
    broadcasts as counts)."""

    name = "alerts.watch_cell"
    label = "watch_cell"
    verbose_name = _("Cellule de veille")

    def ready(self) -> None:
        from alerts.watch_cell import retention

        retention.register()
