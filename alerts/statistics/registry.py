"""Counters that other features add to the statistics (holiday watch, video register, broadcasts…).

An app registers, from its AppConfig.ready(), a function that counts its own live rows for one commune
and one month: `func(commune_id, first_day_of_month)` yields `(sector_id or None, key, count)`; keys start
with the prefix, and `labels` names them in French for the page and the exports. The statistics refresh runs every counter with the figures, and so does the pre-purge
hook: a month frozen before a purge keeps its counters too. A feature whose rows are purged on a clock of
their own gives `purged_months(now)`: the (commune_id, month) its next purge touches, frozen first.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import TruncMonth
from django_stubs_ext import StrOrPromise

CounterFunc = Callable[[int, date], Iterable[tuple[int | None, str, int]]]
PurgedMonths = Callable[[datetime], Iterable[tuple[int, date]]]


@dataclass(frozen=True)
class MonthlyCounterSource:
    key_prefix: str
    func: CounterFunc
    purged_months: PurgedMonths | None = None
    labels: Mapping[str, StrOrPromise] = field(default_factory=dict)


_counters: dict[str, MonthlyCounterSource] = {}


def register_monthly_counter(
    key_prefix: str,
    func: CounterFunc,
    *,
    purged_months: PurgedMonths | None = None,
    labels: Mapping[str, StrOrPromise] | None = None,
) -> None:
    _counters[key_prefix] = MonthlyCounterSource(key_prefix, func, purged_months, dict(labels or {}))


def unregister_monthly_counter(key_prefix: str) -> None:
    _counters.pop(key_prefix, None)


def monthly_counters() -> list[MonthlyCounterSource]:
    return list(_counters.values())


def counter_label(key: str) -> str:
    """A counter's French name (its key when its app gave none)."""
    for source in _counters.values():
        if key in source.labels:
            return str(source.labels[key])
    return key


def rows_months(rows: QuerySet[Any], *, commune: str, at: str) -> set[tuple[int, date]]:
    """The (commune_id, first day of month) of some rows, for a `purged_months`: `commune` and `at` name the
    fields (lookups allowed) holding the rows' commune and the date they are counted by."""
    months = rows.annotate(_month=TruncMonth(at)).values_list(commune, "_month").distinct().order_by()
    return {
        (commune_id, month.date() if isinstance(month, datetime) else month) for commune_id, month in months
    }
