"""The outbox worker in process: backoff, dead letters, invalid addresses, push receipts, no double send."""

import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from backend.messaging import worker
from backend.messaging.backends import locmem
from backend.messaging.backends.base import PushOutcome
from backend.messaging.models import Delivery, Device, PushReceipt
from backend.messaging.services import Outgoing, deliveries_enqueue, delivery_enqueue
from tests import factories

PHONE = "+33600000001"


def _sms(address: str = PHONE, body: str = "Bonjour") -> Delivery:
    return delivery_enqueue(Outgoing(channel=Delivery.Channel.SMS, kind="test", body=body, address=address))


def _make_due(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now())


def _wait_of(delivery: Delivery) -> float:
    delivery.refresh_from_db()
    return (delivery.not_before - timezone.now()).total_seconds()


@pytest.fixture
def backoff(settings):
    settings.DELIVERY_BACKOFF_BASE_SECONDS = 30
    settings.DELIVERY_MAX_ATTEMPTS = 4
    settings.DELIVERY_LEASE_SECONDS = 120
    return settings


@pytest.mark.django_db
def test_transient_errors_retry_with_exponential_backoff(backoff, sms_outbox):
    locmem.sms_script[PHONE] = ["transient", "transient", "transient"]
    delivery = _sms()
    waits = []
    for attempt in (1, 2, 3):
        assert worker.process_batch() == 1
        delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.QUEUED
        assert delivery.attempts == attempt
        assert delivery.last_error == "scripted transient failure"
        assert delivery.lease_until is None
        waits.append(_wait_of(delivery))
        assert worker.process_batch() == 0  # not due before its backoff
        _make_due(delivery)
    for wait, expected in zip(waits, [30, 60, 120], strict=True):
        assert expected - 5 < wait <= expected  # a loaded machine may take a moment between the two
    assert sms_outbox == []
    assert worker.process_batch() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.sent_at is not None
    assert [sms.to for sms in sms_outbox] == [PHONE]


def test_backoff_is_capped_at_an_hour(settings):
    settings.DELIVERY_BACKOFF_BASE_SECONDS = 30
    assert [worker.backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert worker.backoff_seconds(20) == 3600


@pytest.mark.django_db
def test_provider_retry_after_wins_over_a_shorter_backoff(backoff, monkeypatch):
    from backend.messaging.backends.base import TransientError

    def overloaded(self, to, body, *, sender=""):
        raise TransientError("429 Too Many Requests", retry_after=900)

    monkeypatch.setattr(locmem.LocmemSmsBackend, "send", overloaded)
    delivery = _sms()
    worker.process_batch()
    assert 895 < _wait_of(delivery) <= 900


@pytest.mark.django_db
def test_a_delivery_is_dead_after_the_last_attempt(backoff, sms_outbox):
    locmem.sms_script[PHONE] = ["transient"] * 10
    delivery = _sms()
    for _ in range(backoff.DELIVERY_MAX_ATTEMPTS):
        worker.process_batch()
        _make_due(delivery)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == backoff.DELIVERY_MAX_ATTEMPTS
    assert delivery.last_error == "scripted transient failure"
    assert worker.process_batch() == 0  # dead rows are never claimed again
    assert sms_outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("script", "status", "error"),
    [
        (["invalid"], Delivery.Status.INVALID, "scripted invalid number"),
        (["failed"], Delivery.Status.FAILED, "scripted permanent failure"),
    ],
)
def test_permanent_errors_end_the_delivery_at_once(backoff, sms_outbox, script, status, error):
    locmem.sms_script[PHONE] = script
    delivery = _sms()
    worker.process_batch()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error, delivery.attempts) == (status, error, 1)
    _make_due(delivery)
    assert worker.process_batch() == 0
    assert sms_outbox == []


@pytest.mark.django_db
def test_sms_to_a_user_without_phone_is_invalid(backoff, commune):
    user = factories.user(commune=commune, phone=None)
    delivery = delivery_enqueue(Outgoing(channel=Delivery.Channel.SMS, kind="t", body="x", recipient=user))
    worker.process_batch()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.INVALID


@pytest.mark.django_db
def test_push_has_a_receipt_per_device_and_an_invalid_token_deactivates_its_device(
    backoff, commune, push_outbox
):
    user = factories.user(commune=commune)
    ok, dead, flaky = (
        Device.objects.create(user=user, token=f"token-{name}", platform=Device.Platform.ANDROID)
        for name in ("ok", "dead", "flaky")
    )
    Device.objects.create(user=user, token="token-old", platform="ios", is_active=False)
    locmem.push_script["token-dead"] = [PushOutcome.INVALID]
    locmem.push_script["token-flaky"] = [PushOutcome.TRANSIENT, PushOutcome.SENT]
    delivery = delivery_enqueue(
        Outgoing(channel=Delivery.Channel.PUSH, kind="t", title="Alerte", body="Cambriolage", recipient=user)
    )

    worker.process_batch()
    receipts = {r.device_id: r.status for r in PushReceipt.objects.filter(delivery=delivery)}
    assert receipts == {
        ok.pk: PushReceipt.Status.SENT,
        dead.pk: PushReceipt.Status.INVALID,
        flaky.pk: PushReceipt.Status.PENDING,
    }
    dead.refresh_from_db()
    assert dead.is_active is False
    assert dead.deactivated_reason == "scripted invalid"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.QUEUED  # the flaky device is retried
    assert [m.token for m in push_outbox] == ["token-ok"]

    # A device registered after the first attempt does not join this delivery.
    Device.objects.create(user=user, token="token-new", platform=Device.Platform.ANDROID)
    _make_due(delivery)
    worker.process_batch()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert [m.token for m in push_outbox] == ["token-ok", "token-flaky"]  # no device twice
    assert PushReceipt.objects.get(delivery=delivery, device=flaky).status == PushReceipt.Status.SENT


@pytest.mark.django_db
def test_push_to_a_user_without_device_is_invalid(backoff, commune):
    user = factories.user(commune=commune)
    delivery = delivery_enqueue(Outgoing(channel=Delivery.Channel.PUSH, kind="t", body="x", recipient=user))
    worker.process_batch()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.INVALID
    assert delivery.last_error == "no active device"


@pytest.mark.django_db
def test_a_device_deactivated_before_a_retry_is_not_tried_again(backoff, commune, push_outbox):
    user = factories.user(commune=commune)
    device = Device.objects.create(user=user, token="token-a", platform="android")
    locmem.push_script["token-a"] = [PushOutcome.TRANSIENT]
    delivery = delivery_enqueue(Outgoing(channel=Delivery.Channel.PUSH, kind="t", body="x", recipient=user))
    worker.process_batch()
    Device.objects.filter(pk=device.pk).update(is_active=False)
    _make_due(delivery)
    worker.process_batch()
    delivery.refresh_from_db()
    assert push_outbox == []
    assert delivery.status == Delivery.Status.INVALID


@pytest.mark.django_db
def test_a_sent_delivery_is_never_sent_again(backoff, sms_outbox):
    delivery = _sms()
    assert worker.drain() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now() - timedelta(days=1))
    assert worker.drain() == 0
    assert len(sms_outbox) == 1


@pytest.mark.django_db
def test_a_claimed_row_with_a_live_lease_is_not_claimed_again(backoff, sms_outbox):
    delivery = _sms()
    first = worker.claim_due(limit=10)
    assert [d.pk for d in first] == [delivery.pk]
    assert worker.claim_due(limit=10) == []
    assert worker.process_batch() == 0
    assert sms_outbox == []


@pytest.mark.django_db
def test_in_flight_rows_are_resent_only_once_their_lease_has_expired(backoff, sms_outbox):
    """A worker died while these were `sending`: the expired one is sent again, the live one is not."""
    expired, live = _sms(body="expiré"), _sms(body="en cours")
    now = timezone.now()
    Delivery.objects.filter(pk=expired.pk).update(
        status=Delivery.Status.SENDING, attempts=1, claim_token="dead", lease_until=now - timedelta(seconds=1)
    )
    Delivery.objects.filter(pk=live.pk).update(
        status=Delivery.Status.SENDING,
        attempts=1,
        claim_token="alive",
        lease_until=now + timedelta(minutes=1),
    )
    assert worker.process_batch() == 1
    assert [sms.body for sms in sms_outbox] == ["expiré"]
    expired.refresh_from_db()
    live.refresh_from_db()
    assert (expired.status, expired.attempts) == (Delivery.Status.SENT, 2)
    assert (live.status, live.claim_token) == (Delivery.Status.SENDING, "alive")


@pytest.mark.django_db
def test_a_worker_whose_lease_lapsed_cannot_overwrite_the_new_claim(backoff):
    delivery = _sms()
    (stale,) = worker.claim_due(limit=1)
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    (fresh,) = worker.claim_due(limit=1)
    assert fresh.claim_token != stale.claim_token
    worker._finish(stale, Delivery.Status.FAILED, error="late")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.claim_token) == (Delivery.Status.SENDING, fresh.claim_token)


@pytest.mark.django_db
def test_claims_about_to_lapse_are_given_back_unsent(backoff, sms_outbox, monkeypatch):
    """A slow provider: rows whose lease ends before they are sent go back to the queue, not out twice."""
    deliveries = [_sms(body=f"m{i}") for i in range(3)]
    real_send = locmem.LocmemSmsBackend.send
    late = SimpleNamespace(by=timedelta(0))
    monkeypatch.setattr(worker, "timezone", SimpleNamespace(now=lambda: timezone.now() + late.by))

    def slow_send(self, to, body, *, sender=""):
        late.by = timedelta(seconds=backoff.DELIVERY_LEASE_SECONDS)  # this send took the whole lease
        return real_send(self, to, body, sender=sender)

    monkeypatch.setattr(locmem.LocmemSmsBackend, "send", slow_send)
    worker.process_batch()
    monkeypatch.setattr(worker, "timezone", timezone)
    statuses = dict(Delivery.objects.values_list("body", "status"))
    assert statuses == {"m0": "sent", "m1": "queued", "m2": "queued"}
    assert Delivery.objects.get(body="m1").attempts == 0
    monkeypatch.setattr(locmem.LocmemSmsBackend, "send", real_send)
    assert worker.drain() == 2
    assert sorted(sms.body for sms in sms_outbox) == ["m0", "m1", "m2"]
    assert {d.pk for d in deliveries} == set(
        Delivery.objects.filter(status="sent").values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_cancelled_deliveries_are_not_sent(backoff, sms_outbox):
    from backend.messaging.services import deliveries_cancel

    deliveries_enqueue(
        [Outgoing(channel="sms", kind="t", body="x", address=PHONE, source="alerts.broadcast:1")] * 2
    )
    assert deliveries_cancel(source="alerts.broadcast:1") == 2
    assert worker.drain() == 0
    assert sms_outbox == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_hand_one_row_to_two_workers(backoff):
    deliveries_enqueue([Outgoing(channel="sms", kind="t", body=f"m{i}", address=PHONE) for i in range(150)])
    claimed: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def run(slot: int) -> None:
        try:
            start.wait()
            # A worker that lost a race gets an empty batch and polls again, like run_worker does.
            while Delivery.objects.filter(status=Delivery.Status.QUEUED).exists():
                claimed[slot].extend(d.pk for d in worker.claim_due(limit=3))
                time.sleep(0.01)  # let the others in, as real workers sending messages would
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    every = [pk for ids in claimed for pk in ids]
    assert len(every) == len(set(every)) == 150
    assert sum(1 for ids in claimed if ids) >= 2, "the workers did not run side by side"


@pytest.mark.django_db
def test_high_priority_deliveries_are_claimed_first(backoff):
    earlier = timezone.now() - timedelta(minutes=5)
    normal = deliveries_enqueue(
        [Outgoing(channel="sms", kind="t", body=f"n{i}", address=PHONE, not_before=earlier) for i in range(3)]
    )
    high = deliveries_enqueue(
        [
            Outgoing(channel="sms", kind="t", body=f"h{i}", address=PHONE, priority=Delivery.Priority.HIGH)
            for i in range(2)
        ]
    )
    first = worker.claim_due(limit=2)
    assert {d.pk for d in first} == {d.pk for d in high}
    assert [d.pk for d in worker.claim_due(limit=10)] == [d.pk for d in normal]  # then oldest first
