"""The FCM backend with the real firebase-admin SDK against the local fake FCM server."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from firebase_admin import messaging

from backend.messaging.backends import fcm
from backend.messaging.backends.base import PushMessage, PushOutcome
from tests.backend.messaging.fcm_helpers import PROJECT_ID, StaticTokenCredential, point_settings_at
from tests.fakes.fcm_server import FakeFcmServer


@pytest.fixture
def fake() -> Iterator[FakeFcmServer]:
    with FakeFcmServer() as server:
        yield server


def _backend(fake: FakeFcmServer) -> fcm.FcmPushBackend:
    config = fcm.FcmConfig(project_id=PROJECT_ID, api_url=fake.url, connections=20)
    return fcm.FcmPushBackend(config, credential=StaticTokenCredential())


def test_fcm_api_url_override_reaches_the_sdk_service(fake: FakeFcmServer) -> None:
    # If a firebase-admin upgrade renames FCM_URL/_fcm_url or changes the path, this fails loudly.
    assert messaging._MessagingService.FCM_URL == "https://fcm.googleapis.com/v1/projects/{0}/messages:send"
    backend = _backend(fake)
    service = messaging._get_messaging_service(backend.app)
    assert service._fcm_url == f"{fake.url}/v1/projects/{PROJECT_ID}/messages:send"
    backend.send_many([PushMessage(token="tok-1", title="t", body="b")])
    assert fake.state.total == 1


def test_override_refuses_an_sdk_that_moved_its_endpoint() -> None:
    class Moved:
        fcm_endpoint = "https://fcm.googleapis.com/v1/projects/p/messages:send"

    with pytest.raises(ImproperlyConfigured, match="_fcm_url"):
        fcm.fcm_point_service(Moved(), project_id="p", api_url="http://127.0.0.1:1")


def test_payload_shape_high_and_normal(fake: FakeFcmServer) -> None:
    results = _backend(fake).send_many(
        [
            PushMessage(
                token="tok-high",
                title="Alerte cambriolage",
                body="Secteur Nord",
                data={"kind": "burglary_alert", "broadcast": "12", "link": "vigie://broadcasts/12"},
                priority="high",
            ),
            PushMessage(
                token="tok-normal", title="Conseil", body="Fermez vos portes", data={"kind": "prevention"}
            ),
        ]
    )
    assert [r.outcome for r in results] == [PushOutcome.SENT, PushOutcome.SENT]
    assert results[0].provider_id.startswith(f"projects/{PROJECT_ID}/messages/")
    high = fake.state.payloads["tok-high"]["message"]
    assert high["token"] == "tok-high"
    assert high["notification"] == {"title": "Alerte cambriolage", "body": "Secteur Nord"}
    assert high["data"] == {"kind": "burglary_alert", "broadcast": "12", "link": "vigie://broadcasts/12"}
    assert high["android"]["priority"] == "high"
    assert high["apns"]["headers"]["apns-priority"] == "10"
    assert high["apns"]["payload"]["aps"]["interruption-level"] == "time-sensitive"
    normal = fake.state.payloads["tok-normal"]["message"]
    assert normal["android"]["priority"] == "normal"
    assert normal["apns"]["headers"]["apns-priority"] == "5"
    assert normal["apns"]["payload"]["aps"]["interruption-level"] == "active"


def test_service_account_file_token_uri_is_honoured(
    fake: FakeFcmServer, settings: Any, tmp_path: Path
) -> None:
    point_settings_at(settings, fake.url, tmp_path)
    results = fcm.FcmPushBackend().send_many([PushMessage(token="tok-sa", title="t", body="b")])
    assert results[0].outcome == PushOutcome.SENT
    assert fake.state.tokens_issued >= 1
    assert fake.state.unauthorized == 0


@pytest.mark.parametrize(
    ("script", "outcome", "retry_after"),
    [
        ("UNREGISTERED", PushOutcome.INVALID, None),
        ("INVALID_TOKEN", PushOutcome.INVALID, None),
        ("SENDER_ID_MISMATCH", PushOutcome.INVALID, None),
        ("INVALID_PAYLOAD", PushOutcome.FAILED, None),
        ("503:7", PushOutcome.TRANSIENT, 7.0),
        ("429:3", PushOutcome.TRANSIENT, 3.0),
        ("500", PushOutcome.TRANSIENT, None),
    ],
)
def test_errors_map_per_token(
    fake: FakeFcmServer, script: str, outcome: PushOutcome, retry_after: float | None
) -> None:
    fake.script({"tok-bad": [script]})
    results = _backend(fake).send_many(
        [PushMessage(token="tok-ok", title="t", body="b"), PushMessage(token="tok-bad", title="t", body="b")]
    )
    assert results[0].outcome == PushOutcome.SENT
    assert results[1].outcome == outcome
    assert results[1].retry_after == retry_after
    assert results[1].error
    # The SDK's own HTTP retries are off: one request per message, the worker decides on retries.
    assert fake.state.counts["tok-bad"] == 1


def test_retry_after_as_http_date() -> None:
    assert fcm.retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert fcm.retry_after_seconds("12") == 12.0
    assert fcm.retry_after_seconds("nonsense") is None


def test_send_each_async_goes_through_our_transport_and_auth(fake: FakeFcmServer) -> None:
    # If a firebase-admin upgrade moves the async client, fcm_point_service() refuses (next test).
    backend = _backend(fake)
    client = messaging._get_messaging_service(backend.app)._async_client._async_client
    assert isinstance(client._transport, fcm.AiohttpTransport)
    assert isinstance(client.auth, fcm.CredentialAuth)
    results = backend.send_many([PushMessage(token=f"tok-{i}", title="t", body="b") for i in range(1100)])
    assert [r.outcome for r in results] == [PushOutcome.SENT] * 1100
    assert fake.state.total == 1100
    assert fake.state.unauthorized == 0


def test_override_refuses_an_sdk_whose_async_client_moved(fake: FakeFcmServer) -> None:
    backend = _backend(fake)
    service = messaging._get_messaging_service(backend.app)

    class Moved:
        _fcm_url = service._fcm_url.replace(fake.url, "https://fcm.googleapis.com")
        _client = service._client
        _async_client = object()

    with pytest.raises(ImproperlyConfigured, match="send_each_async"):
        fcm.fcm_point_service(Moved(), project_id=PROJECT_ID, api_url=fake.url)
