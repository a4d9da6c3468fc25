"""Two parallel code requests for a number never seen before: one SMS, one refusal (PostgreSQL and SQLite)."""

import threading

import pytest
from django.db import connection

from backend.accounts.models import PhoneCode
from backend.accounts.otp import OtpThrottled, phone_code_request


@pytest.mark.django_db(transaction=True)
def test_parallel_first_requests_send_one_code(sms_outbox):
    outcomes: list[str] = []
    start = threading.Barrier(3)

    def request() -> None:
        try:
            start.wait()
            phone_code_request(phone="0677665544", purpose=PhoneCode.Purpose.VERIFY)
            outcomes.append("sent")
        except OtpThrottled:
            outcomes.append("throttled")
        except Exception as exc:
            outcomes.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["sent", "throttled", "throttled"]
    assert PhoneCode.objects.filter(phone="+33677665544").count() == 1
    assert len(sms_outbox) == 1
