"""Every websocket passes here: the Origin rule, then authentication.

- An Origin that is not ours is refused at the handshake (HTTP 403): the websocket's CSRF defence. Ours
  is the handshake's own origin (scheme, host and port: the Host header, whose name must be in
  ALLOWED_HOSTS, and https when the socket is wss or the proxy says so per SECURE_PROXY_SSL_HEADER), or
  one of CSRF_TRUSTED_ORIGINS exactly; `http://localhost` opens no socket of `https://localhost:8443`.
- A JWT access token in the `token` query parameter authenticates the socket (mobile clients send no
  Origin, which is then allowed).
- Otherwise the session cookie authenticates it, and only from an allowed Origin: without an Origin
  header the session is ignored and the socket is anonymous (consumers close it with 4401).
"""

from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host
from rest_framework.settings import api_settings
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

CLOSE_UNAUTHENTICATED = 4401


DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def origin_parse(url: str) -> Origin | None:
    """(scheme, host, port) of an http(s) origin, the port made explicit; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host.lower(), port or DEFAULT_PORTS[scheme]


def _secure(scope: dict[str, Any]) -> bool:
    if scope.get("scheme") == "wss":
        return True
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if not proxy:
        return False
    name, secure_value = proxy
    value = _header(scope, name.removeprefix("HTTP_").lower().replace("_", "-").encode())
    return value is not None and value.split(",")[0].strip() == secure_value


def handshake_origin(scope: dict[str, Any]) -> Origin | None:
    """The origin this socket is served at, from its Host header (a name of ALLOWED_HOSTS) and scheme."""
    domain, port = split_domain_port(_header(scope, b"host") or "")
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    scheme = "https" if _secure(scope) else "http"
    return scheme, domain.strip("[]"), int(port) if port else DEFAULT_PORTS[scheme]


def origin_allowed(origin: str, scope: dict[str, Any]) -> bool:
    parsed = origin_parse(origin)
    if parsed is None:
        return False
    if parsed == handshake_origin(scope):
        return True
    return parsed in {origin_parse(trusted) for trusted in settings.CSRF_TRUSTED_ORIGINS}


def _api_jwt_authentication() -> JWTAuthentication:
    """The API's JWT authentication class (the kernel's accounts plug in theirs, which also refuses the
    tokens of a revoked family), so that a socket accepts exactly the tokens the API accepts."""
    for authentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        if isinstance(authentication, type) and issubclass(authentication, JWTAuthentication):
            return authentication()
    return JWTAuthentication()


@database_sync_to_async
def user_from_access_token(raw: str) -> tuple[Any, dict[str, Any]]:
    """The token's user (anonymous when the token is bad) and its claims (whether it records the staff's
    second factor: backend/accounts/second_factor.py)."""
    auth = _api_jwt_authentication()
    try:
        validated = auth.get_validated_token(raw.encode())
        user = auth.get_user(validated)
    except (InvalidToken, TokenError, Exception):
        return AnonymousUser(), {}
    return (user, dict(validated.payload)) if user.is_active else (AnonymousUser(), {})


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin1"))
    return None


class WebsocketGuard:
    def __init__(self, application: Any) -> None:
        self.application = application
        self.with_session = AuthMiddlewareStack(application)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        origin = _header(scope, b"origin")
        if origin is not None and not origin_allowed(origin, scope):
            return await WebsocketDenier()(scope, receive, send)
        query = parse_qs(scope.get("query_string", b"").decode("latin1"))
        token = (query.get("token") or [None])[0]
        if token:
            user, claims = await user_from_access_token(token)
            return await self.application(
                {**scope, "user": user, "auth_method": "token", "token_claims": claims}, receive, send
            )
        if origin is None:
            return await self.application(
                {**scope, "user": AnonymousUser(), "auth_method": None}, receive, send
            )
        return await self.with_session({**scope, "auth_method": "session"}, receive, send)
