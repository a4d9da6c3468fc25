"""Staff sign-in for the web pages: phone + password + TOTP; lockout by django-axes."""

from typing import Any

from django.contrib.auth import login, logout, user_logged_in
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from backend.accounts.forms import StaffLoginForm
from backend.accounts.staff_auth import StaffLocked, lockout_message, staff_authenticate
from backend.audit.services import audit_record, client_ip
from backend.core.access import access_policy
from backend.core.errors import ApplicationError

__all__ = ["lockout_response", "login_view", "logout_view", "user_logged_in"]


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes' answer to a locked account: a page, or the API's error shape under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message(), "errors": {}}, status=429)
    return render(request, "accounts/locked.html", {"message": lockout_message()}, status=429)


def _safe_next(request: HttpRequest) -> str:
    """The `next` asked for when it stays on this site, else "" (unsafe or none)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, device = staff_authenticate(
                request=request,
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password"],
                totp=form.cleaned_data["otp_token"],
            )
        except StaffLocked:
            return lockout_response(request)
        except ApplicationError as exc:
            form.add_error("phone" if exc.field == "phone" else None, exc.message)
        else:
            login(request, user)
            otp_login(request, device)
            audit_record(actor=user, action="auth.login_staff", target=user, ip=client_ip(request))
            # Without a safe `next`, where the access policy sends this role (console or staff home).
            return HttpResponseRedirect(_safe_next(request) or resolve_url(access_policy().landing(user)))
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)})


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect("/")
