"""The accessibility statement (/accessibilite/, RGAA: loi 2005-102 art. 47, décret 2019-768) and the
legal notices (/mentions-legales/), both built from the settings, and the footer's conformity mention
(« Accessibilité : partiellement conforme ») that every page carries."""

from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from backend.territory.models import Commune

# ACCESSIBILITY_STATUS → the wording the RGAA prescribes.
STATUS_LABELS = {
    "none": gettext_lazy("non conforme"),
    "partial": gettext_lazy("partiellement conforme"),
    "full": gettext_lazy("totalement conforme"),
}

# What Vigie itself knows it does not meet, when the commune lists nothing of its own.
KNOWN_NON_CONFORMITIES = [
    gettext_lazy(
        "Les cartes des secteurs (console et application des référents) ne sont pas utilisables au "
        "clavier ni décrites en texte ; le secteur se choisit aussi dans une liste et l'adresse la plus "
        "proche est donnée en clair."
    ),
    gettext_lazy(
        "Aucun audit complet RGAA 4.1 n'a encore été réalisé : seuls des contrôles automatiques (axe-core) "
        "et des parcours au clavier sont vérifiés à chaque version."
    ),
]


def accessibility_status_label() -> str:
    return str(STATUS_LABELS[settings.ACCESSIBILITY_STATUS])


def legal_context(request: HttpRequest) -> dict[str, str]:
    """Template context processor: the footer's `{{ accessibility_status }}`."""
    return {"accessibility_status": accessibility_status_label()}


def _publisher() -> str:
    if settings.LEGAL_PUBLISHER:
        return str(settings.LEGAL_PUBLISHER)
    names = list(Commune.objects.order_by("name").values_list("name", flat=True))
    return ", ".join(_("Commune de %(name)s") % {"name": name} for name in names) or _("La commune")


def _audit_date() -> date | None:
    raw = settings.ACCESSIBILITY_AUDIT_DATE
    return date.fromisoformat(raw) if raw else None


@require_safe
def accessibility_page(request: HttpRequest) -> HttpResponse:
    contact = settings.ACCESSIBILITY_CONTACT
    return render(
        request,
        "legal/accessibility.html",
        {
            "publisher": _publisher(),
            "status": settings.ACCESSIBILITY_STATUS,
            "status_label": accessibility_status_label(),
            "audit_date": _audit_date(),
            "non_conformities": settings.ACCESSIBILITY_NON_CONFORMITIES or KNOWN_NON_CONFORMITIES,
            "contact": contact,
            "contact_is_email": "@" in contact and not contact.startswith(("http://", "https://")),
            "plan_url": settings.ACCESSIBILITY_PLAN_URL,
        },
    )


@require_safe
def legal_notice_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "legal/notice.html",
        {
            "publisher": _publisher(),
            "publisher_address": settings.LEGAL_PUBLISHER_ADDRESS,
            "director": settings.LEGAL_PUBLICATION_DIRECTOR,
            "host": settings.LEGAL_HOST,
            "host_address": settings.LEGAL_HOST_ADDRESS,
        },
    )
