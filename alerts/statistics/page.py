"""What the statistics page shows for a query: charts with the same figures as tables beside them, all
from one read of the aggregates."""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from alerts.models import Channel
from alerts.statistics.charts import bar_chart
from alerts.statistics.models import StatisticsMonth
from alerts.statistics.selectors import statistics_counters_labelled, statistics_tables_for_query


@dataclass
class Section:
    name: str
    title: str
    chart: SafeString
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def _hours(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def _counts(rows: list[dict[str, Any]], label: str, name: str, title: str, column: str) -> Section:
    labels = [str(row[label]) for row in rows]
    counts = [row["count"] for row in rows]
    chart = bar_chart(name=name, title=title, labels=labels, series=[(_("Signalements"), counts)])
    lines: list[list[Any]] = [[text, count] for text, count in zip(labels, counts, strict=True)]
    return Section(name, title, chart, [column, _("Signalements")], lines)


def _delays(by_month: list[dict[str, Any]]) -> Section:
    months = [row["month"] for row in by_month]
    series = [
        (_("réception → modération"), [_hours(row["median_moderation_s"]) for row in by_month]),
        (_("transmission → prise en compte"), [_hours(row["median_acknowledgement_s"]) for row in by_month]),
        (_("réception → fin"), [_hours(row["median_close_s"]) for row in by_month]),
    ]
    title = _("Délais médians par mois (heures)")
    return Section(
        "delais",
        title,
        bar_chart(name="delais", title=title, labels=months, series=series, unit=" h"),
        [_("Mois"), *(label for label, _values in series)],
        [[month, *(values[index] for _label, values in series)] for index, month in enumerate(months)],
    )


# Figures change only when a month is computed (its revision moves); names and labels edited in the admin
# show after this long at most.
CACHE_SECONDS = 600


def _cache_key(commune_id: int, query: dict[str, Any]) -> str:
    months = StatisticsMonth.objects.filter(
        commune_id=commune_id, month__gte=query["from"], month__lte=query["to"]
    )
    state = months.aggregate(count=Count("id"), revisions=Sum("revision"))
    text = json.dumps([commune_id, query, state], sort_keys=True, default=str)
    return "statistics:page:" + hashlib.sha256(text.encode()).hexdigest()


def statistics_sections(commune_id: int, query: dict[str, Any]) -> list[Section]:
    """The page's charts and tables (cached until a month of the period is computed again)."""
    key = _cache_key(commune_id, query)
    sections: list[Section] | None = cache.get(key)
    if sections is None:
        sections = _sections(commune_id, query)
        cache.set(key, sections, CACHE_SECONDS)
    return sections


def _sections(commune_id: int, query: dict[str, Any]) -> list[Section]:
    """By month, sector, category, outcome, channel; medians by month: one read of the aggregates."""
    by_month, by_sector, by_category, by_outcome, by_channel = statistics_tables_for_query(
        commune_id=commune_id,
        query=query,
        groupings=[(("month",), True), (("sector",), False), (("category",), False), (("outcome",), False),
                   (("channel",), False)],
    )  # fmt: skip
    channels = dict(Channel.choices)
    for row in by_channel:
        row["channel_label"] = str(channels.get(row["channel"], row["channel"]))
    return [
        _counts(by_month, "month", "mois", _("Signalements par mois"), _("Mois")),
        _counts(by_sector, "sector_name", "secteurs", _("Signalements par secteur"), _("Secteur")),
        _counts(by_category, "category_label", "categories", _("Signalements par catégorie"), _("Catégorie")),
        _counts(by_outcome, "outcome_label", "issues", _("Signalements par issue"), _("Issue")),
        _counts(by_channel, "channel_label", "canaux", _("Signalements par canal"), _("Canal")),
        _delays(by_month),
    ]


def statistics_counters_rows(commune_id: int, query: dict[str, Any]) -> list[dict[str, Any]]:
    return statistics_counters_labelled(commune_id=commune_id, query=query)
