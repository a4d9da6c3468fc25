"""Finding 1: staff skipped their second factor. An SMS code alone gave a moderator or an operator a JWT,
and the shopkeepers' web login texted codes to staff numbers.

Now SMS codes are for referents and shopkeepers only (a staff number gets the unknown number's answer and
no SMS), and staff API clients get their tokens from POST /api/v1/auth/staff/token/ (password + TOTP,
locked by django-axes like the login page), which record the second factor.
"""

import re

import pytest
from django_otp.oath import TOTP
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from backend.accounts.models import PhoneCode, Role
from backend.messaging.backends import locmem
from backend.messaging.worker import drain
from tests import factories

pytestmark = pytest.mark.django_db

OTP_URL = "/api/v1/auth/otp/"
TOKEN_URL = "/api/v1/auth/token/"
STAFF_TOKEN_URL = "/api/v1/auth/staff/token/"
PASSWORD = "motdepasse-solide-42"
STAFF_ROLES = [Role.MODERATOR, Role.OPERATOR, Role.ADMIN]


def _codes_sent_to(phone: str) -> list[str]:
    """The codes texted to `phone`, once the outbox worker has sent what is queued."""
    drain()
    return [
        match.group(1)
        for sms in locmem.sms_outbox
        if sms.to == phone and (match := re.search(r"\b(\d{6})\b", sms.body))
    ]


def _totp(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _wrong_totp(device) -> str:
    return f"{(int(_totp(device)) + 1) % 10**6:06d}"


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_a_staff_number_gets_the_unknown_numbers_answer_and_no_code_from_the_api(api_client, commune, role):
    staff, _device = factories.staff(role=role, commune=commune)
    phone = str(staff.phone)
    answer = api_client.post(OTP_URL, {"phone": phone}, format="json")
    unknown = api_client.post(OTP_URL, {"phone": "06 99 88 77 66"}, format="json")
    assert (
        (answer.status_code, answer.json()) == (unknown.status_code, unknown.json()) == (202, answer.json())
    )
    assert _codes_sent_to(phone) == []
    assert not PhoneCode.objects.filter(phone=phone, sent=True).exists()
    # Whatever code is tried, no token.
    response = api_client.post(TOKEN_URL, {"phone": phone, "code": "123456"}, format="json")
    assert response.status_code == 400
    assert "access" not in response.json()


def test_a_superuser_gets_no_code_whatever_their_role(api_client, commune):
    root = factories.user(role=Role.REFERENT, commune=commune, is_superuser=True)
    assert api_client.post(OTP_URL, {"phone": str(root.phone)}, format="json").status_code == 202
    assert _codes_sent_to(str(root.phone)) == []


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_the_shopkeepers_web_login_texts_no_code_to_a_staff_number(client, commune, role):
    staff, _device = factories.staff(role=role, commune=commune)
    response = client.post("/commerces/connexion/", {"phone": str(staff.phone)})
    unknown = client.post("/commerces/connexion/", {"phone": "06 99 88 77 65"})
    assert response.status_code == unknown.status_code == 302
    assert _codes_sent_to(str(staff.phone)) == []


def test_a_code_sent_before_a_promotion_gives_no_token_to_the_new_moderator(api_client, commune):
    user = factories.user(role=Role.REFERENT, commune=commune)
    phone = str(user.phone)
    assert api_client.post(OTP_URL, {"phone": phone}, format="json").status_code == 202
    (code,) = _codes_sent_to(phone)
    user.role = Role.MODERATOR
    user.save(update_fields=["role"])
    response = api_client.post(TOKEN_URL, {"phone": phone, "code": code}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"code": ["Code incorrect ou expiré : demandez un nouveau code."]}


def test_tokens_from_an_sms_code_never_record_a_second_factor(api_client, commune):
    user = factories.user(role=Role.REFERENT, commune=commune)
    api_client.post(OTP_URL, {"phone": str(user.phone)}, format="json")
    (code,) = _codes_sent_to(str(user.phone))
    tokens = api_client.post(TOKEN_URL, {"phone": str(user.phone), "code": code}, format="json").json()
    assert "amr" not in AccessToken(tokens["access"]).payload
    assert "amr" not in RefreshToken(tokens["refresh"]).payload


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_the_staff_token_endpoint_issues_tokens_that_record_the_second_factor(api_client, commune, role):
    staff, device = factories.staff(role=role, commune=commune)
    response = api_client.post(
        STAFF_TOKEN_URL,
        {"phone": str(staff.phone), "password": PASSWORD, "totp": _totp(device)},
        format="json",
    )
    assert response.status_code == 200, response.json()
    tokens = response.json()
    assert AccessToken(tokens["access"])["amr"] == ["pwd", "otp"]
    assert RefreshToken(tokens["refresh"])["amr"] == ["pwd", "otp"]
    me = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert me.json()["id"] == staff.pk


@pytest.mark.parametrize(
    ("role", "password", "code_of"),
    [
        (Role.REFERENT, PASSWORD, _totp),  # not staff, even with a password and a device
        (Role.SHOPKEEPER, PASSWORD, _totp),
        (Role.OPERATOR, "pas-le-bon-mot-de-passe", _totp),
        (Role.OPERATOR, PASSWORD, _wrong_totp),
    ],
)
def test_anyone_else_gets_one_generic_answer(api_client, commune, role, password, code_of):
    user, device = factories.staff(role=role, commune=commune)
    response = api_client.post(
        STAFF_TOKEN_URL,
        {"phone": str(user.phone), "password": password, "totp": code_of(device)},
        format="json",
    )
    unknown = api_client.post(
        STAFF_TOKEN_URL, {"phone": "06 99 88 77 64", "password": PASSWORD, "totp": "123456"}, format="json"
    )
    assert response.status_code == unknown.status_code == 400
    assert response.json() == unknown.json() == {"detail": "Identifiants ou code incorrects.", "errors": {}}


def test_the_staff_token_endpoint_locks_the_account_like_the_login_page(api_client, commune, settings):
    staff, device = factories.staff(role=Role.OPERATOR, commune=commune)
    colleague, colleague_device = factories.staff(role=Role.OPERATOR, commune=commune)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # A right password with a wrong code counts, like a wrong password.
        body = (
            {"password": "mauvais-mot-de-passe", "totp": _totp(device)}
            if attempt % 2
            else {"password": PASSWORD, "totp": _wrong_totp(device)}
        )
        api_client.post(STAFF_TOKEN_URL, {"phone": str(staff.phone), **body}, format="json")
    device.refresh_from_db()
    device.throttle_reset()  # django-otp's own delay after wrong codes: not what is tested here
    locked = api_client.post(
        STAFF_TOKEN_URL,
        {"phone": str(staff.phone), "password": PASSWORD, "totp": _totp(device)},
        format="json",
    )
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert locked.json() == {
        "detail": "Trop d'échecs de connexion : compte bloqué pendant 15 minutes.",
        "errors": {},
    }
    # Locked per account: a colleague behind the same address still gets tokens.
    response = api_client.post(
        STAFF_TOKEN_URL,
        {"phone": str(colleague.phone), "password": PASSWORD, "totp": _totp(colleague_device)},
        format="json",
    )
    assert response.status_code == 200
