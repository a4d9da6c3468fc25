"""The pack prepared for each meeting (its page and its PDF), computed when it is opened:

- the month under review (the last full month before the meeting) against the month before and the same
  month a year earlier, by sector, and the five sectors with the most observations;
- the dispatches still open after DISPATCH_OPEN_DAYS days (references, agency, sector: the police view's
  fields, never a reporter);
- the emergency cell's activations, the burglary and shop alerts sent during the month;
- the actions on the meeting's agenda (alerts/watch_cell/selectors.py).

The observations' figures and the alerts sent are the statistics' (alerts/statistics: monthly aggregates,
refreshed nightly and before every purge), so the pack says what the statistics page says."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from alerts.broadcasts.models import Broadcast
from alerts.emergency_selectors import emergency_activations
from alerts.models import Dispatch
from alerts.statistics.charts import bar_chart
from alerts.statistics.months import month_add, month_of
from alerts.statistics.selectors import statistics_counters, statistics_figures, statistics_sectors
from alerts.watch_cell.models import Action, Meeting
from alerts.watch_cell.selectors import meeting_actions

DISPATCH_OPEN_DAYS = 7
TOP_SECTORS = 5


def sector_counts(*, commune_id: int, month: date) -> dict[int | None, int]:
    """The statistics' count of observations of the commune received during `month`, by sector id (None:
    outside every sector): the same figures as the statistics page and API (monthly aggregates)."""
    rows = statistics_figures(commune_id=commune_id, month_from=month, month_to=month, group_by=["sector"])
    return {row["sector"]: row["count"] for row in rows}


def alerts_sent(*, commune_id: int, month: date) -> dict[str, int]:
    """Burglary and shop alerts sent during `month`, from the statistics' counters, by broadcast kind."""
    rows = statistics_counters(commune_id=commune_id, month_from=month, month_to=month)
    prefix = "broadcasts."
    return {row["key"].removeprefix(prefix): row["value"] for row in rows if row["key"].startswith(prefix)}


@dataclass(frozen=True)
class SectorFigures:
    name: str
    this_month: int
    last_month: int
    last_year: int


@dataclass(frozen=True)
class OpenDispatch:
    reference: str
    agency: str
    sector: str
    sent_at: datetime
    days: int


@dataclass(frozen=True)
class Pack:
    meeting: Meeting
    month: date
    last_month: date
    last_year: date
    sectors: list[SectorFigures]
    total: SectorFigures
    top_sectors: list[SectorFigures]
    open_dispatches: list[OpenDispatch]
    activations: list[dict[str, Any]]  # alerts.emergency_selectors.activation_summary
    burglary_alerts: int
    shop_alerts: int
    actions: list[Action]
    # The sectors' three months as an SVG bar chart (its text alternative lists the figures; the pack's
    # table beside it holds them too).
    chart: SafeString
    downloaded_by: str
    prepared_at: datetime


def _sector_figures(commune_id: int, month: date) -> tuple[list[SectorFigures], SectorFigures]:
    months = (month, month_add(month, -1), month_add(month, -12))
    counts = [sector_counts(commune_id=commune_id, month=each) for each in months]
    names: dict[int | None, str] = dict(statistics_sectors(commune_id).items())
    if any(None in each for each in counts):
        names[None] = _("Hors secteur")
    rows = [
        SectorFigures(name, *(each.get(pk, 0) for each in counts))
        for pk, name in sorted(names.items(), key=lambda item: (item[0] is None, item[1]))
    ]
    total = SectorFigures(_("Total"), *(sum(each.values()) for each in counts))
    return rows, total


def _open_dispatches(commune_id: int, now: datetime) -> list[OpenDispatch]:
    rows: QuerySet[Dispatch] = (
        Dispatch.objects.filter(
            observation__commune_id=commune_id,
            observation__quarantined=False,
            status__in=(Dispatch.Status.SENT, Dispatch.Status.ACKNOWLEDGED),
            created_at__lte=now - timedelta(days=DISPATCH_OPEN_DAYS),
        )
        .select_related("agency", "observation__sector")
        .only("created_at", "agency__name", "observation__reference", "observation__sector__name")
        .order_by("created_at")
    )
    return [
        OpenDispatch(
            reference=row.observation.reference,
            agency=row.agency.name,
            sector=row.observation.sector.name if row.observation.sector else "",
            sent_at=row.created_at,
            days=(now - row.created_at).days,
        )
        for row in rows
    ]


def _chart(sectors: list[SectorFigures], months: tuple[date, date, date]) -> SafeString:
    columns = ("this_month", "last_month", "last_year")
    return bar_chart(
        name="dossier-secteurs",
        title=_("Signalements par secteur"),
        labels=[row.name for row in sectors],
        series=[
            (date_format(month, "F Y"), [getattr(row, column) for row in sectors])
            for month, column in zip(months, columns, strict=True)
        ],
    )


def meeting_pack(*, meeting: Meeting, downloaded_by: str) -> Pack:
    """The pack of a meeting, as of now (the caller checked that its reader may open the meeting)."""
    now = timezone.now()
    month = month_add(month_of(meeting.held_on), -1)
    sent = alerts_sent(commune_id=meeting.commune_id, month=month)
    sectors, total = _sector_figures(meeting.commune_id, month)
    months = (month, month_add(month, -1), month_add(month, -12))
    top = sorted((row for row in sectors if row.this_month), key=lambda row: (-row.this_month, row.name))
    return Pack(
        meeting=meeting,
        month=month,
        last_month=months[1],
        last_year=months[2],
        sectors=sectors,
        total=total,
        top_sectors=top[:TOP_SECTORS],
        open_dispatches=_open_dispatches(meeting.commune_id, now),
        activations=emergency_activations(meeting.commune_id, month, month),
        burglary_alerts=sent.get(Broadcast.Kind.BURGLARY_ALERT, 0),
        shop_alerts=sent.get(Broadcast.Kind.SHOP_ALERT, 0),
        actions=list(meeting_actions(meeting)),
        chart=_chart(sectors, months),
        downloaded_by=downloaded_by,
        prepared_at=now,
    )


def pack_pdf(html: str) -> bytes:
    """The pack's HTML as a PDF (A4; the downloader's name in every page's footer)."""
    # Imported here: WeasyPrint loads Pango and its fonts, which no other request needs.
    import weasyprint

    return bytes(weasyprint.HTML(string=html).write_pdf())
