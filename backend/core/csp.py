"""Content-Security-Policy on every HTML page (console, admin, staff login, commerces pages, API docs).

Scripts come from Vigie's own origin only; an inline script needs the request's nonce
(`<script nonce="{{ request.csp_nonce }}">`, added to the policy only when a page uses it), so injected
markup runs nothing. Styles may be inline (the admin's and Swagger UI's), which lets no script run.
The console's websocket is allowed explicitly (`'self'` does not cover ws:/wss: in every browser), and the
console's map tiles when CONSOLE_TILE_URL names a server. The referents' web app (/app/) also shows the
photos being attached before they are sent (blob: URLs of the chosen files); its worker and manifest are
its own origin's, which `default-src 'self'` already allows.
"""

import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


class CspNonce:
    """The request's nonce, made the first time a template prints it."""

    def __init__(self) -> None:
        self.value = ""

    def __str__(self) -> str:
        if not self.value:
            self.value = secrets.token_urlsafe(18)
        return self.value


def tile_origin() -> str:
    parts = urlsplit(settings.CONSOLE_TILE_URL or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def policy(request: HttpRequest, nonce: str = "") -> str:
    try:
        host = request.get_host()
    except DisallowedHost:
        host = ""
    sockets = f" {'wss' if request.is_secure() else 'ws'}://{host}" if host else ""
    tiles = f" {tile_origin()}" if tile_origin() else ""
    scripts = f" 'nonce-{nonce}'" if nonce else ""
    previews = " blob:" if request.path.startswith("/app/") else ""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self'{scripts}",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data:{previews}{tiles}",
            f"connect-src 'self'{sockets}",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = CspNonce()
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if HEADER not in response and response.get("Content-Type", "").startswith("text/html"):
            response[HEADER] = policy(request, nonce.value)
        return response
