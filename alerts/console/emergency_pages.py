"""The emergency cell's pages: its activations (/console/urgence/), and each one's log and report
(/console/urgence/<id>/, the same as a PDF once closed or at any time): for the commune's moderators and the
cell's roster (alerts/access.py), staff signed in with the second factor. The report prints the police view
of the observations only (reference, category, sector, time): never a reporter."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alerts import access
from alerts.console.sheet import incident_sheet_pdf
from alerts.console.web import staff_page
from alerts.emergency_selectors import activation_readable, activation_report, activations_of
from alerts.models import EmergencyActivation

cell_page = staff_page(access.is_staff, gettext_lazy("Cette page est réservée aux agents de la commune."))


def _activation(request: HttpRequest, activation_id: int) -> EmergencyActivation:
    row = activation_readable(user=request.user, activation_id=activation_id)  # type: ignore[arg-type]
    if row is None:
        raise Http404(_("Activation introuvable."))
    return row


@never_cache
@require_GET
@cell_page
def emergency_list_page(request: HttpRequest) -> HttpResponse:
    commune_id = access.staff_commune(request.user)
    if commune_id is None or not access.may_read_emergency(request.user, commune_id):
        raise Http404(_("Aucune cellule d'urgence."))
    rows = activations_of(commune_id=commune_id)
    return render(request, "console/emergency_list.html", {"activations": rows})


def _context(request: HttpRequest, activation_id: int, *, pdf: bool) -> dict[str, object]:
    activation = _activation(request, activation_id)
    return {
        "activation": activation,
        "report": activation_report(activation),
        "pdf": pdf,
        "printed_by": str(request.user),
        "printed_at": timezone.now(),
    }


@never_cache
@require_GET
@cell_page
def emergency_report_page(request: HttpRequest, activation_id: int) -> HttpResponse:
    """The activation's log and report on screen (printable)."""
    return render(request, "console/emergency_report.html", _context(request, activation_id, pdf=False))


@never_cache
@require_GET
@cell_page
def emergency_report_pdf_view(request: HttpRequest, activation_id: int) -> HttpResponse:
    """The same report as a PDF (the same template), for the mayor's and the prosecutor's files."""
    html = render_to_string(
        "console/emergency_report.html", _context(request, activation_id, pdf=True), request=request
    )
    response = HttpResponse(incident_sheet_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="cellule-urgence-{activation_id}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
