"""Finding 8: registered numbers could be told apart by response time: the SMS was sent inside the
request, for known numbers only (median 655 ms vs 345 ms with a 0.3 s provider).

Now a code request never calls the provider: it queues an outbox row in its transaction (a cancelled,
empty decoy for a number that may not log in), and the worker sends it. Structural checks, no timing:
with a deliberately slow provider nothing is sent during the request, and a known number, a staff
number and an unknown one run the same SQL statements. (benchmarks/otp_timing.py measures the times.)
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import Role
from backend.messaging.models import Delivery
from backend.messaging.worker import drain
from tests import factories

pytestmark = pytest.mark.django_db

OTP_URL = "/api/v1/auth/otp/"


@pytest.fixture
def slow_provider(settings, tmp_path, monkeypatch):
    """The file SMS backend that sleeps 0.3 s per message after writing it (tests/backend/messaging/slow_backends.py)."""
    settings.SMS_BACKEND = "tests.backend.messaging.slow_backends.SlowFileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    monkeypatch.setenv("SLOW_SMS_SECONDS", "0.3")
    return tmp_path / "sms"


def _files(folder) -> list:
    return sorted(folder.glob("*.json")) if folder.exists() else []


def test_a_code_for_a_known_number_is_queued_not_sent_inside_the_request(api_client, commune, slow_provider):
    user = factories.user(role=Role.REFERENT, commune=commune)
    phone = str(user.phone)
    response = api_client.post(OTP_URL, {"phone": phone}, format="json")
    assert response.status_code == 202
    assert _files(slow_provider) == []  # the provider was not called during the request
    queued = Delivery.objects.get(channel=Delivery.Channel.SMS, address=phone)
    assert queued.status == Delivery.Status.QUEUED
    assert queued.priority == Delivery.Priority.HIGH
    # The worker sends it, then forgets the code.
    drain()
    assert len(_files(slow_provider)) == 1
    queued.refresh_from_db()
    assert queued.status == Delivery.Status.SENT
    assert not re.search(r"\d{6}", queued.body)


def _statements(queries: list[dict]) -> list[tuple[str, tuple[str, ...]]]:
    """Each statement as (verb, tables it names): the same work whatever the values."""
    shapes: list[tuple[str, tuple[str, ...]]] = []
    for query in queries:
        sql = query["sql"]
        verb = sql.split(None, 1)[0].upper()
        if verb in {"SAVEPOINT", "RELEASE", "ROLLBACK"}:
            shapes.append((verb, ()))
            continue
        tables = tuple(re.findall(r'(?:FROM|INTO|UPDATE|JOIN)\s+"?(\w+)"?', sql, flags=re.IGNORECASE))
        shapes.append((verb, tables))
    return shapes


def test_known_staff_and_unknown_numbers_do_the_same_database_work(api_client, commune):
    referent = factories.user(role=Role.REFERENT, commune=commune)
    moderator, _device = factories.staff(role=Role.MODERATOR, commune=commune)
    work = {}
    for name, phone in (
        ("known", str(referent.phone)),
        ("staff", str(moderator.phone)),
        ("unknown", "+33699887760"),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert api_client.post(OTP_URL, {"phone": phone}, format="json").status_code == 202
        work[name] = _statements(queries.captured_queries)
    # The known number's SMS is written to the outbox inside the request…
    assert ("INSERT", ("messaging_delivery",)) in work["known"]
    # … and the others do exactly the same statements (a decoy row that is never sent).
    assert work["staff"] == work["known"]
    assert work["unknown"] == work["known"]
    assert Delivery.objects.filter(status=Delivery.Status.QUEUED).count() == 1
    drain()
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 1
