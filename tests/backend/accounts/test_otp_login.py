from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.apis import OtpIpThrottle
from backend.accounts.models import PhoneCode, Role
from backend.accounts.otp import client_network, phone_from_verification_token
from backend.messaging.worker import drain
from tests import factories
from tests.helpers import sms_code

pytestmark = pytest.mark.django_db

OTP_URL = "/api/v1/auth/otp/"
TOKEN_URL = "/api/v1/auth/token/"


def _code(sms_outbox: list) -> str:
    return sms_code()


def test_known_user_gets_a_code_and_logs_in(api_client, commune, sms_outbox):
    user = factories.user(role=Role.REFERENT, commune=commune, phone="+33612345678")
    response = api_client.post(OTP_URL, {"phone": "06 12 34 56 78"}, format="json")
    assert response.status_code == 202
    drain()
    assert [sms.to for sms in sms_outbox] == ["+33612345678"]
    stored = PhoneCode.objects.get()
    assert _code(sms_outbox) not in stored.code_hash  # only a hash is kept

    response = api_client.post(TOKEN_URL, {"phone": "+33612345678", "code": _code(sms_outbox)}, format="json")
    assert response.status_code == 200, response.json()
    tokens = response.json()
    me = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert me.status_code == 200
    assert me.json()["id"] == user.pk
    assert me.json()["role"] == "referent"


def test_unknown_number_gets_the_same_answer_and_no_sms(api_client, sms_outbox):
    response = api_client.post(OTP_URL, {"phone": "06 99 99 99 99"}, format="json")
    assert response.status_code == 202
    drain()
    assert sms_outbox == []


def test_inactive_user_gets_no_code(api_client, commune, sms_outbox):
    factories.user(commune=commune, phone="+33612345678", is_active=False)
    assert api_client.post(OTP_URL, {"phone": "0612345678"}, format="json").status_code == 202
    drain()
    assert sms_outbox == []


def test_unparsable_phone_is_a_field_error(api_client):
    response = api_client.post(OTP_URL, {"phone": "pas un numéro"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "phone" in body["errors"]
    assert body["detail"]


def test_expired_code_is_refused(api_client, commune, sms_outbox):
    factories.user(commune=commune, phone="+33612345678")
    api_client.post(OTP_URL, {"phone": "0612345678"}, format="json")
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api_client.post(TOKEN_URL, {"phone": "0612345678", "code": _code(sms_outbox)}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()["errors"]


def test_code_dies_after_five_wrong_tries(api_client, commune, sms_outbox):
    factories.user(commune=commune, phone="+33612345678")
    api_client.post(OTP_URL, {"phone": "0612345678"}, format="json")
    good = _code(sms_outbox)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert (
            api_client.post(TOKEN_URL, {"phone": "0612345678", "code": wrong}, format="json").status_code
            == 400
        )
    assert PhoneCode.objects.get().attempts == 5
    response = api_client.post(TOKEN_URL, {"phone": "0612345678", "code": good}, format="json")
    assert response.status_code == 400


def test_one_send_a_minute_and_five_an_hour(api_client, commune, sms_outbox):
    factories.user(commune=commune, phone="+33612345678")
    assert api_client.post(OTP_URL, {"phone": "0612345678"}, format="json").status_code == 202
    second = api_client.post(OTP_URL, {"phone": "0612345678"}, format="json")
    assert second.status_code == 429
    assert "minute" in second.json()["detail"]
    for minutes in range(2, 6):
        PhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=minutes))
        assert api_client.post(OTP_URL, {"phone": "0612345678"}, format="json").status_code == 202
    PhoneCode.objects.filter(pk=PhoneCode.objects.latest("created_at").pk).update(
        created_at=timezone.now() - timedelta(minutes=2)
    )
    assert PhoneCode.objects.count() == 5
    sixth = api_client.post(OTP_URL, {"phone": "0612345678"}, format="json")
    assert sixth.status_code == 429
    assert "heure" in sixth.json()["detail"]
    drain()
    assert len(sms_outbox) == 5


def test_limits_also_count_unknown_numbers(api_client, sms_outbox):
    assert api_client.post(OTP_URL, {"phone": "0699999999"}, format="json").status_code == 202
    assert api_client.post(OTP_URL, {"phone": "0699999999"}, format="json").status_code == 429


def test_per_ip_limit(api_client, monkeypatch):
    monkeypatch.setattr(OtpIpThrottle, "THROTTLE_RATES", {"otp_ip": "3/hour"})
    statuses = [
        api_client.post(OTP_URL, {"phone": f"06999999{n:02d}"}, format="json").status_code for n in range(4)
    ]
    assert statuses == [202, 202, 202, 429]


def test_verify_purpose_reaches_any_mobile_and_returns_a_verification_token(api_client, sms_outbox):
    response = api_client.post(OTP_URL, {"phone": "0677777777", "purpose": "verify"}, format="json")
    assert response.status_code == 202
    drain()
    assert sms_outbox[-1].to == "+33677777777"
    response = api_client.post(
        TOKEN_URL, {"phone": "0677777777", "code": _code(sms_outbox), "purpose": "verify"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["phone"] == "+33677777777"
    assert "access" not in body
    assert phone_from_verification_token(body["verification_token"]) == "+33677777777"


def test_refresh_rotates(api_client, commune, sms_outbox):
    factories.user(commune=commune, phone="+33612345678")
    api_client.post(OTP_URL, {"phone": "0612345678"}, format="json")
    tokens = api_client.post(
        TOKEN_URL, {"phone": "0612345678", "code": _code(sms_outbox)}, format="json"
    ).json()
    first = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert first.status_code == 200
    assert first.json()["refresh"] != tokens["refresh"]
    replay = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert replay.status_code == 401


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),  # an IPv4 client seen through an IPv6 socket
        (None, ""),
        ("pas une adresse", ""),
    ],
)
def test_sends_are_counted_per_ipv4_address_or_ipv6_64(ip, network):
    assert client_network(ip) == network


def test_the_code_request_records_the_clients_network(api_client):
    api_client.post(OTP_URL, {"phone": "0699999998"}, format="json", REMOTE_ADDR="2001:db8:aa:bb::7")
    assert PhoneCode.objects.get().network == "2001:db8:aa:bb::/64"
