from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Data protection for the commune: the privacy notice, rights requests, the DPO's register (issue 17):
    part of the alerts layer (it names the commune's agencies and reads the retention registry)."""

    name = "alerts.privacy"
    label = "privacy"
    verbose_name = _("Protection des données")

    def ready(self) -> None:
        from alerts.privacy import retention
        from alerts.privacy.services import rights_requests_remind
        from backend.core.periodic import register_periodic

        retention.register()
        # Deadlines are counted in days: an hourly look is plenty (a reminder goes once a day at most).
        register_periodic("privacy.reminders", lambda: rights_requests_remind(), every_seconds=3600)
