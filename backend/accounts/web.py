"""Staff sign-in for the web pages: phone + password + TOTP; lockout by django-axes."""

from typing import Any

from django.contrib.auth import authenticate, login, logout, user_logged_in, user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token

from backend.accounts.forms import StaffLoginForm
from backend.accounts.phone import normalize_phone
from backend.audit.services import audit_record, client_ip
from backend.core.errors import ApplicationError

__all__ = ["lockout_response", "login_view", "logout_view", "user_logged_in"]


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return render(
        request,
        "accounts/locked.html",
        {"message": _("Trop d'échecs de connexion : compte bloqué pendant 15 minutes.")},
        status=429,
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            phone = normalize_phone(form.cleaned_data["phone"])
        except ApplicationError as exc:
            form.add_error("phone", exc.message)
        else:
            credentials = {"phone": phone, "password": form.cleaned_data["password"]}
            user = authenticate(request, **credentials)
            if isinstance(user, HttpResponse):  # axes lockout
                return user
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            device = match_token(user, form.cleaned_data["otp_token"]) if user is not None else None
            if user is None or not user.is_staff or device is None:
                if user is not None:
                    # A right password with a wrong second factor counts as a failure too.
                    user_login_failed.send(sender=__name__, credentials={"phone": phone}, request=request)
                    if getattr(request, "axes_locked_out", False):
                        return lockout_response(request)
                form.add_error(None, _("Identifiants ou code incorrects."))
            else:
                login(request, user)
                otp_login(request, device)
                audit_record(actor=user, action="auth.login_staff", target=user, ip=client_ip(request))
                return HttpResponseRedirect(_safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)})


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect("/")
