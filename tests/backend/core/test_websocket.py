"""The websocket guard: Origin is the CSRF defence of session sockets; JWT sockets may come without one."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken

from backend.accounts.models import Role
from backend.asgi import application
from backend.core.websocket import CLOSE_UNAUTHENTICATED
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

HOST = b"localhost"
ALLOWED = b"http://localhost"  # the handshake's own origin (plain ws on port 80, Host: localhost)
FOREIGN = b"https://evil.example.com"


@database_sync_to_async
def _user(role: str = Role.OPERATOR, **fields):
    return factories.user(role=role, **fields)


@database_sync_to_async
def _session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@database_sync_to_async
def _access_token(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


async def _connect(path: str = "/ws/ping/", headers: list[tuple[bytes, bytes]] | None = None):
    communicator = WebsocketCommunicator(application, path, headers=headers or [])
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_a_session_socket_from_an_allowed_origin_is_accepted():
    user = await _user()
    communicator, connected, _ = await _connect(
        headers=[(b"host", HOST), (b"origin", ALLOWED), (b"cookie", await _session_cookie(user))]
    )
    try:
        assert connected
        assert await communicator.receive_json_from() == {"type": "hello", "user": user.pk, "auth": "session"}
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from() == {"type": "pong"}
    finally:
        await communicator.disconnect()


@pytest.mark.parametrize("token", [False, True])
async def test_a_foreign_origin_is_refused_at_the_handshake(token):
    user = await _user()
    path = f"/ws/ping/?token={await _access_token(user)}" if token else "/ws/ping/"
    communicator, connected, code = await _connect(
        path, headers=[(b"host", HOST), (b"origin", FOREIGN), (b"cookie", await _session_cookie(user))]
    )
    try:
        assert not connected
        assert code != CLOSE_UNAUTHENTICATED  # refused by the guard, before any consumer ran
    finally:
        await communicator.disconnect()


async def test_a_session_cookie_without_origin_is_not_enough():
    user = await _user()
    communicator, connected, code = await _connect(headers=[(b"cookie", await _session_cookie(user))])
    try:
        assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)
    finally:
        await communicator.disconnect()


async def test_a_jwt_socket_without_origin_is_accepted():
    user = await _user(role=Role.REFERENT)
    communicator, connected, _ = await _connect(f"/ws/ping/?token={await _access_token(user)}")
    try:
        assert connected
        assert await communicator.receive_json_from() == {"type": "hello", "user": user.pk, "auth": "token"}
    finally:
        await communicator.disconnect()


async def test_a_jwt_socket_from_an_allowed_origin_is_accepted():
    user = await _user(role=Role.REFERENT)
    communicator, connected, _ = await _connect(
        f"/ws/ping/?token={await _access_token(user)}", headers=[(b"host", HOST), (b"origin", ALLOWED)]
    )
    try:
        assert connected
        assert (await communicator.receive_json_from())["user"] == user.pk
    finally:
        await communicator.disconnect()


@pytest.mark.parametrize("token", ["not-a-jwt", "refresh", "inactive"])
async def test_a_bad_token_is_closed_4401(token):
    user = await _user(role=Role.REFERENT, is_active=token != "inactive")
    if token == "refresh":
        token = str(await database_sync_to_async(RefreshToken.for_user)(user))  # a refresh is no access
    elif token == "inactive":
        token = await _access_token(user)
    communicator, connected, code = await _connect(f"/ws/ping/?token={token}")
    try:
        assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)
    finally:
        await communicator.disconnect()


async def test_an_anonymous_socket_is_closed_4401():
    communicator, connected, code = await _connect(headers=[(b"host", HOST), (b"origin", ALLOWED)])
    try:
        assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)
    finally:
        await communicator.disconnect()


# --- the Origin rule: scheme, host and port ------------------------------------------------------


async def _origin_verdict(host: bytes, origin: bytes, *, extra: list[tuple[bytes, bytes]] | None = None):
    """Whether the guard lets a session socket with this Host and Origin through (a consumer runs)."""
    user = await _user()
    headers = [(b"host", host), (b"origin", origin), (b"cookie", await _session_cookie(user)), *(extra or [])]
    communicator, connected, _code = await _connect(headers=headers)
    try:
        return connected
    finally:
        await communicator.disconnect()


HTTPS = [(b"x-forwarded-proto", b"https")]  # what nginx sends (SECURE_PROXY_SSL_HEADER)


@pytest.mark.parametrize(
    ("host", "origin", "extra", "allowed"),
    [
        (b"localhost", b"http://localhost", None, True),
        (b"localhost:8000", b"http://localhost:8000", None, True),
        (b"localhost", b"http://localhost:80", None, True),  # the default port, written out
        (b"localhost:8443", b"https://localhost:8443", HTTPS, True),
        (b"LocalHost:8443", b"https://localhost:8443", HTTPS, True),
        (b"localhost", b"https://localhost", HTTPS, True),
        (b"localhost:8443", b"http://localhost", HTTPS, False),  # another scheme and port
        (b"localhost:8443", b"http://localhost:8443", HTTPS, False),  # http page, https socket
        (b"localhost:8443", b"https://localhost:8443", None, False),  # https page, plain ws socket
        (b"localhost:8000", b"http://localhost:9999", None, False),  # another port
        (b"localhost:8000", b"http://localhost", None, False),
        (b"localhost", b"http://127.0.0.1", None, False),  # another host, even an allowed one
        (b"evil.example.com", b"http://evil.example.com", None, False),  # a Host outside ALLOWED_HOSTS
        (b"localhost", b"null", None, False),
        (b"localhost", b"file://localhost", None, False),
        (b"localhost", b"http://localhost:abc", None, False),
        (b"localhost", b"ws://localhost", None, False),
    ],
)
async def test_an_origin_is_ours_only_with_the_same_scheme_host_and_port(host, origin, extra, allowed):
    assert await _origin_verdict(host, origin, extra=extra) is allowed


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (b"https://console.vigie.example.fr", True),
        (b"https://console.vigie.example.fr:443", True),
        (b"http://console.vigie.example.fr", False),
        (b"https://console.vigie.example.fr:8443", False),
        (b"https://autre.vigie.example.fr", False),
    ],
)
async def test_csrf_trusted_origins_are_matched_exactly(settings, origin, allowed):
    settings.CSRF_TRUSTED_ORIGINS = ["https://console.vigie.example.fr"]
    assert await _origin_verdict(b"localhost", origin) is allowed
