from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from backend.core.access import access_policy


class VigieAdminSite(admin.AdminSite):
    """The admin asks for the staff login (password + TOTP); who gets in is the access policy's answer."""

    site_header = _("Vigie — administration")
    site_title = _("Vigie")
    index_title = _("Administration de la commune")

    def has_permission(self, request: HttpRequest) -> bool:
        return access_policy().admin_site_allows(request)

    def login(self, request: HttpRequest, extra_context: dict[str, object] | None = None) -> HttpResponse:
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


class VigieAdminConfig(AdminConfig):
    default_site = "backend.core.admin_site.VigieAdminSite"
