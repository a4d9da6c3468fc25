"""The referents' web app (/app/): its pages, its manifest and its service worker.

The pages are public shells: they hold no data and decide nothing. Their scripts call the public API with
the referent's tokens, and the API answers every "who may" (alerts/access.py behind its doors); a signed-out
visitor is sent to /app/connexion/ by app.js after the API's 401.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

STATIC_DIR = Path(__file__).resolve().parent / "static" / "neighbours" / "app"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "neighbours" / "app"

# The app shell the service worker keeps for offline starts. Pages hold no personal data, so caching them
# is harmless; each screen's script asks the API (or its own offline store) for what it shows.
SHELL_PAGES = [
    "/app/",
    "/app/connexion/",
    "/app/charte/",
    "/app/jsi18n/",
    "/app/manifest.webmanifest",
    "/app/signalements/",
    "/app/messages/",
    "/app/preferences/",
    "/app/protocole/",
    "/app/deconnexion/",
]
SHELL_STATIC = [
    "vigie/base.css",
    "vigie/favicon.svg",
    "neighbours/app/app.css",
    "neighbours/app/app.js",
    "neighbours/app/report.js",
    "neighbours/app/signin.js",
    "neighbours/app/charter.js",
    "neighbours/app/screens.css",
    "neighbours/app/inbox-copy.js",
    "neighbours/app/messages.js",
    "neighbours/app/reports-mine.js",
    "neighbours/app/push.js",
    "neighbours/app/preferences.js",
    "neighbours/app/protocol.js",
    "neighbours/app/signout.js",
    "neighbours/app/icons/icon.svg",
    "neighbours/app/icons/icon-192.png",
    "console/vendor/leaflet/leaflet.css",
    "console/vendor/leaflet/leaflet.js",
]
THEME_COLOR = "#1f4e9c"


@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    """Home of the app: the report form."""
    context = {
        "page_title": _("Signaler"),
        # The console's tile server, when the town has one; without it the sectors' outlines are the map.
        "tile_url": settings.CONSOLE_TILE_URL,
        "tile_attribution": settings.CONSOLE_TILE_ATTRIBUTION,
    }
    return render(request, "neighbours/app/report.html", context)


@require_GET
def signin_page(request: HttpRequest) -> HttpResponse:
    return render(request, "neighbours/app/signin.html", {"page_title": _("Connexion")})


@require_GET
def charter_page(request: HttpRequest) -> HttpResponse:
    return render(request, "neighbours/app/charter.html", {"page_title": _("Charte du référent")})


@require_GET
def my_reports_page(request: HttpRequest) -> HttpResponse:
    return render(request, "neighbours/app/signalements.html", {"page_title": _("Mes signalements")})


@require_GET
def messages_page(request: HttpRequest) -> HttpResponse:
    return render(request, "neighbours/app/messages.html", {"page_title": _("Messages")})


@require_GET
def preferences_page(request: HttpRequest) -> HttpResponse:
    return render(request, "neighbours/app/preferences.html", {"page_title": _("Préférences")})


@require_GET
def protocol_page(request: HttpRequest) -> HttpResponse:
    return render(request, "neighbours/app/protocol.html", {"page_title": _("Protocole")})


@require_GET
def signout_page(request: HttpRequest) -> HttpResponse:
    return render(request, "neighbours/app/signout.html", {"page_title": _("Se déconnecter")})


@require_GET
@cache_control(max_age=3600)
def manifest_view(request: HttpRequest) -> JsonResponse:
    """The web app manifest: what makes the app installable on a phone's home screen."""
    manifest = {
        "name": "Vigie",
        "short_name": "Vigie",
        "description": _("Signaler à la mairie, recevoir les alertes de votre secteur."),
        "lang": "fr",
        "dir": "ltr",
        "id": "/app/",
        "start_url": "/app/",
        "scope": "/app/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f7f9",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static("neighbours/app/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("neighbours/app/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("neighbours/app/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("neighbours/app/icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@cache
def shell_version() -> str:
    """Changes whenever a file of the shell changes, so that phones drop the old shell for the new one."""
    digest = hashlib.sha256(settings.STATIC_URL.encode())
    # The app's own files, and the shared ones it keeps (the site's stylesheet, Leaflet).
    shared = [Path(found) for name in SHELL_STATIC if isinstance(found := finders.find(name), str)]
    for path in sorted({*STATIC_DIR.rglob("*"), *TEMPLATE_DIR.rglob("*"), *shared}):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _script(body: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    # Browsers check a service worker for updates at each start; never let a cache hold an old one.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def service_worker_view(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /app/ so that its scope is the app (not the whole site)."""
    body = render(
        request,
        "neighbours/app/sw.js",
        {
            "version": shell_version(),
            "shell": json.dumps([*SHELL_PAGES, *(static(name) for name in SHELL_STATIC)]),
        },
        content_type="application/javascript",
    ).content.decode()
    response = _script(body)
    response["Service-Worker-Allowed"] = "/app/"
    return response


@require_GET
def service_worker_push_view(request: HttpRequest) -> HttpResponse:
    """The service worker's push handlers, which sw.js imports (a script imported by a worker is fetched
    from the worker's own origin and path, hence served here rather than under /static/)."""
    return _script((STATIC_DIR / "sw-push.js").read_text(encoding="utf-8"))
