"""How long the holiday watch keeps a home's request and its passes: HOLIDAY_WATCH_RETENTION_DAYS after the
return date (kernel's retention registry; the statistics read monthly_counts before)."""

from django.utils.translation import gettext_lazy as _

from backend.core.retention import register_retention
from neighbours.holiday_watch.models import PatrolPass, WatchRequest


def register() -> None:
    """Called from HolidayWatchConfig.ready(). The passes first: they hang from their request."""
    register_retention(
        "holiday_watch.passes",
        label=_("Passages de patrouille (tranquillité vacances)"),
        model=PatrolPass,
        setting="HOLIDAY_WATCH_RETENTION_DAYS",
        age_field="request__end",
        since=_("la date de retour"),
    )
    register_retention(
        "holiday_watch.requests",
        label=_("Demandes de tranquillité vacances"),
        model=WatchRequest,
        setting="HOLIDAY_WATCH_RETENTION_DAYS",
        age_field="end",
        since=_("la date de retour"),
    )
