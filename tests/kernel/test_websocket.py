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

ALLOWED = b"http://localhost"
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
        headers=[(b"origin", ALLOWED), (b"cookie", await _session_cookie(user))]
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
        path, headers=[(b"origin", FOREIGN), (b"cookie", await _session_cookie(user))]
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
        f"/ws/ping/?token={await _access_token(user)}", headers=[(b"origin", ALLOWED)]
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
    communicator, connected, code = await _connect(headers=[(b"origin", ALLOWED)])
    try:
        assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)
    finally:
        await communicator.disconnect()
