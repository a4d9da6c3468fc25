"""The holiday watch's pages under /tranquillite-vacances/: plain HTML forms, no JavaScript, CSRF-protected.

Residents need no account: they prove their mobile with an SMS code (the accounts' OTP rules and limits),
then ask for a watch, or cancel or shorten theirs. The patrols (police municipale, commune admin; password +
TOTP) get the daily list by sector, printable, and a pass log per home made for a phone.
"""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from alerts import access
from alerts.console.web import staff_page
from backend.accounts.forms import SmsCodeForm, SmsPhoneForm, sms_code_send, sms_code_verify
from backend.accounts.models import PhoneCode
from backend.accounts.otp import phone_from_verification_token
from backend.audit.services import client_ip
from backend.core.errors import ApplicationError
from backend.territory.models import Commune
from neighbours.holiday_watch import selectors, services
from neighbours.holiday_watch.forms import PassForm, RequestForm, ShortenForm
from neighbours.holiday_watch.models import ANOMALY_CATEGORIES, WatchRequest

PHONE = "holiday_watch.phone"
TOKEN = "holiday_watch.token"  # noqa: S105  (a session key, not a secret)
# Where the code page leads once the phone is proved.
NEXT_STEPS = {"demande": "holiday-watch:request", "mes-demandes": "holiday-watch:mine"}


def _accessible(form: forms.Form) -> forms.Form:
    """Ties each input to its help text and error message (aria-describedby, aria-invalid)."""
    for name, field in form.fields.items():
        bound = form[name]
        described = [f"{bound.auto_id}_helptext"] if field.help_text else []
        if form.is_bound and name in form.errors:
            described.append(f"{bound.auto_id}_error")
            field.widget.attrs["aria-invalid"] = "true"
        if described:
            field.widget.attrs["aria-describedby"] = " ".join(described)
    return form


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    bound_errors = False
    for value in context.values():
        if isinstance(value, forms.Form):
            _accessible(value)
            bound_errors = bound_errors or (value.is_bound and bool(value.errors))
    return render(request, template, context, status=400 if bound_errors else 200)


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _add_error(form: forms.Form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _proved_phone(request: HttpRequest) -> str | None:
    try:
        return phone_from_verification_token(request.session.get(TOKEN) or "")
    except ApplicationError:
        return None


def _prove_first(step: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('holiday-watch:start')}?{urlencode({'suite': step})}")


# --- residents ----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """What the service is, the notice, the national service's link; the phone to prove."""
    step = request.POST.get("suite") or request.GET.get("suite") or "demande"
    step = step if step in NEXT_STEPS else "demande"
    form = SmsPhoneForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        phone = sms_code_send(form, purpose=PhoneCode.Purpose.VERIFY, ip=client_ip(request))
        if phone is not None:
            request.session[PHONE] = phone
            messages.info(request, _("Un code vient d'être envoyé par SMS à ce numéro."))
            return HttpResponseRedirect(f"{reverse('holiday-watch:code')}?{urlencode({'suite': step})}")
    context = {
        "form": form,
        "step": step,
        "notice_hours": settings.HOLIDAY_WATCH_MIN_NOTICE_HOURS,
        "earliest": selectors.earliest_start(),
        "national_url": settings.HOLIDAY_WATCH_NATIONAL_URL,
    }
    return _page(request, "holiday_watch/start.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    step = request.POST.get("suite") or request.GET.get("suite") or "demande"
    step = step if step in NEXT_STEPS else "demande"
    phone = request.session.get(PHONE)
    if not phone:
        return _prove_first(step)
    form = SmsCodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        token = sms_code_verify(form, phone=phone)
        if token is not None:
            request.session[TOKEN] = token
            return HttpResponseRedirect(reverse(NEXT_STEPS[step]))
    return _page(request, "holiday_watch/code.html", {"form": form, "phone": phone, "step": step})


@never_cache
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    phone = _proved_phone(request)
    if phone is None:
        return _prove_first("demande")
    earliest = selectors.earliest_start()
    initial: dict[str, Any] = {"start": earliest, "end": earliest}
    if Commune.objects.count() == 1:
        initial["commune"] = Commune.objects.first()
    form = RequestForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.watch_request_create(
                phone=phone, channel=WatchRequest.Channel.WEB, ip=client_ip(request), **data
            )
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            return _page(request, "holiday_watch/done.html", {"watch": created})
    return _page(request, "holiday_watch/request.html", {"form": form, "phone": phone, "earliest": earliest})


@never_cache
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """The proved phone's requests still to come or running: cancel, or shorten (an earlier return)."""
    phone = _proved_phone(request)
    if phone is None:
        return _prove_first("mes-demandes")
    rows = selectors.requests_of_phone(phone=phone)
    shorten = ShortenForm(prefix="raccourcir")
    if request.method == "POST":
        found = rows.filter(pk=request.POST.get("demande") or 0).first()
        if found is None:
            raise Http404(_("Demande introuvable."))
        try:
            if request.POST.get("action") == "annuler":
                services.watch_request_cancel(request=found, ip=client_ip(request))
                messages.success(request, _("Votre demande est annulée."))
                return HttpResponseRedirect(reverse("holiday-watch:mine"))
            shorten = ShortenForm(request.POST, prefix="raccourcir")
            if shorten.is_valid():
                services.watch_request_shorten(
                    request=found, end=shorten.cleaned_data["end"], ip=client_ip(request)
                )
                messages.success(request, _("Votre date de retour est changée."))
                return HttpResponseRedirect(reverse("holiday-watch:mine"))
        except ApplicationError as exc:
            shorten.add_error("end" if exc.field == "end" else None, exc.message)
    return _page(request, "holiday_watch/mine.html", {"rows": rows, "shorten": shorten, "phone": phone})


# --- patrols ------------------------------------------------------------------------------------

patrol_page = staff_page(
    lambda user: bool(access.patrol_communes(user)),
    gettext_lazy("Cette page est réservée à la police municipale de la commune."),
)


def _day(request: HttpRequest) -> date:
    return parse_date(request.GET.get("jour") or "") or timezone.localdate()


@never_cache
@require_http_methods(["GET"])
@patrol_page
def patrol(request: HttpRequest) -> HttpResponse:
    """The day's homes to pass by, by sector: printable (print CSS), one link per home to its pass log."""
    communes = list(Commune.objects.filter(pk__in=access.patrol_communes(request.user)))
    chosen = next((c for c in communes if str(c.pk) == request.GET.get("commune")), communes[0])
    day = _day(request)
    groups = selectors.daily_list(user=request.user, commune_id=chosen.pk, day=day)  # type: ignore[arg-type]
    context = {"communes": communes, "commune": chosen, "day": day, "groups": groups}
    return render(request, "holiday_watch/patrol.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@patrol_page
def pass_log(request: HttpRequest, request_id: int) -> HttpResponse:
    """A home's card and its passes; the form a patrol fills in front of it: « RAS » or an anomaly."""
    watch = selectors.request_for_patrol(user=request.user, request_id=request_id)  # type: ignore[arg-type]
    if watch is None:
        raise Http404(_("Demande introuvable."))
    labels = selectors.anomaly_category_labels()
    form = PassForm(_posted(request), request.FILES or None, category_labels=labels)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = services.patrol_pass_record(
                request=watch,
                officer=request.user,  # type: ignore[arg-type]
                outcome=data["outcome"],
                note=data["note"],
                category=data["category"] or ANOMALY_CATEGORIES[0],
                photos=data["photos"] or (),
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            if done.observation is not None:
                messages.success(
                    request,
                    _(
                        "Anomalie enregistrée : signalement %(ref)s transmis, le demandeur est prévenu par SMS."
                    )
                    % {"ref": done.observation.reference},
                )
            else:
                messages.success(request, _("Passage enregistré : RAS."))
            return HttpResponseRedirect(reverse("holiday-watch:pass", args=[watch.pk]))
    context = {"watch": watch, "passes": selectors.passes_of(request=watch), "form": form}
    return _page(request, "holiday_watch/pass.html", context)
