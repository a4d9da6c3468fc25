"""What the watch cell keeps: a meeting, with its roster (accounts, outside partners' names and e-mails)
and its actions, for WATCH_CELL_RETENTION_DAYS after the meeting's date (three years by default: the
CLSPD's strategy runs over a mandate's half)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.watch_cell.models import Meeting
from backend.core.retention import register_retention


def _meetings_expired(now: datetime) -> QuerySet[Meeting]:
    # A meeting's date is a whole day: it goes once the period has run from the end of that day.
    return Meeting.objects.filter(
        held_on__lt=timezone.localdate(now - timedelta(days=settings.WATCH_CELL_RETENTION_DAYS))
    )


def register() -> None:
    """Called from WatchCellConfig.ready(); the roster and the actions go with their meeting (cascade)."""
    register_retention(
        "watch_cell.meetings",
        label=_("Réunions de la cellule de veille (membres, actions)"),
        model=Meeting,
        setting="WATCH_CELL_RETENTION_DAYS",
        age_field="held_on",
        since=_("date de la réunion"),
        expired=_meetings_expired,
    )
