"""Reads of the statistics: the one source of the page, the API, the exports, the watch cell's pack and
the annual report. Figures come from the monthly aggregates only, never from personal rows.

Each stored group (month × sector × category × channel × outcome) keeps its delays without anything that
points at an observation, so the medians of any coarser group (a sector over a year) are exact.
"""

import statistics as stats
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from alerts.models import Category
from alerts.statistics.models import MonthlyCounter, MonthlyFigure, Outcome, StatisticsMonth
from alerts.statistics.months import month_of
from alerts.statistics.registry import counter_label
from backend.territory.models import Sector

GROUPS = ("month", "sector", "category", "channel", "outcome")
MEDIANS = ("median_moderation_s", "median_acknowledgement_s", "median_close_s")
# `sectors` may name this instead of an id: the observations outside every sector.
NO_SECTOR = 0


DELAYS = ("moderation", "acknowledgement", "close")


def _median(values: list[int]) -> int | None:
    return int(stats.median(values)) if values else None


def statistics_categories(commune_id: int, slugs: Iterable[str] = ()) -> dict[int, Category]:
    """The categories a commune's observations may have (its own and the shared ones), by id."""
    rows = Category.objects.filter(Q(commune_id=commune_id) | Q(commune__isnull=True))
    wanted = list(slugs)
    if wanted:
        rows = rows.filter(slug__in=wanted)
    return {category.pk: category for category in rows}


def statistics_sectors(commune_id: int) -> dict[int, str]:
    return dict(Sector.objects.filter(commune_id=commune_id).values_list("pk", "name"))


def _scoped(
    model: type[MonthlyFigure] | type[MonthlyCounter],
    commune_id: int,
    month_from: date,
    month_to: date,
    sectors: Sequence[int],
) -> Any:
    rows = model.objects.filter(commune_id=commune_id, month__gte=month_of(month_from), month__lte=month_to)
    if sectors:
        wanted = Q(sector_id__in=[sector for sector in sectors if sector != NO_SECTOR])
        if NO_SECTOR in sectors:
            wanted |= Q(sector__isnull=True)
        rows = rows.filter(wanted)
    return rows


# What one table of figures groups by, and whether it needs the medians (reading the delays costs).
Grouping = tuple[Sequence[str], bool]


def statistics_tables(
    *,
    commune_id: int,
    month_from: date,
    month_to: date,
    sectors: Sequence[int] = (),
    categories: Sequence[str] = (),
    channel: str | None = None,
    groupings: Sequence[Grouping],
) -> list[list[dict[str, Any]]]:
    """Several tables of `statistics_figures` from one read of the aggregates (the page shows five)."""
    for group_by, _medians in groupings:
        unknown = set(group_by) - set(GROUPS)
        if unknown:
            raise ValueError(f"Unknown groups: {sorted(unknown)}")
    rows = _scoped(MonthlyFigure, commune_id, month_from, month_to, sectors)
    known = statistics_categories(commune_id, categories)
    if categories:
        rows = rows.filter(category_id__in=list(known))
    if channel:
        rows = rows.filter(channel=channel)
    names = statistics_sectors(commune_id)
    # Unfiltered, by month: the months' own medians, without reading every group's delays.
    by_month = None
    if not (sectors or categories or channel) and any(list(g) == ["month"] and m for g, m in groupings):
        by_month = {
            month: medians
            for month, *medians in StatisticsMonth.objects.filter(
                commune_id=commune_id, month__gte=month_of(month_from), month__lte=month_to
            ).values_list("month", *MEDIANS)
        }
    with_delays = any(
        medians and not (by_month is not None and list(g) == ["month"]) for g, medians in groupings
    )
    fields = ["month", "sector_id", "category_id", "channel", "outcome", "count"]
    stored = list(rows.values_list(*fields, "delays") if with_delays else rows.values_list(*fields))
    return [
        _table(stored, group_by, medians, names, known, by_month if list(group_by) == ["month"] else None)
        for group_by, medians in groupings
    ]


def _table(
    stored: list[tuple[Any, ...]],
    group_by: Sequence[str],
    medians: bool,
    names: dict[int, str],
    known: dict[int, Category],
    month_medians: dict[date, list[int | None]] | None,
) -> list[dict[str, Any]]:
    indexes = [GROUPS.index(name) for name in GROUPS if name in group_by]
    dims = [GROUPS[index] for index in indexes]
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    delays: dict[tuple[Any, ...], tuple[list[int], ...]] = defaultdict(lambda: ([], [], []))
    for row in stored:
        key = tuple(row[index] for index in indexes)
        counts[key] += row[5]
        if medians and month_medians is None:
            for measured, name in zip(delays[key], DELAYS, strict=True):
                measured.extend(row[6].get(name, ()))
    if not group_by and not counts:
        counts[()] = 0

    def sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple((value is None, "" if value is None else value) for value in key)

    result = []
    for key in sorted(counts, key=sort_key):
        item: dict[str, Any] = {}
        for name, value in zip(dims, key, strict=True):
            if name == "month":
                item["month"] = f"{value:%Y-%m}"
            elif name == "sector":
                item["sector"] = value
                item["sector_name"] = names.get(value, _("Hors secteur")) if value else _("Hors secteur")
            elif name == "category":
                category = known.get(value)
                item["category"] = category.slug if category else str(value)
                item["category_label"] = category.label if category else str(value)
            elif name == "outcome":
                item["outcome"] = value
                item["outcome_label"] = str(Outcome(value).label)
            else:
                item[name] = value
        item["count"] = counts[key]
        if medians and month_medians is not None:
            item.update(zip(MEDIANS, month_medians.get(key[0], (None, None, None)), strict=True))
        elif medians:
            for name, measured in zip(MEDIANS, delays[key], strict=True):
                item[name] = _median(measured)
        result.append(item)
    return result


def statistics_figures(
    *,
    commune_id: int,
    month_from: date,
    month_to: date,
    sectors: Sequence[int] = (),
    categories: Sequence[str] = (),
    channel: str | None = None,
    group_by: Sequence[str],
) -> list[dict[str, Any]]:
    """The observations' figures of a commune from `month_from` to `month_to` (months included), filtered,
    one dict per group: the group's keys (month "YYYY-MM"; sector id and name, None: outside every sector;
    category slug and label; channel; outcome), its count and medians (seconds, None when nothing to
    measure). Sorted by the group's keys; `group_by=()` gives one total row."""
    (table,) = statistics_tables(
        commune_id=commune_id,
        month_from=month_from,
        month_to=month_to,
        sectors=sectors,
        categories=categories,
        channel=channel,
        groupings=[(group_by, True)],
    )
    return table


def statistics_counters(
    *,
    commune_id: int,
    month_from: date,
    month_to: date,
    sectors: Sequence[int] = (),
    by_month: bool = False,
) -> list[dict[str, Any]]:
    """The other features' counters over the period: key and value (and month "YYYY-MM" when `by_month`)."""
    rows = _scoped(MonthlyCounter, commune_id, month_from, month_to, sectors)
    fields = ["month", "key"] if by_month else ["key"]
    totals = rows.values(*fields).annotate(total=Sum("value")).order_by(*fields)
    return [
        {**({"month": f"{row['month']:%Y-%m}"} if by_month else {}), "key": row["key"], "value": row["total"]}
        for row in totals
    ]


def statistics_tables_for_query(
    *, commune_id: int, query: dict[str, Any], groupings: Sequence[Grouping]
) -> list[list[dict[str, Any]]]:
    """`statistics_tables` for a validated query (serializers.StatisticsQuerySerializer)."""
    return statistics_tables(
        commune_id=commune_id,
        month_from=query["from"],
        month_to=query["to"],
        sectors=query.get("sector", ()),
        categories=query.get("category", ()),
        channel=query.get("channel") or None,
        groupings=groupings,
    )


def statistics_for_query(
    *, commune_id: int, query: dict[str, Any], group_by: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """`statistics_figures` for a validated query, grouped as it says unless `group_by` is given."""
    chosen = query.get("group_by", ()) if group_by is None else group_by
    (table,) = statistics_tables_for_query(commune_id=commune_id, query=query, groupings=[(chosen, True)])
    return table


def statistics_counters_labelled(*, commune_id: int, query: dict[str, Any]) -> list[dict[str, Any]]:
    """The counters of a validated query's period and sectors, with their French names."""
    rows = statistics_counters(
        commune_id=commune_id, month_from=query["from"], month_to=query["to"], sectors=query.get("sector", ())
    )
    return [{**row, "label": counter_label(row["key"])} for row in rows]
