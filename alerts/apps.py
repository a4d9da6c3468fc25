from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Signalements et police")

    def ready(self) -> None:
        from alerts.access import Policy
        from backend.core.access import register_access_policy

        register_access_policy(Policy())

        from alerts.services import dispatches_escalate
        from backend.core.periodic import register_periodic

        register_periodic("alerts.escalate_dispatches", lambda: dispatches_escalate(), every_seconds=30)

        from alerts.services.emergency import emergencies_lapse
        from alerts.services.emergency_roster import emergency_deputies_call

        # The emergency cell: lapsed activations close, unconfirmed members' deputies are called.
        register_periodic("alerts.emergency_lapse", emergencies_lapse, every_seconds=30)
        register_periodic("alerts.emergency_deputies", emergency_deputies_call, every_seconds=30)

        from alerts import metrics

        metrics.register()  # moderation queue and unacknowledged dispatches on /metrics

        from alerts import webhooks

        webhooks.register()  # the kernel's sender signs agency webhooks with the agency's key

        from alerts import retention

        retention.register()  # what alerts keeps and how long (backend/core/retention.py)
