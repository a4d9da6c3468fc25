"""Finding 7: SMS pumping. The web forms had no per-address limit (25 requests to 25 different mobile
numbers sent 25 SMS), and each code check cost ~0.2 s of PBKDF2 for a space of 10⁶ codes.

Now phone_code_request itself limits sends per client network (an IPv4 address, an IPv6 /64) and for the
whole platform, whatever the door, and codes are stored as a keyed HMAC (SECRET_KEY).
"""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import PhoneCode
from backend.messaging.backends import locmem
from backend.messaging.worker import drain

pytestmark = pytest.mark.django_db

OTP_URL = "/api/v1/auth/otp/"
TOKEN_URL = "/api/v1/auth/token/"
LIMIT = 10


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.OTP_SENDS_PER_NETWORK_PER_HOUR = LIMIT
    settings.OTP_SENDS_GLOBAL_PER_HOUR = 300


def _sms_sent() -> int:
    drain()
    return len(locmem.sms_outbox)


def test_25_applications_from_one_address_do_not_send_25_sms():
    client = Client(REMOTE_ADDR="203.0.113.7")
    pages = [client.post("/commerces/inscription/", {"phone": f"06 12 34 56 {n:02d}"}) for n in range(25)]
    assert [page.status_code for page in pages[:LIMIT]] == [302] * LIMIT
    refused = pages[LIMIT:]
    assert {page.status_code for page in refused} == {400}
    assert all("Trop de codes demandés depuis cette adresse" in page.content.decode() for page in refused)
    assert _sms_sent() == LIMIT


def test_25_verifications_through_the_api_from_one_address_do_not_send_25_sms():
    client = APIClient(REMOTE_ADDR="203.0.113.8")
    statuses = [
        client.post(
            OTP_URL, {"phone": f"06 12 34 57 {n:02d}", "purpose": "verify"}, format="json"
        ).status_code
        for n in range(25)
    ]
    assert statuses == [202] * LIMIT + [429] * (25 - LIMIT)
    assert _sms_sent() == LIMIT


def test_unknown_numbers_count_too():
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    statuses = [
        client.post(OTP_URL, {"phone": f"06 12 34 58 {n:02d}"}, format="json").status_code
        for n in range(LIMIT + 1)
    ]
    assert statuses == [202] * LIMIT + [429]


def test_the_addresses_of_one_ipv6_64_share_a_bucket(settings):
    settings.OTP_SENDS_PER_NETWORK_PER_HOUR = 3

    def ask(address: str, n: int) -> int:
        client = APIClient(REMOTE_ADDR=address)
        return client.post(
            OTP_URL, {"phone": f"06 12 34 59 {n:02d}", "purpose": "verify"}, format="json"
        ).status_code

    # Four addresses of one subscriber's /64: the fourth request is refused.
    same_64 = ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::9", "2001:db8:1:2:abcd:1:2:3"]
    assert [ask(address, n) for n, address in enumerate(same_64)] == [202, 202, 202, 429]
    # The neighbouring /64 has its own bucket.
    assert ask("2001:db8:1:3::1", 10) == 202
    assert PhoneCode.objects.filter(network="2001:db8:1:2::/64").count() == 3


def test_the_global_limit_holds_across_networks(settings):
    settings.OTP_SENDS_GLOBAL_PER_HOUR = 4
    statuses = []
    for n in range(6):
        client = APIClient(REMOTE_ADDR=f"198.51.100.{n + 1}")
        statuses.append(
            client.post(OTP_URL, {"phone": f"06 12 34 60 {n:02d}", "purpose": "verify"}, format="json")
        )
    assert [response.status_code for response in statuses] == [202] * 4 + [429] * 2
    assert "réessayez dans quelques minutes" in statuses[-1].json()["detail"]
    assert _sms_sent() == 4


def _code_for(phone: str) -> str:
    drain()
    for sms in reversed(locmem.sms_outbox):
        if sms.to == phone and (match := re.search(r"\b(\d{6})\b", sms.body)):
            return match.group(1)
    raise AssertionError(f"no code for {phone}")


def test_codes_are_stored_as_a_keyed_hmac_not_a_pbkdf2_hash(api_client, settings):
    for phone in ("0612346101", "0612346102"):
        api_client.post(OTP_URL, {"phone": phone, "purpose": "verify"}, format="json")
    stored = PhoneCode.objects.get(phone="+33612346101").code_hash
    assert not stored.startswith(("pbkdf2", "argon2", "bcrypt"))
    assert re.fullmatch(r"[0-9a-f]{64}", stored)  # an HMAC-SHA256, no per-row salt or iterations
    first, second = _code_for("+33612346101"), _code_for("+33612346102")

    # Keyed: the same table checked with another key knows no code.
    original_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-key-" + "x" * 50
    response = api_client.post(
        TOKEN_URL, {"phone": "0612346101", "code": first, "purpose": "verify"}, format="json"
    )
    assert response.status_code == 400
    settings.SECRET_KEY = original_key
    response = api_client.post(
        TOKEN_URL, {"phone": "0612346102", "code": second, "purpose": "verify"}, format="json"
    )
    assert response.status_code == 200, response.json()
