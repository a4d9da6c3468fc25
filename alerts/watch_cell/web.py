"""The watch cell's pages under /cellule-de-veille/: server-rendered forms, no script. Signed in with the
second factor; who may open what is the access policy's answer (alerts/access.py)."""

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alerts import access
from alerts.console.web import staff_page
from alerts.watch_cell import services
from alerts.watch_cell.forms import (
    ActionForm,
    ActionStatusForm,
    MeetingCreateForm,
    MeetingForm,
    RosterMemberForm,
)
from alerts.watch_cell.models import Meeting, RosterMember
from alerts.watch_cell.pack import meeting_pack, pack_pdf
from alerts.watch_cell.selectors import meeting_actions
from backend.accounts.models import User
from backend.audit.services import client_ip
from backend.core.errors import ApplicationError

watch_cell_page = staff_page(
    access.watch_cell_allowed,
    gettext_lazy("La cellule de veille est réservée aux agents et aux instances de la commune."),
)


def _user(request: HttpRequest) -> User:
    """The signed-in account (the pages' decorator let only such a request through)."""
    return cast(User, request.user)


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    """A meeting this user may open: else 404 (another commune's, or none), 403 (not on its roster)."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    refusal = access.meeting_refusal(request.user, meeting) if meeting is not None else 404
    if meeting is None or refusal == 404:
        raise Http404(_("Réunion introuvable."))
    if refusal == 403:
        raise PermissionDenied(
            _("Seuls les membres de cette cellule de veille peuvent ouvrir cette réunion.")
        )
    return meeting


@never_cache
@require_http_methods(["GET", "POST"])
@watch_cell_page
def meetings_page(request: HttpRequest) -> HttpResponse:
    """The meetings this user may open; convenors create one here."""
    convenor = access.watch_cell_commune(request.user) is not None
    form = MeetingCreateForm(request.POST or None) if convenor else None
    if request.method == "POST":
        if form is None:
            return HttpResponseForbidden(
                _("Seuls l'administrateur de la commune et le coordinateur CLSPD convoquent la cellule.")
            )
        if form.is_valid():
            meeting = services.meeting_create(actor=_user(request), **form.cleaned_data)
            messages.success(request, _("Réunion créée : composez sa liste de membres."))
            return redirect("watch-cell-meeting", meeting_id=meeting.pk)
    meetings = access.meetings_visible(request.user).order_by("-held_on", "-id")
    return render(request, "watch_cell/meetings.html", {"meetings": meetings, "form": form})


def _meeting_page(request: HttpRequest, meeting: Meeting, **forms: Any) -> HttpResponse:
    convenor = access.may_convene(request.user, meeting)
    context: dict[str, Any] = {
        "meeting": meeting,
        "convenor": convenor,
        "roster": meeting.roster.select_related("user"),
        "actions": meeting_actions(meeting),
        "status_form": ActionStatusForm(),
        "action_form": ActionForm(meeting=meeting),
    }
    if convenor:
        context["meeting_form"] = MeetingForm(instance=meeting)
        context["member_form"] = RosterMemberForm(actor=_user(request), meeting=meeting)
    context.update(forms)
    return render(request, "watch_cell/meeting.html", context, status=400 if forms else 200)


@never_cache
@require_GET
@watch_cell_page
def meeting_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _meeting_page(request, _meeting(request, meeting_id))


def _convened(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = _meeting(request, meeting_id)
    if not access.may_convene(request.user, meeting):
        raise PermissionDenied(
            _("Seuls l'administrateur de la commune et le coordinateur CLSPD peuvent faire cela.")
        )
    return meeting


@require_POST
@watch_cell_page
def meeting_change(request: HttpRequest, meeting_id: int) -> HttpResponseBase:
    meeting = _convened(request, meeting_id)
    form = MeetingForm(request.POST, instance=Meeting.objects.get(pk=meeting.pk))
    if not form.is_valid():
        return _meeting_page(request, meeting, meeting_form=form)
    services.meeting_update(meeting=meeting, actor=_user(request), **form.cleaned_data)
    messages.success(request, _("Réunion enregistrée."))
    return redirect("watch-cell-meeting", meeting_id=meeting.pk)


@require_POST
@watch_cell_page
def roster_add(request: HttpRequest, meeting_id: int) -> HttpResponseBase:
    meeting = _convened(request, meeting_id)
    form = RosterMemberForm(request.POST, actor=_user(request), meeting=meeting)
    if form.is_valid():
        try:
            services.roster_member_add(meeting=meeting, actor=_user(request), **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
    if form.errors:
        return _meeting_page(request, meeting, member_form=form)
    messages.success(request, _("Membre ajouté."))
    return redirect("watch-cell-meeting", meeting_id=meeting.pk)


@require_POST
@watch_cell_page
def roster_remove(request: HttpRequest, meeting_id: int, member_id: int) -> HttpResponseBase:
    meeting = _convened(request, meeting_id)
    member = RosterMember.objects.filter(pk=member_id, meeting=meeting).first()
    if member is None:
        raise Http404(_("Membre introuvable."))
    services.roster_member_remove(member=member, actor=_user(request))
    messages.success(request, _("Membre retiré."))
    return redirect("watch-cell-meeting", meeting_id=meeting.pk)


@require_POST
@watch_cell_page
def action_add(request: HttpRequest, meeting_id: int) -> HttpResponseBase:
    meeting = _meeting(request, meeting_id)
    form = ActionForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.action_create(meeting=meeting, actor=_user(request), **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
    if form.errors:
        return _meeting_page(request, meeting, action_form=form)
    messages.success(request, _("Action ajoutée."))
    return redirect("watch-cell-meeting", meeting_id=meeting.pk)


@require_POST
@watch_cell_page
def action_status(request: HttpRequest, meeting_id: int, action_id: int) -> HttpResponseBase:
    meeting = _meeting(request, meeting_id)
    action = meeting_actions(meeting).filter(pk=action_id).first()
    if action is None:
        raise Http404(_("Action introuvable."))
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        return _meeting_page(request, meeting, status_form=form)
    services.action_status_set(
        action=action,
        meeting=meeting,
        actor=_user(request),
        status=form.cleaned_data["status"],
    )
    messages.success(request, _("Action mise à jour."))
    return redirect("watch-cell-meeting", meeting_id=meeting.pk)


def _pack_context(request: HttpRequest, meeting: Meeting, *, fmt: str) -> dict[str, Any]:
    """The pack, after logging its download (every opening of the pack is one)."""
    services.pack_download_record(meeting=meeting, actor=_user(request), format=fmt, ip=client_ip(request))
    return {"pack": meeting_pack(meeting=meeting, downloaded_by=str(request.user))}


@never_cache
@require_GET
@watch_cell_page
def pack_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    return render(request, "watch_cell/pack_page.html", _pack_context(request, meeting, fmt="html"))


@never_cache
@require_GET
@watch_cell_page
def pack_pdf_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    html = render_to_string(
        "watch_cell/pack_document.html", _pack_context(request, meeting, fmt="pdf"), request=request
    )
    response = HttpResponse(pack_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="cellule-de-veille-{meeting.held_on:%Y-%m-%d}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
