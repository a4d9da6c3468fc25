"""Reads of the video-protection register: a request with its rows, the register of a period (CSV), the
monthly totals of the ethics committee and the statistics' counts (aggregates only, never a name)."""

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

from django.db.models import Count, Min, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Agency
from alerts.statistics.registry import rows_months
from alerts.video.models import Destruction, Extraction, FootageRequest
from backend.core.retention import retention_rule
from backend.core.spreadsheet import csv_safe


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next, in the project's time zone."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), zone),
        timezone.make_aware(datetime.combine(following, time.min), zone),
    )


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of `start` to the end of `end` (both days included), local time."""
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
    )


def with_register_rows(requests: QuerySet[FootageRequest]) -> QuerySet[FootageRequest]:
    """Requests with what the register prints of them (agency, cameras, extractions and destructions)."""
    return requests.select_related("agency", "observation").prefetch_related(
        "cameras",
        Prefetch(
            "extractions",
            queryset=Extraction.objects.prefetch_related(
                Prefetch("destructions", queryset=Destruction.objects.order_by("recorded_at", "id"))
            ).order_by("recorded_at", "id"),
        ),
    )


def register_period(requests: QuerySet[FootageRequest], start: date, end: date) -> QuerySet[FootageRequest]:
    """The requests received in a period, oldest first, with their rows."""
    since, until = period_bounds(start, end)
    return with_register_rows(requests.filter(created_at__gte=since, created_at__lt=until)).order_by(
        "created_at", "id"
    )


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


CSV_HEADER = [
    "ligne",
    "date",
    "demande",
    "service",
    "nature du service",
    "nature de la demande",
    "agent requérant",
    "OPJ",
    "réquisition",
    "caméras",
    "images du",
    "images au",
    "état",
    "motif du refus",
    "extraction",
    "corrige",
    "support",
    "fichier",
    "empreinte SHA-256",
    "remis à",
    "remis le",
    "détruit le",
    "détruit par ou devant",
]


def register_csv(requests: Iterable[FootageRequest]) -> str:
    """The register as CSV (« ; », UTF-8): a line per request, per extracted file, per destruction."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(CSV_HEADER)
    for request in requests:
        head = [
            request.pk,
            csv_safe(request.agency.name),
            request.agency.get_kind_display(),
            request.get_kind_display(),
            csv_safe(request.officer_name),
            _("oui") if request.officer_is_opj else _("non"),
            csv_safe(request.requisition_reference),
            csv_safe(", ".join(camera.name for camera in request.cameras.all())),
            _local(request.start),
            _local(request.end),
        ]
        writer.writerow(
            ["demande", _local(request.created_at), *head, request.get_status_display(),
             csv_safe(request.refusal_reason), "", "", "", "", "", "", "", "", ""]
        )  # fmt: skip
        for extraction in request.extractions.all():
            for file in extraction.files:
                writer.writerow(
                    ["extraction", _local(extraction.recorded_at), *head, "", "", extraction.pk,
                     extraction.corrects_id or "", extraction.get_medium_display(), csv_safe(file["name"]),
                     file["sha256"], csv_safe(extraction.recipient_name), _local(extraction.handed_over_at), "", ""]
                )  # fmt: skip
            for destruction in extraction.destructions.all():
                writer.writerow(
                    ["destruction", _local(destruction.recorded_at), *head, "", "", extraction.pk, "", "", "",
                     "", "", "", _local(destruction.destroyed_at), csv_safe(destruction.witness_name)]
                )  # fmt: skip
    return buffer.getvalue()


@dataclass(frozen=True)
class MonthlyTotals:
    month: date
    requests: int
    by_agency_kind: dict[str, int]
    by_kind: dict[str, int]
    refused: int
    extracted_requests: int
    extractions: int
    destructions: int
    # Hours from receipt to the first extraction, over the month's requests that had one.
    median_delay_hours: float | None
    max_delay_hours: float | None


def monthly_totals(commune_id: int, month: date) -> MonthlyTotals:
    """The month's totals of a commune's register (requests received that month): counts only."""
    since, until = month_bounds(month)
    requests = FootageRequest.objects.filter(
        commune_id=commune_id, created_at__gte=since, created_at__lt=until
    )
    by_agency_kind = dict(
        requests.values_list("agency__kind").annotate(count=Count("id")).values_list("agency__kind", "count")
    )
    by_kind = dict(requests.values_list("kind").annotate(count=Count("id")).values_list("kind", "count"))
    firsts = requests.annotate(first=Min("extractions__recorded_at")).filter(first__isnull=False)
    delays = [
        (first - created).total_seconds() / 3600
        for created, first in firsts.values_list("created_at", "first")
    ]
    extractions = Extraction.objects.filter(request__in=requests)
    return MonthlyTotals(
        month=month.replace(day=1),
        requests=requests.count(),
        by_agency_kind={kind: by_agency_kind.get(kind, 0) for kind in Agency.Kind.values},
        by_kind={kind: by_kind.get(kind, 0) for kind in FootageRequest.Kind.values},
        refused=requests.filter(status=FootageRequest.Status.REFUSED).count(),
        extracted_requests=len(delays),
        extractions=extractions.count(),
        destructions=Destruction.objects.filter(extraction__in=extractions).count(),
        median_delay_hours=round(median(delays), 1) if delays else None,
        max_delay_hours=round(max(delays), 1) if delays else None,
    )


def monthly_counts(commune_id: int, month: date) -> list[tuple[int | None, str, int]]:
    """For the town's statistics: (sector_id, key, count) of the month, commune-wide (sector None: a request
    may cover cameras of several sectors). Requests received, refusals, extractions recorded."""
    since, until = month_bounds(month)
    requests = FootageRequest.objects.filter(
        commune_id=commune_id, created_at__gte=since, created_at__lt=until
    )
    extractions = Extraction.objects.filter(
        request__commune_id=commune_id, recorded_at__gte=since, recorded_at__lt=until
    )
    counts: Counter[str] = Counter(
        video_requests=requests.count(),
        video_refusals=requests.filter(status=FootageRequest.Status.REFUSED).count(),
        video_extractions=extractions.count(),
    )
    return [(None, key, count) for key, count in counts.items()]


def purged_months(now: datetime) -> set[tuple[int, date]]:
    """The months whose counts the next retention purge touches (requests with their extractions)."""
    requests = retention_rule("video.register").expired(now)
    extractions = Extraction.objects.filter(request__in=requests.values("pk"))
    return rows_months(requests, commune="commune_id", at="created_at") | rows_months(
        extractions, commune="request__commune_id", at="recorded_at"
    )


def footage_requested(observation_id: int) -> int:
    """How many requests for footage name this observation (the console's « images demandées »)."""
    return FootageRequest.objects.filter(observation_id=observation_id).count()


def labelled_agency_kinds(totals: MonthlyTotals) -> list[tuple[str, int]]:
    labels = dict(Agency.Kind.choices)
    return [(str(labels[kind]), count) for kind, count in totals.by_agency_kind.items()]


def labelled_kinds(totals: MonthlyTotals) -> list[tuple[str, int]]:
    labels = dict(FootageRequest.Kind.choices)
    return [(str(labels[kind]), count) for kind, count in totals.by_kind.items()]


def register_pdf(html: str) -> bytes:
    """The register's print HTML as a PDF (A4)."""
    # Imported here: WeasyPrint loads Pango and its fonts, which no other request needs.
    import weasyprint

    return bytes(weasyprint.HTML(string=html).write_pdf())
