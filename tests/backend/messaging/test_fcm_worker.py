"""The outbox worker with PUSH_BACKEND=fcm: the real SDK against the local fake FCM server."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from backend.messaging import worker
from backend.messaging.backends import fcm
from backend.messaging.models import Delivery, Device, PushReceipt
from backend.messaging.services import Outgoing, deliveries_enqueue
from tests import factories
from tests.backend.messaging.fcm_helpers import point_settings_at
from tests.fakes.fcm_server import FakeFcmServer


@pytest.fixture
def fake(settings: Any, tmp_path: Path) -> Iterator[FakeFcmServer]:
    with FakeFcmServer() as server:
        point_settings_at(settings, server.url, tmp_path)
        settings.DELIVERY_BACKOFF_BASE_SECONDS = 1
        yield server


def _push(user: Any, *, priority: str = "normal", title: str = "Titre", body: str = "Texte") -> Delivery:
    return deliveries_enqueue(
        [
            Outgoing(
                channel=Delivery.Channel.PUSH,
                kind="test",
                title=title,
                body=body,
                recipient=user,
                data={"kind": "test"},
                priority=priority,
            )
        ]
    )[0]


def _devices(user: Any, count: int, prefix: str = "tok") -> list[Device]:
    return Device.objects.bulk_create(
        [Device(user=user, token=f"{prefix}-{user.pk}-{i:05d}", platform="android") for i in range(count)]
    )


@pytest.mark.django_db
def test_1200_tokens_go_as_500_500_200(fake: FakeFcmServer, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    real_send_each_async = fcm.messaging.send_each_async

    async def counting_send_each_async(messages: list[Any], **kwargs: Any) -> Any:
        sizes.append(len(messages))
        return await real_send_each_async(messages, **kwargs)

    monkeypatch.setattr(fcm.messaging, "send_each_async", counting_send_each_async)
    user = factories.user()
    _devices(user, 1200)
    delivery = _push(user, priority="high")

    worker.drain()

    assert sorted(sizes, reverse=True) == [500, 500, 200]  # the SDK's batch call, chunks in flight together
    assert fake.state.total == 1200
    assert len(fake.state.counts) == 1200
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert PushReceipt.objects.filter(delivery=delivery, status=PushReceipt.Status.SENT).count() == 1200


@pytest.mark.django_db
def test_unregistered_token_deactivates_the_device_and_is_never_retried(fake: FakeFcmServer) -> None:
    user = factories.user()
    good, dead = _devices(user, 2)
    fake.script({dead.token: ["UNREGISTERED"]})
    first = _push(user)

    worker.drain()

    dead.refresh_from_db()
    good.refresh_from_db()
    assert not dead.is_active
    assert "UNREGISTERED" in dead.deactivated_reason
    assert good.is_active
    assert PushReceipt.objects.get(delivery=first, device=dead).status == PushReceipt.Status.INVALID
    first.refresh_from_db()
    assert first.status == Delivery.Status.SENT
    # The next message skips the dead device.
    _push(user)
    worker.drain()
    assert fake.state.counts[dead.token] == 1
    assert fake.state.counts[good.token] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("script", "wait"), [("503:7", 7), ("429:20", 20)])
def test_unavailable_and_quota_are_retried_after_retry_after(
    fake: FakeFcmServer, script: str, wait: int
) -> None:
    user = factories.user()
    ok, busy = _devices(user, 2)
    fake.script({busy.token: [script]})
    delivery = _push(user)
    before = timezone.now()

    worker.drain()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.QUEUED
    assert delivery.not_before >= before + timedelta(seconds=wait)
    assert PushReceipt.objects.get(delivery=delivery, device=busy).status == PushReceipt.Status.PENDING
    assert worker.drain() == 0  # nothing early

    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now())
    worker.drain()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 2
    assert fake.state.counts[busy.token] == 2
    assert fake.state.counts[ok.token] == 1  # the device that got it the first time is not sent again


@pytest.mark.django_db
def test_the_longest_retry_after_of_a_deliverys_devices_wins(fake: FakeFcmServer) -> None:
    user = factories.user()
    long_, short, ok = _devices(user, 3)  # the longest first: a later, shorter one must not win
    fake.script({short.token: ["503:5"], long_.token: ["429:40"]})
    delivery = _push(user)
    before = timezone.now()

    worker.drain()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.QUEUED
    assert delivery.not_before >= before + timedelta(seconds=40)
    assert PushReceipt.objects.get(delivery=delivery, device=ok).status == PushReceipt.Status.SENT


@pytest.mark.django_db
def test_one_call_records_each_devices_outcome_and_each_deliverys_own_payload(fake: FakeFcmServer) -> None:
    # The receipts of a call are written in one statement, and messages share the parts of one payload:
    # per device its status, provider id and error, per delivery its own title and data.
    alice, bob = factories.user(), factories.user()
    ok, dead, refused, busy = _devices(alice, 4, prefix="alice")
    (bob_device,) = _devices(bob, 1, prefix="bob")
    fake.script(
        {
            dead.token: ["UNREGISTERED"],
            refused.token: ["INVALID_PAYLOAD"],
            busy.token: ["503"],
            bob_device.token: ["INVALID_PAYLOAD"],
        }
    )
    to_alice = _push(alice, priority="high")
    # The same data as Alice's: only the title, body and priority differ.
    to_bob = _push(bob, title="Pour Bob", body="Autre texte")

    assert worker.process_batch() == 2

    receipts = {r.device_id: r for r in PushReceipt.objects.filter(delivery=to_alice)}
    assert receipts[ok.pk].status == PushReceipt.Status.SENT
    assert receipts[ok.pk].provider_id.startswith("projects/")
    assert receipts[ok.pk].error == ""
    assert receipts[dead.pk].status == PushReceipt.Status.INVALID
    assert "UNREGISTERED" in receipts[dead.pk].error
    assert receipts[refused.pk].status == PushReceipt.Status.FAILED
    assert "Invalid value at 'message.data'" in receipts[refused.pk].error  # quotes kept as they are
    assert receipts[busy.pk].status == PushReceipt.Status.PENDING  # retried later
    assert "UNAVAILABLE" in receipts[busy.pk].error
    dead.refresh_from_db()
    assert not dead.is_active
    to_alice.refresh_from_db()
    assert to_alice.status == Delivery.Status.QUEUED
    to_bob.refresh_from_db()
    assert to_bob.status == Delivery.Status.FAILED
    assert to_bob.last_error == "every device failed"

    alice_payload = fake.state.payloads[ok.token]["message"]
    bob_payload = fake.state.payloads[bob_device.token]["message"]
    assert alice_payload["notification"]["title"] == "Titre"
    assert alice_payload["data"] == {"kind": "test"}
    assert alice_payload["android"]["priority"] == "high"
    assert bob_payload["notification"] == {"title": "Pour Bob", "body": "Autre texte"}
    assert bob_payload["data"] == {"kind": "test"}
    assert bob_payload["android"]["priority"] == "normal"
    assert {
        fake.state.payloads[device.token]["message"]["token"] for device in (ok, dead, refused, busy)
    } == {
        ok.token,
        dead.token,
        refused.token,
        busy.token,
    }
