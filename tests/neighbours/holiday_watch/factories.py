"""Test data of the holiday watch: requests written through the service, a police municipale and its patrol."""

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from alerts.models import Agency
from backend.accounts.models import Role, User
from backend.territory.models import Commune, Sector
from neighbours.holiday_watch.models import WatchRequest
from neighbours.holiday_watch.selectors import earliest_start
from neighbours.holiday_watch.services import watch_request_create
from tests import factories
from tests.alerts import factories as af

# A Friday morning in Paris: departures from Sunday on are 48 hours ahead.
FRIDAY = datetime(2026, 7, 10, 9, 0, tzinfo=timezone.get_fixed_timezone(120))


def days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


def watch(
    commune: Commune, *, sector: str = "nord", start: int = 3, end: int = 10, **fields: Any
) -> WatchRequest:
    """A request accepted when it was made: its dates are set afterwards (a watch running since yesterday
    was asked for days ago)."""
    values: dict[str, Any] = {
        "phone": factories.phone(),
        "channel": WatchRequest.Channel.WEB,
        "address": "12 chemin des Pins",
        "start": earliest_start(),
        "end": earliest_start(),
        "sector": Sector.objects.get(commune=commune, slug=sector),
        **fields,
    }
    created = watch_request_create(commune=commune, **values)
    WatchRequest.objects.filter(pk=created.pk).update(start=days(start), end=days(end))
    created.refresh_from_db()
    return created


def patrol(commune: Commune) -> tuple[User, Agency]:
    """An operator of the commune's police municipale (a patrol)."""
    officer = factories.user(role=Role.OPERATOR, commune=commune)
    agency = af.agency(commune=commune, members=(officer,))
    return officer, agency
