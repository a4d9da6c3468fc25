from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HolidayWatchConfig(AppConfig):
    """Opération Tranquillité Vacances: residents ask the police municipale to watch their home while away
    (docs/holiday-watch.md). A part of the neighbours layer: it calls alerts' services and plugs into its
    registries (burglary alerts by SMS, the console's link), never the other way round."""

    name = "neighbours.holiday_watch"
    label = "holiday_watch"
    verbose_name = _("Tranquillité vacances")

    def ready(self) -> None:
        from alerts import access
        from alerts.registry import StaffLink, register_sms_recipients, register_staff_link
        from alerts.statistics.registry import register_monthly_counter
        from backend.accounts import personal_data
        from neighbours.holiday_watch import retention, selectors, services

        # A burglary alert for a sector also texts the residents away from it who asked for alerts.
        register_sms_recipients("holiday_watch", selectors.alert_numbers)
        register_staff_link(
            "holiday_watch",
            StaffLink(
                label=_("Tranquillité vacances : liste du jour"),
                url_name="holiday-watch:patrol",
                allowed=lambda user: bool(access.patrol_communes(user)),
            ),
        )
        retention.register()
        personal_data.register_personal_data(
            "holiday_watch",
            export=selectors.holiday_watch_personal_data,
            erase=services.holiday_watch_data_erase,
        )
        # Requests, passes and anomalies in the town's statistics, counted before the purge takes them.
        register_monthly_counter(
            "holiday_watch",
            selectors.monthly_counts,
            purged_months=selectors.purged_months,
            labels={
                "holiday_watch.requests": _("Tranquillité vacances : demandes"),
                "holiday_watch.passes": _("Tranquillité vacances : passages"),
                "holiday_watch.anomalies": _("Tranquillité vacances : anomalies"),
            },
        )
