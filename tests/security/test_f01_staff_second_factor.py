"""Finding 1: a staff member's SMS code alone gave a JWT that opened every staff door. Now only a token
that records the second factor (or a TOTP session) opens them, the socket included."""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from backend.asgi import application
from tests.security.conftest import Towns, sms_token, staff_token, towns_build

STAFF_DOORS = [
    ("moderator_a", "/api/v1/moderation/queue/"),
    ("moderator_a", "/api/v1/referents/export.csv"),
    ("operator_pm_a", "/api/v1/dispatches/"),
    ("operator_pm_a", "/api/v1/console/state/"),
    ("admin_a", "/api/v1/dispatches/"),
    ("admin_a", "/api/v1/broadcasts/"),
]


def client(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "path"), STAFF_DOORS)
def test_a_staff_token_without_the_second_factor_opens_no_staff_door(
    towns: Towns, who: str, path: str
) -> None:
    user = towns.people[who]
    assert client(sms_token(user)).get(path).status_code == 403
    assert client(staff_token(user)).get(path).status_code == 200


@pytest.mark.django_db
def test_staff_without_the_second_factor_pass_not_even_the_signed_in_doors(towns: Towns) -> None:
    path = f"/api/v1/observations/{towns.observation_a.pk}/"
    for who in ("moderator_a", "operator_pm_a"):
        assert client(sms_token(towns.people[who])).get("/api/v1/me/").status_code == 403
        assert client(sms_token(towns.people[who])).get(path).status_code == 403
        assert client(staff_token(towns.people[who])).get(path).status_code == 200


def _socket(token: str) -> int | None:
    """The close code the console socket answers with, or None when it opened (a hello came)."""

    async def run() -> int | None:
        communicator = WebsocketCommunicator(application, f"/ws/console/?token={token}")
        await communicator.connect(timeout=10)
        message = await communicator.receive_output(timeout=10)
        await communicator.disconnect()
        return message.get("code") if message["type"] == "websocket.close" else None

    return async_to_sync(run)()


@pytest.mark.django_db(transaction=True)
def test_the_console_socket_wants_the_second_factor(commune: Any, other_commune: Any) -> None:
    operator = towns_build(commune, other_commune).people["operator_pm_a"]
    assert _socket(sms_token(operator)) == 4401
    assert _socket(staff_token(operator)) is None
