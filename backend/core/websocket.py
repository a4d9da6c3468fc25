"""Every websocket passes here: the Origin rule, then authentication.

- An Origin that is not ours is refused at the handshake (HTTP 403): the websocket's CSRF defence.
- A JWT access token in the `token` query parameter authenticates the socket (mobile clients send no
  Origin, which is then allowed).
- Otherwise the session cookie authenticates it, and only from an allowed Origin: without an Origin
  header the session is ignored and the socket is anonymous (consumers close it with 4401).
"""

from typing import Any
from urllib.parse import parse_qs, urlparse

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.settings import api_settings
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

CLOSE_UNAUTHENTICATED = 4401


def allowed_origins() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    return hosts + list(getattr(settings, "CSRF_TRUSTED_ORIGINS", []))


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


class WebsocketGuard(OriginValidator):
    def __init__(self, application: Any) -> None:
        super().__init__(application, allowed_origins())
        self.with_session = AuthMiddlewareStack(application)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        origin = _header(scope, b"origin")
        if origin is not None and not self.validate_origin(urlparse(origin)):
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
