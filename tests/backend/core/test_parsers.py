"""The API's parsers and the sockets' decoder: nested JSON is a 400 (an error message on a socket), and
every text arrives neutralised, whatever the content type."""

import json
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from alerts.models import Observation
from backend.asgi import application
from backend.core.parsers import MAX_JSON_DEPTH, json_too_deep, message_decode
from tests.alerts import factories as f
from tests.helpers import api_client_for
from tests.live import token_for
from tests.neighbours import factories as nf


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        (nested(MAX_JSON_DEPTH), False),
        (nested(MAX_JSON_DEPTH + 1), True),
        ('{"a": "' + "[" * 100 + '"}', False),  # brackets in a string do not nest
        ('["\\"[[[[", ' + nested(MAX_JSON_DEPTH) + "]", True),  # nor after an escaped quote
        ("[" * 10 + "]" * 10 + "[" * 30 + "]" * 30, False),  # many brackets, little depth
        ('{"a": ' * 40 + "1" + "}" * 40, True),
    ],
)
def test_json_too_deep(text, deep):
    assert json_too_deep(text) is deep


@pytest.fixture
def client(commune: Any) -> Any:
    nf.ready_commune(commune)
    return api_client_for(nf.referent(commune).user)


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_deeply_nested_json_is_a_400_in_the_error_shape(client, depth):
    response = client.post("/api/v1/observations/", data=nested(depth), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"JSON trop imbriqué : {MAX_JSON_DEPTH} niveaux au plus.",
        "errors": {},
    }


@pytest.mark.django_db
def test_a_nested_field_within_the_limit_is_left_to_the_serializer(client):
    body = json.dumps(f.submission(description=json.loads(nested(10))))
    response = client.post("/api/v1/observations/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "description" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "multipart"])
def test_observation_text_is_stored_neutralised_whatever_the_format(client, fmt):
    description = "Homme \u202etnemevuom\u202c suspect\u200b devant\x1b le 12\r\nrue des Lilas"
    response = client.post("/api/v1/observations/", f.submission(description=description), format=fmt)
    assert response.status_code == 201, response.json()
    stored = Observation.objects.get(pk=response.json()["id"]).description
    assert stored == "Homme tnemevuom suspect devant le 12\nrue des Lilas"


def test_a_socket_message_is_decoded_neutralised_or_refused():
    assert message_decode('{"action": "note", "text": "a\\u202eb"}') == {"action": "note", "text": "ab"}
    assert message_decode(nested(MAX_JSON_DEPTH + 1)) is None
    assert message_decode("not json") is None


@pytest.mark.django_db(transaction=True)
async def test_a_deeply_nested_socket_message_is_answered_not_a_crash():
    from asgiref.sync import sync_to_async

    from tests import factories

    user = await sync_to_async(factories.user)()
    token = await sync_to_async(token_for)(user)
    communicator = WebsocketCommunicator(application, f"/ws/ping/?token={token}")
    connected, _ = await communicator.connect()
    try:
        assert connected
        await communicator.receive_json_from()  # hello
        await communicator.send_to(text_data=nested(100_000))
        assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
    finally:
        await communicator.disconnect()
