"""Two parallel code requests for a number never seen before: one SMS, one refusal (PostgreSQL and SQLite)."""

import pytest

from backend.accounts.models import PhoneCode
from backend.accounts.otp import OtpThrottled, phone_code_request
from backend.messaging.models import Delivery
from backend.messaging.worker import drain
from tests.helpers import race


@pytest.mark.django_db(transaction=True)
def test_parallel_first_requests_send_one_code(sms_outbox):
    def request() -> str:
        try:
            phone_code_request(phone="0677665544", purpose=PhoneCode.Purpose.VERIFY)
        except OtpThrottled:
            return "throttled"
        return "sent"

    outcomes = [
        result if isinstance(result, str) else f"error: {result!r}" for result in race(*[request] * 3)
    ]
    assert sorted(outcomes) == ["sent", "throttled", "throttled"]
    assert PhoneCode.objects.filter(phone="+33677665544").count() == 1
    drain()
    assert len(sms_outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_from_one_network_cannot_all_pass_its_limit(sms_outbox, settings):
    """Different numbers, one network (an IPv6 /64), a limit of 2: of 4 parallel requests, 2 are sent."""
    settings.OTP_SENDS_PER_NETWORK_PER_HOUR = 2

    def request(n: int) -> str:
        try:
            phone_code_request(
                phone=f"06776655{n:02d}", purpose=PhoneCode.Purpose.VERIFY, ip=f"2001:db8:7:7::{n + 1}"
            )
        except OtpThrottled:
            return "throttled"
        return "sent"

    outcomes = race(*[lambda n=n: request(n) for n in range(4)])
    assert sorted(str(outcome) for outcome in outcomes) == ["sent", "sent", "throttled", "throttled"]
    drain()
    assert len(sms_outbox) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("transient", Delivery.Status.QUEUED),
        ("failed", Delivery.Status.FAILED),
        ("invalid", Delivery.Status.INVALID),
    ],
)
def test_a_provider_failure_is_the_workers_business_not_the_requests(api_client, commune, outcome, status):
    """The code leaves through the outbox: the request answers 202 whatever the provider will say, and
    the worker settles the delivery (a transient failure is retried while the code lives)."""
    from backend.accounts.models import Role
    from backend.messaging.backends import locmem
    from tests import factories

    factories.user(role=Role.REFERENT, commune=commune, phone="+33611111111")
    locmem.sms_script["+33611111111"] = [outcome]
    locmem.sms_script["+33622222222"] = [outcome]
    assert api_client.post("/api/v1/auth/otp/", {"phone": "0611111111"}, format="json").status_code == 202
    response = api_client.post(
        "/api/v1/auth/otp/", {"phone": "0622222222", "purpose": "verify"}, format="json"
    )
    assert response.status_code == 202
    drain()
    assert locmem.sms_outbox == []
    deliveries = Delivery.objects.filter(kind="accounts.phone_code").order_by("id")
    assert [(d.address, d.status) for d in deliveries] == [("+33611111111", status), ("+33622222222", status)]
    for delivery in deliveries:
        # A settled code is blanked; one waiting for its retry keeps its text until it is sent.
        assert (delivery.body == "") == (status != Delivery.Status.QUEUED)
