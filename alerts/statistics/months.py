"""Months as the statistics count them: the first day of a month, in the town's time zone (Europe/Paris)."""

from collections.abc import Iterator
from datetime import date, datetime, time

from django.utils import timezone


def month_of(moment: datetime | date) -> date:
    """The first day of the (local) month of a date or an aware datetime."""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date()
    return moment.replace(day=1)


def month_add(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of a month as aware datetimes of the current time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(month, time.min, tzinfo=zone)
    end = datetime.combine(month_add(month, 1), time.min, tzinfo=zone)
    return start, end


def months_between(first: date, last: date) -> Iterator[date]:
    """Every month from `first` to `last`, both included."""
    month = month_of(first)
    while month <= last:
        yield month
        month = month_add(month, 1)
