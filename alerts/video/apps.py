from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoConfig(AppConfig):
    """The video-protection register (cameras, requests for footage, extractions) and its oversight: part
    of the alerts layer (agencies and observations live there), own migrations."""

    name = "alerts.video"
    label = "video"
    verbose_name = _("Vidéoprotection")

    def ready(self) -> None:
        from alerts.statistics.registry import register_monthly_counter
        from alerts.video import retention, selectors

        retention.register()
        # Requests for footage, refusals and extractions in the town's statistics, counted before the purge.
        register_monthly_counter(
            "video",
            selectors.monthly_counts,
            purged_months=selectors.purged_months,
            labels={
                "video_requests": _("Vidéoprotection : demandes d'images"),
                "video_refusals": _("Vidéoprotection : demandes refusées"),
                "video_extractions": _("Vidéoprotection : extractions"),
            },
        )
