"""The console page (/console/), the photos it shows and the incident sheets it prints: staff signed in with
password + TOTP only."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alerts import access
from alerts.console.selectors import console_photo
from alerts.console.sheet import IncidentSheet, incident_sheet, incident_sheet_pdf
from alerts.models import ObservationRead
from alerts.read_log import observation_reads_record
from alerts.registry import staff_links
from backend.accounts.second_factor import request_has_second_factor
from backend.audit.services import client_ip

View = Callable[..., HttpResponseBase]
StrOrPromise = str | Promise


def _links(request: HttpRequest) -> list[tuple[str, str]]:
    """(label, URL) of the upper apps' pages this user may open (registry.staff_links)."""
    return [(str(link.label), reverse(link.url_name)) for link in staff_links(request.user)]  # type: ignore[arg-type]


def staff_page(allowed: Callable[[Any], bool], refusal: StrOrPromise) -> Callable[[View], View]:
    """Signed in with the second factor (password + TOTP), and `allowed` by the access policy; else the
    staff login page, or `refusal` (403) for a role the page is not for."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated or not request_has_second_factor(request):
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                return HttpResponseForbidden(refusal)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_verified = staff_page(
    access.console_allowed, gettext_lazy("Votre rôle ne donne pas accès à la console.")
)


@never_cache  # its links depend on who is signed in
@require_GET
def home_page(request: HttpRequest) -> HttpResponse:
    """The site's home; signed-in staff also find their way to the console (and admins to their home)."""
    cleared = access.cleared(request)
    return render(
        request,
        "home.html",
        {
            "console_link": cleared and access.console_allowed(request.user),
            "staff_home_link": cleared and access.staff_home_allowed(request.user),
            # Moderators and operators who sit at a watch cell meeting land in the console: their way there.
            "watch_cell_link": cleared and access.watch_cell_linked(request.user),
        },
    )


@never_cache
@require_GET
@staff_page(
    access.staff_home_allowed,
    gettext_lazy("Cette page est réservée aux administrateurs et aux instances de la commune."),
)
def staff_home(request: HttpRequest) -> HttpResponse:
    """Where commune admins, officials and superusers land after signing in: links to the pages their
    role opens (officials never get the console's nor the admin's)."""
    user = request.user
    commune_id = access.staff_commune(user)
    return render(
        request,
        "console/staff_home.html",
        {
            "admin_links": access.console_allowed(user) and access.staff_home_allowed(user),
            "watch_cell_link": access.watch_cell_linked(user),
            **access.video_links(user),
            "app_links": _links(request),
            "emergency_link": commune_id is not None and access.may_read_emergency(user, commune_id),
            "statistics_link": access.statistics_allowed(user),
            "privacy_link": access.privacy_office_allowed(user),
        },
    )


@never_cache
@require_GET
@staff_verified
def console_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/console.html",
        {
            "heartbeat_seconds": settings.CONSOLE_HEARTBEAT_SECONDS,
            "tile_url": settings.CONSOLE_TILE_URL,
            "tile_attribution": settings.CONSOLE_TILE_ATTRIBUTION,
            "app_links": _links(request),
        },
    )


@never_cache
@require_GET
@staff_verified
def console_photo_view(request: HttpRequest, photo_id: int) -> HttpResponseBase:
    """Streams a photo (stored outside any public folder) after checking this console may see it."""
    found = console_photo(user=request.user, photo_id=photo_id)  # type: ignore[arg-type]
    if found is None:
        raise Http404(_("Photo introuvable."))
    photo, view = found
    observation_reads_record(
        actor=request.user,
        observations=[photo.observation],
        door=ObservationRead.Door.PHOTO,
        view=view,
        ip=client_ip(request),
    )
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type or "image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _sheet(request: HttpRequest, dispatch_id: int) -> IncidentSheet:
    """The sheet of a dispatch this console may see (else 404); printing it is a read of the observation."""
    sheet = incident_sheet(user=request.user, dispatch_id=dispatch_id)  # type: ignore[arg-type]
    if sheet is None:
        raise Http404(_("Transmission introuvable."))
    observation_reads_record(
        actor=request.user,
        observations=[sheet.observation],
        door=ObservationRead.Door.SHEET,
        view=access.View.POLICE,
        ip=client_ip(request),
    )
    return sheet


@never_cache
@require_GET
@staff_verified
def incident_sheet_page(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    """The incident sheet to print from the browser (A4 print CSS, no console chrome)."""
    return render(request, "console/fiche.html", {"sheet": _sheet(request, dispatch_id), "pdf": False})


@never_cache
@require_GET
@staff_verified
def incident_sheet_pdf_view(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    """The same sheet as a PDF (the same template), for the patrol and the police logbook."""
    sheet = _sheet(request, dispatch_id)
    html = render_to_string("console/fiche.html", {"sheet": sheet, "pdf": True}, request=request)
    response = HttpResponse(incident_sheet_pdf(html), content_type="application/pdf")
    filename = f"fiche-{sheet.observation.reference}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
