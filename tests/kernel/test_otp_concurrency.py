"""Two parallel code requests for a number never seen before: one SMS, one refusal (PostgreSQL and SQLite)."""

import pytest

from backend.accounts.models import PhoneCode
from backend.accounts.otp import OtpThrottled, phone_code_request
from tests.alerts.test_concurrency import _race


@pytest.mark.django_db(transaction=True)
def test_parallel_first_requests_send_one_code(sms_outbox):
    def request() -> str:
        try:
            phone_code_request(phone="0677665544", purpose=PhoneCode.Purpose.VERIFY)
        except OtpThrottled:
            return "throttled"
        return "sent"

    outcomes = [
        result if isinstance(result, str) else f"error: {result!r}" for result in _race(*[request] * 3)
    ]
    assert sorted(outcomes) == ["sent", "throttled", "throttled"]
    assert PhoneCode.objects.filter(phone="+33677665544").count() == 1
    assert len(sms_outbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "verify_status", "field"),
    [("transient", 503, None), ("failed", 503, None), ("invalid", 400, "phone")],
)
def test_a_provider_failure_is_a_clear_answer_not_a_500(api_client, commune, outcome, verify_status, field):
    from backend.accounts.models import Role
    from backend.messaging.backends import locmem
    from tests import factories

    factories.user(role=Role.REFERENT, commune=commune, phone="+33611111111")
    locmem.sms_script["+33611111111"] = [outcome]
    locmem.sms_script["+33622222222"] = [outcome]
    # Logging in: the same 202 as for any number (no enumeration); the person asks again later.
    assert api_client.post("/api/v1/auth/otp/", {"phone": "0611111111"}, format="json").status_code == 202
    response = api_client.post(
        "/api/v1/auth/otp/", {"phone": "0622222222", "purpose": "verify"}, format="json"
    )
    assert response.status_code == verify_status
    body = response.json()
    assert body["detail"]
    assert list(body["errors"]) == ([field] if field else [])
    assert locmem.sms_outbox == []
