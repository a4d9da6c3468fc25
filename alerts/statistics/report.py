"""The annual report of the Participation Citoyenne scheme, for the prefect and the public: totals only,
no names, counts below the publication threshold shown as « < 5 ». HTML (print view), PDF, ODS."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts.models import Channel
from alerts.statistics.selectors import statistics_counters_labelled, statistics_for_query
from alerts.statistics.tables import Cell, masked_count, small, tables_ods
from backend.territory.models import Commune

# (group, the row's label key, the section's title), in the report's order.
PARTS = (
    ("outcome", "outcome_label", gettext_lazy("Issue des signalements")),
    ("channel", "channel", gettext_lazy("Canal de réception")),
    ("category", "category_label", gettext_lazy("Catégorie")),
    ("sector", "sector_name", gettext_lazy("Secteur")),
    ("month", "month", gettext_lazy("Mois")),
)


@dataclass
class ReportPart:
    title: str
    lines: list[tuple[str, Cell]]


@dataclass
class AnnualReport:
    commune: Commune
    year: int
    total: Cell
    medians: list[tuple[str, str]]
    parts: list[ReportPart]
    counters: list[tuple[str, Cell]]
    made_at: Any


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    hours = seconds / 3600
    return (
        _("%(hours).1f h") % {"hours": hours}
        if hours >= 1
        else _("%(minutes)d min") % {"minutes": seconds // 60}
    )


def annual_report(commune: Commune, year: int) -> AnnualReport:
    """The year's totals of the commune, from the statistics only."""
    query: dict[str, Any] = {"from": date(year, 1, 1), "to": date(year, 12, 1)}
    (total,) = statistics_for_query(commune_id=commune.pk, query=query, group_by=())
    channels = dict(Channel.choices)
    parts = []
    for group, label, title in PARTS:
        rows = statistics_for_query(commune_id=commune.pk, query=query, group_by=(group,))
        lines = [
            (str(channels.get(row[label], row[label])) if group == "channel" else str(row[label]),
             masked_count(row["count"], publication=True))
            for row in rows
        ]  # fmt: skip
        parts.append(ReportPart(str(title), lines))
    hidden = small(total["count"])
    medians = [
        (_("Réception → décision de modération"), _duration(None if hidden else total["median_moderation_s"])),
        (_("Transmission → prise en compte par la police"),
         _duration(None if hidden else total["median_acknowledgement_s"])),
        (_("Réception → fin (clôture, refus, fusion)"), _duration(None if hidden else total["median_close_s"])),
    ]  # fmt: skip
    counters = [
        (row["label"], masked_count(row["value"], publication=True))
        for row in statistics_counters_labelled(commune_id=commune.pk, query=query)
    ]
    return AnnualReport(
        commune=commune,
        year=year,
        total=masked_count(total["count"], publication=True),
        medians=medians,
        parts=parts,
        counters=counters,
        made_at=timezone.localtime(),
    )


def annual_report_html(report: AnnualReport) -> str:
    return render_to_string("statistics/annual_report.html", {"report": report, "printing": True})


def annual_report_pdf(report: AnnualReport) -> bytes:
    # Imported here: WeasyPrint loads Pango and its fonts, which no other request needs.
    import weasyprint

    return bytes(weasyprint.HTML(string=annual_report_html(report)).write_pdf())


def annual_report_ods(report: AnnualReport) -> bytes:
    summary: list[list[Cell]] = [[_("Signalements reçus"), report.total]]
    summary += [[label, value] for label, value in report.medians]
    summary += [[label, value] for label, value in report.counters]
    sheets = [(_("Synthèse %(year)d") % {"year": report.year}, [_("Indicateur"), _("Valeur")], summary)]
    for part in report.parts:
        sheets.append(
            (part.title, [part.title, _("Signalements")], [[label, value] for label, value in part.lines])
        )
    return tables_ods(sheets)
