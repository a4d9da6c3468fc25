"""Finding 13 (issue 14, build item 8): an agency token is a machine credential without a second factor, so
it must open the police dispatch doors of its own agency and nothing else. Every door of the permission
matrix (tests/security/permission_matrix.py) is tried with a token of A's police municipale:

- the five dispatch operations (list, read, acknowledge, notes, close): its agency's dispatch, and 404 for
  another agency's (same observation) or another commune's;
- every other API door that asks for credentials (anonymous: 401): 403;
- the public API doors and every page: exactly what a request without credentials gets (pages and the admin
  read sessions, never the header);
- the sockets: refused as unauthenticated (4401).
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from rest_framework.test import APIClient

from alerts import services
from tests.security import permission_matrix as matrix
from tests.security.conftest import towns_build
from tests.security.matrix_world import BODIES, World, url_for, world_build

TABLE = matrix.parse()
# The operations an agency token passes (alerts/access.py, AGENCY_TOKEN_DOORS).
TOKEN_DOORS = {
    "GET /api/v1/dispatches/",
    "GET /api/v1/dispatches/{id}/",
    "POST /api/v1/dispatches/{id}/acknowledge/",
    "POST /api/v1/dispatches/{id}/notes/",
    "POST /api/v1/dispatches/{id}/close/",
}
HTTP_ROWS = [row for row in TABLE.rows if row.method != "WS"]
SOCKET_ROWS = [row for row in TABLE.rows if row.method == "WS"]
# Objects are chosen as for the operator of A's police municipale: own is their agency's dispatch.
ROLE = "operator"


@pytest.fixture(scope="class")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[World, str]]:
    """The matrix's world and a token of A's police municipale, in a transaction rolled back at the end.
    Class-scoped: it must be gone before the socket test, whose threads need the database to themselves."""
    media = tmp_path_factory.mktemp("f13-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, SMS_BACKEND="locmem", PUSH_BACKEND="locmem"),
        transaction.atomic(),
    ):
        cache.clear()
        built = world_build(media)
        agency = built.scopes["dispatch"][0].agency
        _token, raw = services.agency_token_create(
            agency=agency, label="Main courante", actor=built.people["superuser"]
        )
        yield built, raw
        transaction.set_rollback(True)


def _request(world: World, method: str, path: str, scope: str | None, token: str | None) -> Any:
    """The request, with the token or without any credentials, in a savepoint rolled back."""
    url = url_for(world, path, ROLE, scope)
    body = BODIES.get(f"{method} {path}", lambda w, r, s: {})(world, ROLE, scope)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    with transaction.atomic():
        cache.clear()
        client = APIClient() if url.startswith("/api/v1/") else Client()
        client.raise_request_exception = False
        if url.startswith("/api/v1/"):
            response = getattr(client, method.lower())(url, body, format="json", **headers)
        elif method == "GET":
            response = client.get(url, **headers)  # type: ignore[arg-type]
        else:
            response = getattr(client, method.lower())(url, body, **headers)
        if response.streaming:
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response


def _passed(status: int) -> bool:
    return status < 500 and status not in (401, 403, 404, 405, 429)


@pytest.mark.django_db
class TestTheDoors:
    @pytest.mark.parametrize("row", HTTP_ROWS, ids=[row.key for row in HTTP_ROWS])
    def test_an_agency_token_opens_its_agencys_dispatch_doors_and_no_other(
        self, world: tuple[World, str], row: matrix.Row, settings: Any
    ) -> None:
        built, token = world
        settings.MEDIA_ROOT = built.media
        scopes: tuple[str | None, ...] = matrix.SCOPES if row.scoped else (None,)
        for scope in scopes:
            response = _request(built, row.method, row.path, scope, token)
            where = f"{row.key} ({scope})" if scope else row.key
            if row.key in TOKEN_DOORS:
                if scope in (None, matrix.SCOPES[0]):
                    assert _passed(response.status_code), f"{where}: {response.status_code}"
                else:
                    assert response.status_code == 404, f"{where}: {response.status_code}"
            elif row.path.startswith("/api/v1/") and row.expected("anonymous", scope) == "401":
                assert response.status_code == 403, f"{where}: {response.status_code}"
                assert json.loads(response.content)["detail"]
            else:
                anonymous = _request(built, row.method, row.path, scope, None)
                assert (response.status_code, response.get("Location")) == (
                    anonymous.status_code,
                    anonymous.get("Location"),
                ), where


def _socket(path: str, token: str) -> str:
    async def run() -> str:
        from backend.asgi import application

        communicator = WebsocketCommunicator(application, f"{path}?token={token}")
        connected, code = await communicator.connect(timeout=10)
        if not connected:
            return str(code)
        message = await communicator.receive_output(timeout=10)
        await communicator.disconnect()
        return str(message.get("code")) if message["type"] == "websocket.close" else "ok"

    return async_to_sync(run)()


@pytest.mark.django_db(transaction=True)
def test_the_sockets_refuse_an_agency_token(commune: Any, other_commune: Any) -> None:
    towns = towns_build(commune, other_commune)
    _token, raw = services.agency_token_create(
        agency=towns.pm_a, label="Main courante", actor=towns.people["superuser"]
    )
    assert SOCKET_ROWS
    for row in SOCKET_ROWS:
        assert _socket(row.path, raw) == "4401", row.key
