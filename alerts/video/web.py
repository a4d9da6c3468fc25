"""The register's pages: the register of a period (screen, CSV, PDF) for the commune's CSU, admin and
inspection, and the monthly totals for the ethics committee. Signed in with password + TOTP; who sees
what is alerts/access.py's answer; the inspection's every read is audited."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alerts import access
from alerts.console.web import staff_page
from alerts.video import selectors, services
from alerts.video.models import FootageRequest
from alerts.video.serializers import MonthInputSerializer, PeriodInputSerializer
from backend.accounts.models import User
from backend.audit.services import client_ip

register_page_door = staff_page(
    lambda user: access.video_commune(user) is not None,
    gettext_lazy("Le registre de vidéoprotection est réservé au CSU, à l'administrateur et à l'inspection."),
)
totals_page_door = staff_page(
    lambda user: access.video_totals_commune(user) is not None,
    gettext_lazy("Cette page est réservée aux instances de la commune."),
)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _period(request: HttpRequest) -> tuple[date, date, dict[str, list[str]]]:
    """The period asked for (the current month by default) and the form's errors."""
    today = timezone.localdate()
    data = {"start": request.GET.get("start") or today.replace(day=1), "end": request.GET.get("end") or today}
    checked = PeriodInputSerializer(data=data)
    if checked.is_valid():
        return checked.validated_data["start"], checked.validated_data["end"], {}
    errors = {key: [str(message) for message in value] for key, value in checked.errors.items()}
    return today.replace(day=1), today, errors


def _register(request: HttpRequest, user: User, start: date, end: date) -> dict[str, object]:
    commune_id = access.video_commune(user)
    assert commune_id is not None  # the door
    rows = selectors.register_period(FootageRequest.objects.filter(commune_id=commune_id), start, end)
    return {
        "requests": rows,
        "start": start,
        "end": end,
        "printed_at": timezone.now(),
        "printed_by": str(user),
    }


@never_cache
@require_GET
@register_page_door
def register_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    start, end, errors = _period(request)
    services.inspection_record(
        actor=user, what="register", extra={"start": str(start), "end": str(end)}, ip=client_ip(request)
    )
    return render(request, "video/register.html", {**_register(request, user, start, end), "errors": errors})


@never_cache
@require_GET
@register_page_door
def register_pdf_view(request: HttpRequest) -> HttpResponse:
    """The register of a period as a PDF (A4), for the inspection's file or the committee's meeting."""
    user = _user(request)
    start, end, _errors = _period(request)
    html = render_to_string(
        "video/register_print.html", _register(request, user, start, end), request=request
    )
    services.register_print_record(actor=user, start=start, end=end, ip=client_ip(request))
    response = HttpResponse(selectors.register_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="registre-video-{start}-{end}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_GET
@register_page_door
def register_csv_view(request: HttpRequest) -> HttpResponse:
    start, end, _errors = _period(request)
    content = services.register_export(actor=_user(request), start=start, end=end, ip=client_ip(request))
    response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registre-video-{start}-{end}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
@totals_page_door
def totals_page(request: HttpRequest) -> HttpResponse:
    """The month's totals: numbers only, never a request (the ethics committee's view)."""
    user = _user(request)
    commune_id = access.video_totals_commune(user)
    assert commune_id is not None  # the door
    checked = MonthInputSerializer(
        data={"month": request.GET.get("month") or timezone.localdate().strftime("%Y-%m")}
    )
    errors = {} if checked.is_valid() else {"month": [str(m) for m in checked.errors["month"]]}
    raw = checked.validated_data["month"] if not errors else timezone.localdate().strftime("%Y-%m")
    month = date(int(raw[:4]), int(raw[5:7]), 1)
    services.inspection_record(
        actor=user, what="totals", extra={"month": month.isoformat()}, ip=client_ip(request)
    )
    totals = selectors.monthly_totals(commune_id, month)
    return render(
        request,
        "video/totals.html",
        {"totals": totals, "month_value": month.strftime("%Y-%m"), "errors": errors,
         "agency_kinds": selectors.labelled_agency_kinds(totals), "kinds": selectors.labelled_kinds(totals)},
    )  # fmt: skip
