"""The public pages (the privacy notice, the rights request form) and the DPO's page with its register."""

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from alerts import access
from alerts.console.web import staff_page
from alerts.privacy.forms import RightsRequestForm
from alerts.privacy.models import RightsRequest
from alerts.privacy.notice import privacy_notice
from alerts.privacy.register import register_entry, register_odt, register_pdf
from alerts.privacy.selectors import communes_listed, notice_commune
from alerts.privacy.services import rights_request_submit
from backend.audit.services import audit_record, client_ip
from backend.core.errors import ApplicationError
from backend.core.retention import period_text, retention_report, retention_rules
from backend.territory.models import Commune

REGISTER_TYPES = {
    "json": "application/json; charset=utf-8",
    "odt": "application/vnd.oasis.opendocument.text",
    "pdf": "application/pdf",
}

office_page = staff_page(
    access.privacy_office_allowed,
    gettext_lazy("Cette page est réservée au délégué à la protection des données et à l'administrateur."),
)


@require_GET
def notice_page(request: HttpRequest) -> HttpResponse:
    """/confidentialite/: the commune's notice, or the list of communes to pick from."""
    code = request.GET.get("commune")
    commune = notice_commune(code, user=request.user)
    if commune is None and code:
        raise Http404(_("Commune inconnue."))
    context: dict[str, Any] = {"communes": communes_listed() if commune is None else None}
    if commune is not None:
        context.update(notice=privacy_notice(commune), commune=commune)
    return render(request, "privacy/notice.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def request_page(request: HttpRequest) -> HttpResponse:
    """/confidentialite/demande/: a rights request, from anyone (third parties included)."""
    commune = notice_commune(request.GET.get("commune"), user=request.user)
    form = RightsRequestForm(request.POST or None, initial={"commune": commune} if commune else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = _submit(request, data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            request.session["privacy_request"] = row.pk
            return redirect("privacy-request-done")
    return render(request, "privacy/request.html", {"form": form}, status=400 if form.errors else 200)


def _submit(request: HttpRequest, data: dict[str, Any]) -> RightsRequest:
    return rights_request_submit(
        commune=data["commune"],
        kind=data["kind"],
        requester=data["requester"],
        name=data["name"],
        channel=data["channel"],
        details=data["details"],
        identity_proof=data["identity_proof"],
        identity_declared=data["identity_declared"],
        email=data.get("email") or "",
        phone=data.get("phone") or "",
        postal_address=data.get("postal_address") or "",
        observation_reference=data.get("observation_reference") or "",
        period_start=data.get("period_start"),
        period_end=data.get("period_end"),
        ip=client_ip(request),
    )


@never_cache
@require_GET
def request_done_page(request: HttpRequest) -> HttpResponse:
    """The receipt: the reference and the deadline of the request this browser just made."""
    pk = request.session.get("privacy_request")
    row = RightsRequest.objects.filter(pk=pk).first() if pk else None
    if row is None:
        return redirect("privacy-request")
    return render(request, "privacy/request_done.html", {"row": row})


def _office_commune(request: HttpRequest) -> Commune:
    """The commune of the office page's user (its decorator let them in: they have one)."""
    return Commune.objects.get(pk=access.privacy_commune(request.user) or 0)


@never_cache
@require_GET
@office_page
def office_page_view(request: HttpRequest) -> HttpResponse:
    """/agents/protection-des-donnees/: the register, the read log export, the retention report and the
    rights requests of the commune, in one place."""
    commune = _office_commune(request)
    report = retention_report()
    rules = [
        {"rule": rule, "period": period_text(rule), "count": report.get(rule.name, 0)}
        for rule in retention_rules()
    ]
    open_requests = access.rights_requests_handled(request.user).exclude(status=RightsRequest.Status.DECIDED)
    return render(
        request,
        "privacy/office.html",
        {
            "commune": commune,
            "rules": rules,
            "open_requests": open_requests.order_by("due_at")[:50],
            "now": timezone.now(),
            "read_log_url": reverse("alerts-observation-reads-export"),
        },
    )


@never_cache
@require_GET
@office_page
def register_download(request: HttpRequest) -> HttpResponse:
    """The art. 30 register entry of the commune: ?format=json, odt or pdf; each download is audited."""
    fmt = request.GET.get("format", "pdf")
    if fmt not in REGISTER_TYPES:
        raise Http404(_("Format inconnu."))
    commune = _office_commune(request)
    entry = register_entry(commune)
    audit_record(
        actor=request.user, action="privacy.register_exported", extra={"format": fmt}, ip=client_ip(request)
    )
    if fmt == "json":
        content = json.dumps(entry, ensure_ascii=False, indent=2).encode()
    elif fmt == "odt":
        content = register_odt(entry)
    else:
        content = register_pdf(render_to_string("privacy/register.html", {"entry": entry}, request=request))
    response = HttpResponse(content, content_type=REGISTER_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="registre-{commune.slug}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
