"""The shopkeepers' web form under /commerces/: plain HTML forms, no JavaScript, CSRF-protected.

Shopkeepers sign in with their phone and a code sent by SMS (the accounts' OTP rules) and get a session.
An applicant proves their phone the same way before their application is recorded.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from alerts.services import observation_submit
from backend.accounts.forms import SmsCodeForm, sms_code_send, sms_code_verify
from backend.accounts.models import PhoneCode, Role
from backend.accounts.otp import (
    login_with_code,
    phone_from_verification_token,
)
from backend.audit.services import client_ip
from backend.core.errors import ApplicationError
from commerces.forms import ApplicationForm, OptInForm, PhoneForm, ReportForm
from commerces.models import Shopkeeper
from commerces.selectors import observations_of, shopkeeper_of
from commerces.services import shop_application_submit, shopkeeper_set_sms_opt_in

LOGIN_PHONE = "commerces.login_phone"
APPLY_PHONE = "commerces.apply_phone"
APPLY_TOKEN = "commerces.apply_token"  # noqa: S105  (a session key, not a secret)
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Form fields of observation_submit's errors → fields of the report form.
REPORT_FIELDS = {
    "photos": "photo",
    "category": "category",
    "description": "description",
    "occurred_at": "occurred_at",
    "place": "place",
}

View = Callable[..., HttpResponse]


def _accessible(form: forms.Form) -> forms.Form:
    """Ties each input to its help text and error message (aria-describedby, aria-invalid)."""
    for name, field in form.fields.items():
        bound = form[name]
        described = []
        if field.help_text:
            described.append(f"{bound.auto_id}_helptext")
        if form.is_bound and name in form.errors:
            described.append(f"{bound.auto_id}_error")
            field.widget.attrs["aria-invalid"] = "true"
        if described:
            field.widget.attrs["aria-describedby"] = " ".join(described)
    return form


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    for value in context.values():
        if isinstance(value, forms.Form):
            _accessible(value)
    return render(request, template, context, status=status if not _has_errors(context) else 400)


def _has_errors(context: dict[str, Any]) -> bool:
    return any(
        isinstance(value, forms.Form) and value.is_bound and value.errors for value in context.values()
    )


def _add_error(form: forms.Form, exc: ApplicationError, mapping: dict[str, str] | None = None) -> None:
    field = (mapping or {}).get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _posted(request: HttpRequest) -> Any:
    """The POST data of a POST (even empty: an unticked checkbox sends nothing), else None."""
    return request.POST if request.method == "POST" else None


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def shopkeeper_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(user, "role", None) == Role.SHOPKEEPER and user.is_active:
            shopkeeper = shopkeeper_of(user)
            if shopkeeper is not None:
                return view(request, shopkeeper, *args, **kwargs)
        login_url = reverse("commerces:login")
        return HttpResponseRedirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")

    return wrapper


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    shopkeeper = (
        shopkeeper_of(user)
        if user.is_authenticated and getattr(user, "role", None) == Role.SHOPKEEPER
        else None
    )
    return _page(request, "commerces/home.html", {"shopkeeper": shopkeeper})


# --- sign in ------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def login_phone(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(_posted(request))
    next_url = _safe_next(request, reverse("commerces:home"))
    if request.method == "POST" and form.is_valid():
        phone = sms_code_send(form, purpose=PhoneCode.Purpose.LOGIN, ip=client_ip(request))
        if phone is not None:
            request.session[LOGIN_PHONE] = phone
            messages.info(request, _("Si ce numéro est inscrit, un code vient de lui être envoyé par SMS."))
            return HttpResponseRedirect(f"{reverse('commerces:login-code')}?{urlencode({'next': next_url})}")
    return _page(request, "commerces/login_phone.html", {"form": form, "next": next_url})


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    phone = request.session.get(LOGIN_PHONE)
    if not phone:
        return HttpResponseRedirect(reverse("commerces:login"))
    form = SmsCodeForm(_posted(request))
    next_url = _safe_next(request, reverse("commerces:home"))
    if request.method == "POST" and form.is_valid():
        try:
            user = login_with_code(phone=phone, code=form.cleaned_data["code"], ip=client_ip(request))
            if user.role != Role.SHOPKEEPER or shopkeeper_of(user) is None:
                raise ApplicationError(_("Ce formulaire est réservé aux commerçants inscrits."), field="code")
        except ApplicationError as exc:
            form.add_error("code", exc.message)
        else:
            login(request, user, backend=SESSION_BACKEND)
            return HttpResponseRedirect(next_url)
    return _page(request, "commerces/login_code.html", {"form": form, "phone": phone, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("commerces:home"))


# --- shopkeeper pages ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@shopkeeper_required
def report(request: HttpRequest, shopkeeper: Shopkeeper) -> HttpResponse:
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = ReportForm(
        _posted(request), request.FILES if request.method == "POST" else None, initial={"occurred_at": now}
    )
    if request.method == "POST" and form.is_valid():
        photo = form.cleaned_data.get("photo")
        try:
            observation = observation_submit(
                author=shopkeeper.user,
                channel="web",
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                occurred_at=form.cleaned_data["occurred_at"],
                sector=shopkeeper.shop.sector,
                in_progress=form.cleaned_data["in_progress"],
                place=form.cleaned_data["place"],
                photos=[photo] if photo else (),
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            _add_error(form, exc, REPORT_FIELDS)
        else:
            messages.success(
                request,
                _("Signalement %(reference)s enregistré, merci. Il sera examiné par un modérateur.")
                % {"reference": observation.reference},
            )
            return HttpResponseRedirect(reverse("commerces:reports"))
    return _page(request, "commerces/report.html", {"form": form, "shopkeeper": shopkeeper})


@never_cache
@shopkeeper_required
def reports(request: HttpRequest, shopkeeper: Shopkeeper) -> HttpResponse:
    page = Paginator(observations_of(user=shopkeeper.user), 20).get_page(request.GET.get("page"))
    return _page(request, "commerces/reports.html", {"page": page, "shopkeeper": shopkeeper})


@never_cache
@require_http_methods(["GET", "POST"])
@shopkeeper_required
def my_shop(request: HttpRequest, shopkeeper: Shopkeeper) -> HttpResponse:
    form = OptInForm(_posted(request), initial={"sms_opt_in": shopkeeper.sms_opt_in})
    if request.method == "POST" and form.is_valid():
        shopkeeper_set_sms_opt_in(
            shopkeeper=shopkeeper, opt_in=form.cleaned_data["sms_opt_in"], actor=shopkeeper.user, via="web"
        )
        messages.success(
            request,
            _("Vous recevrez les alertes commerces par SMS.")
            if form.cleaned_data["sms_opt_in"]
            else _("Vous ne recevrez plus les alertes commerces par SMS."),
        )
        return HttpResponseRedirect(reverse("commerces:my-shop"))
    return _page(request, "commerces/my_shop.html", {"form": form, "shopkeeper": shopkeeper})


# --- application ("inscrire mon commerce") ------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def apply_phone(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        phone = sms_code_send(form, purpose=PhoneCode.Purpose.VERIFY, ip=client_ip(request))
        if phone is not None:
            request.session[APPLY_PHONE] = phone
            messages.info(request, _("Un code vient d'être envoyé par SMS à ce numéro."))
            return HttpResponseRedirect(reverse("commerces:apply-code"))
    return _page(request, "commerces/apply_phone.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def apply_code(request: HttpRequest) -> HttpResponse:
    phone = request.session.get(APPLY_PHONE)
    if not phone:
        return HttpResponseRedirect(reverse("commerces:apply"))
    form = SmsCodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        token = sms_code_verify(form, phone=phone)
        if token is not None:
            request.session[APPLY_TOKEN] = token
            return HttpResponseRedirect(reverse("commerces:apply-shop"))
    return _page(request, "commerces/login_code.html", {"form": form, "phone": phone, "apply": True})


@never_cache
@require_http_methods(["GET", "POST"])
def apply_shop(request: HttpRequest) -> HttpResponse:
    token = request.session.get(APPLY_TOKEN)
    try:
        phone = phone_from_verification_token(token or "")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("commerces:apply"))
    form = ApplicationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shop_application_submit(
                commune=data["commune"],
                phone=phone,
                shop_name=data["shop_name"],
                trade=data["trade"],
                siret=data["siret"],
                address=data["address"],
                contact_name=data["contact_name"],
                sector=data["sector"],
            )
        except ApplicationError as exc:
            _add_error(form, exc, {"name": "shop_name"})
        else:
            request.session.pop(APPLY_TOKEN, None)
            return _page(request, "commerces/apply_done.html", {})
    return _page(request, "commerces/apply_shop.html", {"form": form, "phone": phone})
