"""Login codes through the outbox: queued in the request, sent by the worker first, never late, and not
readable once settled (Delivery.expires_at and redact_when_settled, usable by any secret message)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.models import PhoneCode, Role
from backend.accounts.otp import CODE_KIND, phone_code_request
from backend.messaging.backends import locmem
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue
from backend.messaging.worker import drain, process_batch
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def referent(commune):
    return factories.user(role=Role.REFERENT, commune=commune, phone="+33612340001")


def _code_delivery() -> Delivery:
    return Delivery.objects.get(kind=CODE_KIND, status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING])


def test_a_code_is_queued_with_its_expiry_and_sent_by_the_worker(referent, sms_outbox, settings):
    phone_code_request(phone="0612340001", ip="192.0.2.1")
    delivery = _code_delivery()
    assert (delivery.address, delivery.recipient_id, delivery.priority) == ("+33612340001", None, "high")
    code = PhoneCode.objects.get()
    assert (
        delivery.expires_at
        == code.expires_at
        == code.created_at + timedelta(seconds=settings.OTP_CODE_TTL_SECONDS)
    )
    assert sms_outbox == []
    drain()
    assert [sms.to for sms in sms_outbox] == ["+33612340001"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.body) == (Delivery.Status.SENT, "")


def test_a_code_that_could_not_leave_in_time_is_never_sent(referent, sms_outbox):
    phone_code_request(phone="0612340001")
    Delivery.objects.filter(kind=CODE_KIND).update(expires_at=timezone.now() - timedelta(seconds=1))
    drain()
    assert sms_outbox == []
    delivery = Delivery.objects.get(kind=CODE_KIND)
    assert delivery.status == Delivery.Status.FAILED
    assert "expired" in delivery.last_error
    assert delivery.body == ""


def test_a_transient_failure_keeps_the_text_until_the_retry_sends_it(referent, sms_outbox, settings):
    settings.DELIVERY_BACKOFF_BASE_SECONDS = 1
    locmem.sms_script["+33612340001"] = ["transient"]
    phone_code_request(phone="0612340001")
    drain()
    delivery = Delivery.objects.get(kind=CODE_KIND)
    assert delivery.status == Delivery.Status.QUEUED
    assert "code est" in delivery.body
    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now())
    drain()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.body) == (Delivery.Status.SENT, "")
    assert len(sms_outbox) == 1


def test_a_number_that_may_not_log_in_gets_an_empty_cancelled_decoy(commune, sms_outbox):
    moderator, _device = factories.staff(role=Role.MODERATOR, commune=commune)
    phone_code_request(phone=str(moderator.phone))
    phone_code_request(phone="0699880001")
    decoys = Delivery.objects.filter(kind=CODE_KIND)
    assert [(d.status, d.address, d.body) for d in decoys] == [(Delivery.Status.CANCELLED, "", "")] * 2
    assert drain() == 0
    assert sms_outbox == []


def test_codes_go_before_a_backlog(referent, sms_outbox):
    deliveries_enqueue(
        [
            Outgoing(channel=Delivery.Channel.SMS, kind="test", body=f"m{n}", address="+33600000009")
            for n in range(5)
        ]
    )
    phone_code_request(phone="0612340001")
    process_batch(limit=1)
    assert [sms.to for sms in sms_outbox] == ["+33612340001"]


def test_other_deliveries_keep_their_text_once_sent(sms_outbox):
    (delivery,) = deliveries_enqueue(
        [Outgoing(channel=Delivery.Channel.SMS, kind="test", body="Bonjour", address="+33600000008")]
    )
    drain()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.body) == (Delivery.Status.SENT, "Bonjour")


def test_a_secret_push_is_blanked_too(commune, push_outbox):
    from backend.messaging.models import Device

    user = factories.user(role=Role.REFERENT, commune=commune)
    Device.objects.create(user=user, token="jeton-secret", platform="android")
    (delivery,) = deliveries_enqueue(
        [
            Outgoing(
                channel=Delivery.Channel.PUSH,
                kind="test",
                body="secret",
                recipient=user,
                redact_when_settled=True,
            )
        ]
    )
    drain()
    assert [message.body for message in push_outbox] == ["secret"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.body) == (Delivery.Status.SENT, "")
