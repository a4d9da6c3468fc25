"""Web Push through the outbox worker: pywebpush against the local fake push service, which checks the
VAPID JWT and decrypts each aes128gcm body; FCM devices alongside through the fake FCM server."""

import json
import time as time_module
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from backend.messaging import worker
from backend.messaging.backends.webpush import WebPushBackend, vapid_keys_generate
from backend.messaging.models import Delivery, Device, PushReceipt
from backend.messaging.services import Outgoing, deliveries_enqueue
from neighbours.models import Preferences
from tests import factories
from tests.alerts.broadcasts.conftest import BODY, commune3, moderator, referent  # noqa: F401 (fixtures)
from tests.backend.messaging.fcm_helpers import point_settings_at
from tests.fakes.fcm_server import FakeFcmServer
from tests.fakes.push_service import FakePushService, vapid_claims
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db


@dataclass
class Fakes:
    push: FakePushService
    fcm: FakeFcmServer
    public_key: str


@pytest.fixture
def fakes(settings: Any, tmp_path: Path) -> Iterator[Fakes]:
    with FakePushService() as push, FakeFcmServer() as fcm:
        point_settings_at(settings, fcm.url, tmp_path)
        private, public = vapid_keys_generate()
        settings.WEBPUSH_VAPID_PRIVATE_KEY = private
        settings.WEBPUSH_VAPID_SUBJECT = "mailto:vigie@example.fr"
        settings.DELIVERY_BACKOFF_BASE_SECONDS = 1
        yield Fakes(push, fcm, public)


def _web_device(user: Any, fake: FakePushService, *script: str) -> Device:
    # The API takes https endpoints only (tests/backend/messaging/test_webpush_api.py); the fake speaks http.
    subscription = fake.subscribe(*script)
    return Device.objects.create(
        user=user,
        token=subscription["endpoint"],
        platform=Device.Platform.WEB,
        web_p256dh=subscription["keys"]["p256dh"],
        web_auth=subscription["keys"]["auth"],
    )


def _push(user: Any, *, kind: str = "prevention", priority: str = "normal") -> Delivery:
    return deliveries_enqueue(
        [
            Outgoing(
                channel=Delivery.Channel.PUSH,
                kind=kind,
                title="Titre",
                body="Texte",
                recipient=user,
                data={"kind": kind, "broadcast_id": 7},
                priority=priority,
            )
        ]
    )[0]


def test_a_burglary_alert_reaches_each_web_subscription_once_and_fcm_devices_alongside(
    fakes: Fakes,
    commune3: Any,  # noqa: F811
    moderator: Any,  # noqa: F811
) -> None:
    north = referent(commune3, "nord")  # one FCM device
    south = referent(commune3, "sud", devices=0)
    web = [_web_device(north, fakes.push), _web_device(south, fakes.push), _web_device(south, fakes.push)]
    fcm_token = Device.objects.get(user=north, platform="android").token

    response = api_client_for(moderator).post("/api/v1/broadcasts/", BODY, format="json")
    assert response.status_code == 201, response.json()
    worker.drain()
    worker.drain()

    assert fakes.push.refused == []
    for device in web:
        (received,) = fakes.push.received_by(device.token)
        assert received.headers["urgency"] == "high"
        assert received.headers["content-encoding"] == "aes128gcm"
        assert int(received.headers["ttl"]) > 0
        assert received.claims["aud"] == fakes.push.url
        assert received.claims["sub"] == "mailto:vigie@example.fr"
        assert received.headers["authorization"].endswith(f"k={fakes.public_key}")
        assert received.payload["title"] == BODY["title"]
        assert received.payload["body"] == BODY["body"]
        assert received.payload["kind"] == "burglary_alert"
        assert received.payload["data"]["broadcast_id"] == str(response.json()["id"])
        assert PushReceipt.objects.get(device=device).status == PushReceipt.Status.SENT
        assert PushReceipt.objects.get(device=device).provider_id.startswith(f"{fakes.push.url}/message/")
    assert fakes.fcm.state.counts == {fcm_token: 1}
    assert set(Delivery.objects.filter(channel="push").values_list("status", flat=True)) == {"sent"}


def test_advice_goes_with_urgency_normal(fakes: Fakes) -> None:
    user = factories.user()
    device = _web_device(user, fakes.push)
    _push(user, kind="prevention", priority="normal")

    worker.drain()

    (received,) = fakes.push.received_by(device.token)
    assert received.headers["urgency"] == "normal"
    assert received.payload["kind"] == "prevention"


@pytest.mark.parametrize("gone", ["410", "404"])
def test_a_gone_subscription_is_deactivated_and_never_tried_again(fakes: Fakes, gone: str) -> None:
    user = factories.user()
    good, dead = _web_device(user, fakes.push), _web_device(user, fakes.push, gone)
    first = _push(user)

    worker.drain()

    dead.refresh_from_db()
    assert not dead.is_active
    assert dead.deactivated_reason.startswith(gone)
    assert PushReceipt.objects.get(delivery=first, device=dead).status == PushReceipt.Status.INVALID
    first.refresh_from_db()
    assert first.status == Delivery.Status.SENT  # the good device got it
    _push(user, kind="burglary_alert", priority="high")
    worker.drain()
    assert len(fakes.push.received_by(dead.token)) == 1
    assert len(fakes.push.received_by(good.token)) == 2


@pytest.mark.parametrize(("answer", "wait"), [("429:30", 30), ("500", 1), ("429 with a date", 88)])
def test_429_and_5xx_are_retried_after_retry_after(fakes: Fakes, answer: str, wait: int) -> None:
    if answer == "429 with a date":  # an HTTP date 90 s ahead (whole seconds)
        answer = f"429:{format_datetime(timezone.now() + timedelta(seconds=90), usegmt=True)}"
    user = factories.user()
    ok, busy = _web_device(user, fakes.push), _web_device(user, fakes.push, answer)
    delivery = _push(user)
    before = timezone.now()

    worker.drain()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.QUEUED
    assert delivery.not_before >= before + timedelta(seconds=wait)
    assert PushReceipt.objects.get(delivery=delivery, device=busy).status == PushReceipt.Status.PENDING
    assert worker.drain() == 0  # nothing early
    busy.refresh_from_db()
    assert busy.is_active

    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now())
    worker.drain()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 2
    assert len(fakes.push.received_by(busy.token)) == 2
    assert len(fakes.push.received_by(ok.token)) == 1  # not sent again to the device that got it


def test_other_4xx_fail_without_retry_or_deactivation(fakes: Fakes) -> None:
    user = factories.user()
    device = _web_device(user, fakes.push, "413")
    delivery = _push(user)

    worker.drain()

    delivery.refresh_from_db()
    device.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert device.is_active
    assert PushReceipt.objects.get(device=device).error.startswith("413")


def test_the_fake_refuses_a_jwt_not_signed_by_k_or_for_another_origin(fakes: Fakes) -> None:
    """The fake's VAPID check is real: what pywebpush signs passes, a tampered header does not."""
    signer = WebPushBackend()
    header = signer._authorization(fakes.push.url)
    now = time_module.time()
    assert vapid_claims(header, origin=fakes.push.url, now=now)["aud"] == fakes.push.url
    _private, other_public = vapid_keys_generate()
    with pytest.raises(ValueError, match="signature"):
        vapid_claims(header.split("k=")[0] + f"k={other_public}", origin=fakes.push.url, now=now)
    with pytest.raises(ValueError, match="aud"):
        vapid_claims(header, origin="https://push.example", now=now)
    with pytest.raises(ValueError, match="exp"):
        vapid_claims(header, origin=fakes.push.url, now=now + 13 * 3600)


def test_quiet_hours_and_opt_outs_apply_to_web_subscriptions(
    fakes: Fakes,
    commune3: Any,  # noqa: F811
    moderator: Any,  # noqa: F811
) -> None:
    quiet = referent(commune3, "nord", devices=0)
    Preferences.objects.create(user=quiet, quiet_hours_start=time(0, 0), quiet_hours_end=time(23, 59))
    opted_out = referent(commune3, "nord", devices=0)
    Preferences.objects.create(user=opted_out, push_opt_outs=["prevention"])
    held, out = _web_device(quiet, fakes.push), _web_device(opted_out, fakes.push)

    response = api_client_for(moderator).post(
        "/api/v1/broadcasts/", {**BODY, "kind": "prevention"}, format="json"
    )
    assert response.status_code == 201, response.json()
    worker.drain()

    assert fakes.push.received_by(held.token) == []  # held until the end of the quiet hours
    assert fakes.push.received_by(out.token) == []
    delivery = Delivery.objects.get(source=f"broadcast:{response.json()['id']}", recipient=quiet)
    assert delivery.not_before > timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now())
    worker.drain()
    assert len(fakes.push.received_by(held.token)) == 1
    assert fakes.push.received_by(out.token) == []


def test_a_web_fcm_token_still_goes_through_fcm(fakes: Fakes) -> None:
    """A bare token of platform web (the Firebase JavaScript SDK's) is an FCM token, as before."""
    user = factories.user()
    Device.objects.create(user=user, token="fcm-web-token-1", platform=Device.Platform.WEB)
    subscribed = _web_device(user, fakes.push)
    _push(user)

    worker.drain()

    assert fakes.fcm.state.counts == {"fcm-web-token-1": 1}
    assert len(fakes.push.received_by(subscribed.token)) == 1


def test_with_web_push_switched_off_a_subscription_fails_and_stays(fakes: Fakes, settings: Any) -> None:
    user = factories.user()
    device = _web_device(user, fakes.push)
    delivery = _push(user)
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""

    worker.drain()

    delivery.refresh_from_db()
    device.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert device.is_active  # switched on again, it gets the next messages
    assert fakes.push.received == []


def test_a_long_body_is_shortened_to_fit_one_push_message(fakes: Fakes) -> None:
    user = factories.user()
    device = _web_device(user, fakes.push)
    deliveries_enqueue(
        [
            Outgoing(
                channel=Delivery.Channel.PUSH,
                kind="prevention",
                title="Titre",
                body="é" * 3000,
                recipient=user,
            )
        ]
    )

    worker.drain()

    (received,) = fakes.push.received_by(device.token)
    assert received.payload["body"].endswith("…")
    assert received.payload["body"].startswith("é" * 1800)  # cut by bytes, not characters
    assert len(json.dumps(received.payload, ensure_ascii=False, separators=(",", ":")).encode()) <= 3993
