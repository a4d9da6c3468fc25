from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoConfig(AppConfig):
    """The video-protection register (cameras, requests for footage, extractions) and its oversight: part
    of the alerts layer (agencies and observations live there), own migrations."""

    name = "alerts.video"
    label = "video"
    verbose_name = _("Vidéoprotection")

    def ready(self) -> None:
        from alerts.video import retention

        retention.register()
