"""Finding 12 (the token part): reusing a rotated refresh token did not revoke its successor, there was no
logout, and token refresh shared the per-address bucket of code requests (a whole office behind one NAT,
or a carrier's shared address, got locked out).

Now every login starts a token family: reusing a rotated refresh token revokes the whole family (its
newest refresh token and its access tokens too), POST /api/v1/auth/logout/ blacklists a refresh token and
revokes its family, and refresh has its own, generous bucket.
"""

import re

import pytest
from rest_framework.test import APIClient

from backend.accounts.apis import OtpIpThrottle
from backend.accounts.models import PhoneCode, Role
from backend.messaging.backends import locmem
from backend.messaging.worker import drain
from tests import factories

pytestmark = pytest.mark.django_db

OTP_URL = "/api/v1/auth/otp/"
TOKEN_URL = "/api/v1/auth/token/"
REFRESH_URL = "/api/v1/auth/token/refresh/"
LOGOUT_URL = "/api/v1/auth/logout/"


def _login(client: APIClient, phone: str) -> dict[str, str]:
    assert client.post(OTP_URL, {"phone": phone}, format="json").status_code == 202
    drain()
    code = next(
        match.group(1)
        for sms in reversed(locmem.sms_outbox)
        if sms.to == phone and (match := re.search(r"\b(\d{6})\b", sms.body))
    )
    response = client.post(TOKEN_URL, {"phone": phone, "code": code}, format="json")
    assert response.status_code == 200, response.json()
    return dict(response.json())


def _me(client: APIClient, access: str) -> int:
    return int(client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {access}").status_code)


@pytest.fixture
def referent(commune):
    return factories.user(role=Role.REFERENT, commune=commune)


def test_reusing_a_rotated_refresh_token_revokes_its_successor(api_client, referent):
    first = _login(api_client, str(referent.phone))
    second = api_client.post(REFRESH_URL, {"refresh": first["refresh"]}, format="json")
    assert second.status_code == 200
    successor = second.json()
    assert _me(api_client, successor["access"]) == 200

    # Someone replays the old refresh token (a stolen copy): refused, and the whole family with it.
    replay = api_client.post(REFRESH_URL, {"refresh": first["refresh"]}, format="json")
    assert replay.status_code == 401
    assert api_client.post(REFRESH_URL, {"refresh": successor["refresh"]}, format="json").status_code == 401
    assert _me(api_client, successor["access"]) == 401


def test_another_login_of_the_same_person_survives_a_revoked_family(api_client, referent):
    phone = str(referent.phone)
    app = _login(api_client, phone)
    PhoneCode.objects.filter(phone=phone).delete()  # the per-number minute limit: not what is tested here
    tablet = _login(api_client, phone)
    rotated = api_client.post(REFRESH_URL, {"refresh": app["refresh"]}, format="json").json()
    api_client.post(REFRESH_URL, {"refresh": app["refresh"]}, format="json")  # reuse: app's family revoked
    assert api_client.post(REFRESH_URL, {"refresh": rotated["refresh"]}, format="json").status_code == 401
    assert api_client.post(REFRESH_URL, {"refresh": tablet["refresh"]}, format="json").status_code == 200


def test_logout_blacklists_the_refresh_token_and_ends_its_family(api_client, referent):
    tokens = _login(api_client, str(referent.phone))
    response = api_client.post(LOGOUT_URL, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 204
    assert api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    assert _me(api_client, tokens["access"]) == 401


def test_logout_with_a_bad_token_is_an_error_in_the_api_shape(api_client):
    response = api_client.post(LOGOUT_URL, {"refresh": "pas-un-jeton"}, format="json")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"]


def test_token_refresh_has_its_own_bucket(api_client, referent, monkeypatch):
    monkeypatch.setattr(OtpIpThrottle, "THROTTLE_RATES", {"otp_ip": "2/hour"})
    tokens = _login(api_client, str(referent.phone))  # two code calls: the codes' bucket is empty now
    assert api_client.post(OTP_URL, {"phone": "0699887701"}, format="json").status_code == 429
    refreshed = api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 200
    again = api_client.post(REFRESH_URL, {"refresh": refreshed.json()["refresh"]}, format="json")
    assert again.status_code == 200
