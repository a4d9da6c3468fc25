"""Writes of the statistics: a commune's months recomputed from the live rows, frozen before a purge.

A month is recomputed (its rows replaced) only while it is not frozen. The retention purge's pre-purge hook
recomputes every month whose observations (or a counter's rows) the purge is about to delete, then freezes
it: from then on nothing recomputes it, so deleting personal data never changes the town's figures. The
nightly job recomputes the recent months; `statistics_backfill` the past ones.
"""

import statistics as stats
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, Func, IntegerField, Min, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from alerts.models import Dispatch, Observation
from alerts.retention import OBSERVATION_RULES
from alerts.statistics.models import MonthlyCounter, MonthlyFigure, Outcome, StatisticsMonth
from alerts.statistics.months import month_add, month_bounds, month_of
from alerts.statistics.registry import monthly_counters
from backend.core.retention import retention_rule
from backend.territory.models import Commune

OUTCOME = Case(
    When(status=Observation.Status.PENDING, then=Value(Outcome.PENDING)),
    When(status=Observation.Status.REJECTED, then=Value(Outcome.REJECTED)),
    When(status=Observation.Status.MERGED, then=Value(Outcome.MERGED)),
    When(status=Observation.Status.CLOSED, then=Value(Outcome.CLOSED)),
    default=Value(Outcome.TRANSMITTED),
)
GroupKey = tuple[int | None, int, str, str]  # sector, category, channel, outcome
MONTH_MEDIANS = (
    ("median_moderation_s", "moderation"),
    ("median_acknowledgement_s", "acknowledgement"),
    ("median_close_s", "close"),
)


class SecondsBetween(Func):
    """Whole seconds from one timestamp to another, computed by the database (reading the timestamps
    themselves costs more than the whole aggregation); NULL when either is NULL."""

    output_field = IntegerField()
    arity = 2
    template = "CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS BIGINT)"
    arg_joiner = " - "

    def __init__(self, start: Any, end: Any) -> None:
        super().__init__(end, start)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND((julianday(%(expressions)s)) * 86400) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def _positive(seconds: int | None) -> int | None:
    return seconds if seconds is not None and seconds >= 0 else None


def _median(values: list[int]) -> int | None:
    return int(stats.median(values)) if values else None


def _month_figures(commune_id: int, month: date) -> list[MonthlyFigure]:
    """The month's figures from its live observations: counts grouped in SQL, medians from the delays."""
    start, end = month_bounds(month)
    rows = Observation.objects.filter(commune_id=commune_id, created_at__gte=start, created_at__lt=end)
    counts = (
        rows.annotate(outcome=OUTCOME)
        .values_list("sector_id", "category_id", "channel", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    figures: dict[GroupKey, MonthlyFigure] = {}
    for sector_id, category_id, channel, outcome, n in counts:
        figures[(sector_id, category_id, channel, outcome)] = MonthlyFigure(
            commune_id=commune_id, month=month, sector_id=sector_id, category_id=category_id,
            channel=channel, outcome=outcome, count=n,
        )  # fmt: skip
    # The police's reaction: from the first transmission to the first acknowledgement, per observation.
    reactions = dict(
        Dispatch.objects.filter(observation__in=rows)
        .values_list("observation_id")
        .annotate(seconds=SecondsBetween(Min("created_at"), Min("acknowledged_at")))
        .order_by()
    )
    delays: dict[GroupKey, tuple[list[int], list[int], list[int]]] = defaultdict(lambda: ([], [], []))
    timed = rows.annotate(
        outcome=OUTCOME,
        moderation=SecondsBetween("created_at", "decided_at"),
        close=SecondsBetween("created_at", "finished_at"),
    ).values_list("id", "sector_id", "category_id", "channel", "outcome", "moderation", "close")
    for pk, sector_id, category_id, channel, outcome, moderation_s, close_s in timed.order_by():
        moderation, acknowledgement, close = delays[(sector_id, category_id, channel, outcome)]
        for values, value in (
            (moderation, _positive(moderation_s)),
            (acknowledgement, _positive(reactions.get(pk))),
            (close, _positive(close_s)),
        ):
            if value is not None:
                values.append(value)
    for key, (moderation, acknowledgement, close) in delays.items():
        figure = figures[key]
        figure.median_moderation_s = _median(moderation)
        figure.median_acknowledgement_s = _median(acknowledgement)
        figure.median_close_s = _median(close)
        figure.delays = {"moderation": sorted(moderation), "acknowledgement": sorted(acknowledgement),
                         "close": sorted(close)}  # fmt: skip
    return list(figures.values())


def _month_counters(commune_id: int, month: date) -> list[MonthlyCounter]:
    return [
        MonthlyCounter(commune_id=commune_id, month=month, sector_id=sector_id, key=key, value=value)
        for source in monthly_counters()
        for sector_id, key, value in source.func(commune_id, month)
        if value
    ]


def statistics_refresh(*, commune: Commune | int, months: Iterable[date], freeze: bool = False) -> list[date]:
    """Recomputes these months of the commune from the live rows (each month's rows replaced in one
    transaction), except frozen ones; `freeze` freezes them after this last computation. Returns the
    months recomputed."""
    commune_id = commune if isinstance(commune, int) else commune.pk
    done = []
    for month in sorted({month_of(month) for month in months}):
        with transaction.atomic():
            state, _created = StatisticsMonth.objects.select_for_update().get_or_create(
                commune_id=commune_id, month=month
            )
            if state.frozen_at is not None:
                continue
            MonthlyFigure.objects.filter(commune_id=commune_id, month=month).delete()
            MonthlyCounter.objects.filter(commune_id=commune_id, month=month).delete()
            figures = _month_figures(commune_id, month)
            MonthlyFigure.objects.bulk_create(figures, batch_size=1000)
            MonthlyCounter.objects.bulk_create(_month_counters(commune_id, month), batch_size=1000)
            state.computed_at = timezone.now()
            state.revision += 1  # under the row lock
            for field, name in MONTH_MEDIANS:
                setattr(
                    state,
                    field,
                    _median([value for figure in figures for value in figure.delays.get(name, ())]),
                )
            if freeze:
                state.frozen_at = state.computed_at
            state.save(
                update_fields=[
                    "computed_at",
                    "frozen_at",
                    "revision",
                    *(field for field, _name in MONTH_MEDIANS),
                ]
            )
        done.append(month)
    return done


def statistics_refresh_recent(*, now: datetime | None = None) -> int:
    """The nightly job: the last STATISTICS_REFRESH_MONTHS months of every commune; returns the months
    recomputed."""
    current = month_of(now or timezone.now())
    months = [month_add(current, -back) for back in range(settings.STATISTICS_REFRESH_MONTHS)]
    return sum(
        len(statistics_refresh(commune=commune_id, months=months))
        for commune_id in Commune.objects.values_list("pk", flat=True)
    )


def _observation_months_purged(now: datetime) -> set[tuple[int, date]]:
    """The (commune, month) of every observation the next purge deletes."""
    touched: set[tuple[int, date]] = set()
    for name in OBSERVATION_RULES:
        rule = retention_rule(name)
        rows = (
            rule.expired(now)
            .annotate(month=TruncMonth("created_at"))
            .values_list("commune_id", "month")
            .distinct()
            .order_by()
        )
        touched.update((commune_id, month_of(month)) for commune_id, month in rows)
    return touched


def statistics_before_purge(*, now: datetime, say: Callable[[str], None] = lambda _line: None) -> None:
    """The retention pre-purge hook: every month the purge is about to touch is computed one last time and
    frozen."""
    touched = _observation_months_purged(now)
    for source in monthly_counters():
        if source.purged_months is not None:
            touched.update((commune_id, month_of(month)) for commune_id, month in source.purged_months(now))
    by_commune: dict[int, set[date]] = defaultdict(set)
    for commune_id, month in touched:
        by_commune[commune_id].add(month)
    for commune_id, months in sorted(by_commune.items()):
        frozen = statistics_refresh(commune=commune_id, months=months, freeze=True)
        say(f"commune {commune_id} : {len(frozen)} mois figé(s)")
