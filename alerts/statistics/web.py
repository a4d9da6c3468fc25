"""The statistics page (/statistiques/), its exports (CSV, ODS) and the annual report (HTML, PDF, ODS):
the CLSPD coordinator and commune admins, signed in with password + TOTP, their own commune only."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alerts import access
from alerts.console.web import staff_page
from alerts.models import Channel
from alerts.statistics.page import statistics_counters_rows, statistics_sections
from alerts.statistics.report import annual_report, annual_report_ods, annual_report_pdf
from alerts.statistics.selectors import (
    GROUPS,
    NO_SECTOR,
    statistics_categories,
    statistics_for_query,
    statistics_sectors,
)
from alerts.statistics.serializers import StatisticsQuerySerializer, default_period
from alerts.statistics.tables import figures_table, table_csv, tables_ods
from backend.audit.services import audit_record
from backend.territory.models import Commune

statistics_page_guard = staff_page(
    access.statistics_allowed,
    gettext_lazy(
        "Les statistiques sont réservées au coordinateur CLSPD et aux administrateurs de la commune."
    ),
)
ODS = "application/vnd.oasis.opendocument.spreadsheet"


def _commune_id(request: HttpRequest) -> int:
    commune_id = access.statistics_commune(request.user)
    assert commune_id is not None  # the guard let them in
    return commune_id


def _query(request: HttpRequest) -> tuple[dict[str, Any] | None, dict[str, list[str]], dict[str, Any]]:
    """(the validated query or None, errors per field, the values the form shows)."""
    data = request.GET.copy()
    for key, value in default_period(timezone.localdate()).items():
        if not data.get(key):
            data[key] = value
    checked = StatisticsQuerySerializer(data=data)
    shown = {
        "from": data.get("from"),
        "to": data.get("to"),
        "sector": data.getlist("sector"),
        "category": data.getlist("category"),
        "channel": data.get("channel", ""),
    }
    if checked.is_valid():
        return dict(checked.validated_data), {}, shown
    return None, {name: [str(error) for error in errors] for name, errors in checked.errors.items()}, shown


@never_cache
@require_GET
@statistics_page_guard
def statistics_page(request: HttpRequest) -> HttpResponse:
    commune_id = _commune_id(request)
    query, errors, shown = _query(request)
    sectors = [
        (str(pk), name) for pk, name in sorted(statistics_sectors(commune_id).items(), key=lambda i: i[1])
    ]
    sectors.append((str(NO_SECTOR), _("Hors secteur")))
    categories = sorted(
        {(category.slug, category.label) for category in statistics_categories(commune_id).values()},
        key=lambda item: item[1],
    )
    years: list[int] = []
    if query is not None:
        years = list(range(query["from"].year, query["to"].year + 1))
    return render(
        request,
        "statistics/page.html",
        {
            "commune": Commune.objects.get(pk=commune_id),
            "errors": errors,
            "shown": shown,
            "sectors": sectors,
            "categories": categories,
            "channels": Channel.choices,
            "sections": statistics_sections(commune_id, query) if query is not None else [],
            "counters": statistics_counters_rows(commune_id, query) if query is not None else [],
            "query_string": request.GET.urlencode(),
            "years": years,
        },
    )


def _export(request: HttpRequest, kind: str) -> HttpResponse:
    commune_id = _commune_id(request)
    query, errors, _shown = _query(request)
    if query is None:
        return HttpResponse(
            "\n".join(f"{name} : {message}" for name, messages in errors.items() for message in messages),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    group_by = query["group_by"] or GROUPS
    publication = request.GET.get("publication") in ("1", "on", "true")
    rows = statistics_for_query(commune_id=commune_id, query=query, group_by=group_by)
    headers, lines = figures_table(rows, group_by, publication=publication)
    audit_record(
        actor=request.user,
        action="statistics.exported",
        extra={"format": kind, "publication": publication, "from": f"{query['from']:%Y-%m}",
               "to": f"{query['to']:%Y-%m}", "group_by": list(group_by)},
    )  # fmt: skip
    stamp = f"{query['from']:%Y-%m}_{query['to']:%Y-%m}"
    if kind == "csv":
        response = HttpResponse("\ufeff" + table_csv(headers, lines), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(tables_ods([(_("Statistiques"), headers, lines)]), content_type=ODS)
    response["Content-Disposition"] = f'attachment; filename="statistiques-{stamp}.{kind}"'
    return response


@never_cache
@require_GET
@statistics_page_guard
def statistics_export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@never_cache
@require_GET
@statistics_page_guard
def statistics_export_ods(request: HttpRequest) -> HttpResponse:
    return _export(request, "ods")


def _report(request: HttpRequest, year: int) -> Any:
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404(_("Année hors de portée."))
    commune = Commune.objects.get(pk=_commune_id(request))
    return annual_report(commune, year)


@never_cache
@require_GET
@statistics_page_guard
def annual_report_page(request: HttpRequest, year: int) -> HttpResponse:
    report = _report(request, year)
    return render(request, "statistics/annual_report.html", {"report": report, "printing": False})


@never_cache
@require_GET
@statistics_page_guard
def annual_report_file(request: HttpRequest, year: int, kind: str) -> HttpResponse:
    report = _report(request, year)
    audit_record(actor=request.user, action="statistics.annual_report", extra={"year": year, "format": kind})
    if kind == "pdf":
        response = HttpResponse(annual_report_pdf(report), content_type="application/pdf")
    else:
        response = HttpResponse(annual_report_ods(report), content_type=ODS)
    response["Content-Disposition"] = f'attachment; filename="rapport-annuel-{year}.{kind}"'
    return response
