from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from backend.accounts.second_factor import request_has_second_factor
from backend.core.access import access_policy


class VigieAdminSite(admin.AdminSite):
    """The admin asks for the staff login (password + TOTP); who gets in is the access policy's answer."""

    site_header = _("Vigie — administration")
    site_title = _("Vigie")
    index_title = _("Administration de la commune")

    def has_permission(self, request: HttpRequest) -> bool:
        return access_policy().admin_site_allows(request)

    def login(self, request: HttpRequest, extra_context: dict[str, object] | None = None) -> HttpResponse:
        if request_has_second_factor(request) and getattr(request.user, "is_staff", False):
            # Signed in properly, but the policy keeps this role out (operators work in the console):
            # say so, instead of sending them back to a login that would only loop.
            message = _("Votre rôle ne donne pas accès à l'administration : votre outil est la console.")
            return render(request, "accounts/refused.html", {"message": message}, status=403)
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


class VigieAdminConfig(AdminConfig):
    default_site = "backend.core.admin_site.VigieAdminSite"
