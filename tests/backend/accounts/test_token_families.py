"""JWT families: each login starts one, rotation stays in it, reuse/logout/erasure revoke it; the staff
token records the second factor and keeps its own lifetime through rotation."""

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import RequestFactory
from django.utils import timezone
from django_otp.oath import TOTP
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from backend.accounts.apis import StaffTokenThrottle, TokenRefreshThrottle
from backend.accounts.models import Role, TokenFamily
from backend.accounts.personal_data import account_erase
from backend.accounts.second_factor import request_has_second_factor
from backend.accounts.tokens import FAMILY_CLAIM, JWTAuthentication, tokens_issue
from backend.audit.models import AuditEvent
from tests import factories
from tests.helpers import sms_code

pytestmark = pytest.mark.django_db

OTP_URL = "/api/v1/auth/otp/"
TOKEN_URL = "/api/v1/auth/token/"
STAFF_TOKEN_URL = "/api/v1/auth/staff/token/"
REFRESH_URL = "/api/v1/auth/token/refresh/"
LOGOUT_URL = "/api/v1/auth/logout/"
PASSWORD = "motdepasse-solide-42"


def _totp(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _sms_login(client, user) -> dict[str, str]:
    client.post(OTP_URL, {"phone": str(user.phone)}, format="json")
    response = client.post(
        TOKEN_URL, {"phone": str(user.phone), "code": sms_code(str(user.phone))}, format="json"
    )
    assert response.status_code == 200, response.json()
    return dict(response.json())


def _staff_login(client, user, device) -> dict[str, str]:
    response = client.post(
        STAFF_TOKEN_URL,
        {"phone": str(user.phone), "password": PASSWORD, "totp": _totp(device)},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return dict(response.json())


def _refresh(client, refresh: str):
    return client.post(REFRESH_URL, {"refresh": refresh}, format="json")


def _refresh_claims(raw: Any, *, verify: bool = True) -> dict[str, Any]:
    return dict(RefreshToken(raw, verify=verify).payload)


def _access_claims(raw: Any) -> dict[str, Any]:
    return dict(AccessToken(raw).payload)


def _authenticated(access: str) -> tuple[Any, Any]:
    request: Any = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {access}")
    result = JWTAuthentication().authenticate(request)
    assert result is not None
    return result


def _second_factor(token: Any) -> bool:
    return request_has_second_factor(SimpleNamespace(auth=token, user=None))


def test_an_sms_login_starts_a_family_without_second_factor(api_client, commune):
    user = factories.user(role=Role.REFERENT, commune=commune)
    tokens = _sms_login(api_client, user)
    family = TokenFamily.objects.get(user=user)
    assert family.second_factor is False
    assert _refresh_claims(tokens["refresh"])[FAMILY_CLAIM] == family.pk
    assert _access_claims(tokens["access"])[FAMILY_CLAIM] == family.pk
    authenticated, token = _authenticated(tokens["access"])
    assert authenticated == user
    assert _second_factor(token) is False


def test_rotation_stays_in_the_family_and_slides_an_sms_familys_expiry(api_client, commune):
    user = factories.user(role=Role.REFERENT, commune=commune)
    first = _sms_login(api_client, user)
    second = _refresh(api_client, first["refresh"]).json()
    third = _refresh(api_client, second["refresh"]).json()
    # verify=False: the first two are blacklisted now.
    families = {
        _refresh_claims(tokens["refresh"], verify=False)[FAMILY_CLAIM] for tokens in (first, second, third)
    }
    assert len(families) == 1
    rotated = _refresh_claims(third["refresh"])
    assert timedelta(days=29) < timedelta(seconds=rotated["exp"] - rotated["iat"]) <= timedelta(days=30)


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.OPERATOR, Role.ADMIN])
def test_staff_tokens_record_the_second_factor_through_refresh_and_rotation(
    api_client, commune, settings, role
):
    settings.STAFF_REFRESH_TOKEN_LIFETIME_HOURS = 12
    staff, device = factories.staff(role=role, commune=commune)
    tokens = _staff_login(api_client, staff, device)
    refresh = _refresh_claims(tokens["refresh"])
    assert refresh["amr"] == ["pwd", "otp"]
    assert refresh["exp"] - refresh["iat"] == 12 * 3600
    assert TokenFamily.objects.get(user=staff).second_factor is True

    rotated = _refresh(api_client, tokens["refresh"]).json()
    access, successor = _access_claims(rotated["access"]), _refresh_claims(rotated["refresh"])
    assert (
        access["amr"] == successor["amr"] == ["pwd", "otp"]
    )  # refresh → access copies it, rotation keeps it
    assert successor[FAMILY_CLAIM] == refresh[FAMILY_CLAIM]
    assert successor["exp"] == refresh["exp"]  # 12 h from the login, not 30 days from the rotation
    _user, token = _authenticated(rotated["access"])
    assert _second_factor(token) is True


def test_a_superuser_gets_staff_tokens(api_client):
    root, device = factories.staff(role=Role.ADMIN)
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    assert _access_claims(_staff_login(api_client, root, device)["access"])["amr"] == ["pwd", "otp"]


def test_the_staff_token_is_audited_and_resets_the_failures(api_client, commune):
    from axes.models import AccessAttempt

    staff, device = factories.staff(role=Role.OPERATOR, commune=commune)
    api_client.post(
        STAFF_TOKEN_URL, {"phone": str(staff.phone), "password": "faux", "totp": "000000"}, format="json"
    )
    assert AccessAttempt.objects.filter(failures_since_start__gte=1).exists()
    _staff_login(api_client, staff, device)
    assert AuditEvent.objects.filter(action="auth.login_staff_token", actor_id=staff.pk).count() == 1
    assert not AccessAttempt.objects.filter(failures_since_start__gte=1).exists()
    staff.refresh_from_db()
    assert staff.last_login is not None


def test_an_unreadable_phone_is_a_field_error(api_client):
    response = api_client.post(
        STAFF_TOKEN_URL, {"phone": "pas un numéro", "password": PASSWORD, "totp": "123456"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["phone"]


def test_staff_token_requests_are_throttled_per_address(api_client, monkeypatch):
    monkeypatch.setattr(StaffTokenThrottle, "THROTTLE_RATES", {"staff_token": "2/hour"})
    body = {"phone": "0699887711", "password": PASSWORD, "totp": "123456"}
    statuses = [api_client.post(STAFF_TOKEN_URL, body, format="json").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_reuse_revokes_the_family_and_is_audited(api_client, commune):
    user = factories.user(role=Role.REFERENT, commune=commune)
    first = _sms_login(api_client, user)
    second = _refresh(api_client, first["refresh"]).json()
    assert _refresh(api_client, first["refresh"]).status_code == 401
    family = TokenFamily.objects.get(user=user)
    assert (family.revoked_reason, family.revoked_at is not None) == (TokenFamily.Reason.REUSE, True)
    assert _refresh(api_client, second["refresh"]).status_code == 401
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {second['access']}").status_code == 401
    event = AuditEvent.objects.get(action="auth.token_family_revoked")
    assert event.extra["reason"] == "reuse"


def test_logout_revokes_the_family_and_a_second_logout_is_refused(api_client, commune):
    user = factories.user(role=Role.REFERENT, commune=commune)
    tokens = _sms_login(api_client, user)
    assert api_client.post(LOGOUT_URL, {"refresh": tokens["refresh"]}, format="json").status_code == 204
    assert TokenFamily.objects.get(user=user).revoked_reason == TokenFamily.Reason.LOGOUT
    assert api_client.post(LOGOUT_URL, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    missing = api_client.post(LOGOUT_URL, {}, format="json")
    assert missing.status_code == 400
    assert list(missing.json()["errors"]) == ["refresh"]


def test_logout_of_a_token_issued_before_families_blacklists_it(api_client, commune):
    user = factories.user(role=Role.REFERENT, commune=commune)
    legacy = RefreshToken.for_user(user)  # no fam claim
    assert api_client.post(LOGOUT_URL, {"refresh": str(legacy)}, format="json").status_code == 204
    assert _refresh(api_client, str(legacy)).status_code == 401
    assert AuditEvent.objects.filter(action="auth.logout", actor_id=user.pk).exists()


def test_a_token_issued_before_families_starts_one_when_rotated(api_client, commune):
    user = factories.user(role=Role.REFERENT, commune=commune)
    legacy = RefreshToken.for_user(user)
    rotated = _refresh(api_client, str(legacy))
    assert rotated.status_code == 200
    family = _refresh_claims(rotated.json()["refresh"])[FAMILY_CLAIM]
    assert TokenFamily.objects.get(pk=family).user == user
    assert "amr" not in _refresh_claims(rotated.json()["refresh"])


def test_erasing_an_account_revokes_its_families(commune):
    user = factories.user(role=Role.REFERENT, commune=commune)
    tokens_issue(user=user)
    tokens_issue(user=user)
    account_erase(user=user)
    assert TokenFamily.objects.filter(user=user, revoked_at=None).count() == 0
    assert set(TokenFamily.objects.values_list("revoked_reason", flat=True)) == {TokenFamily.Reason.ERASED}


def test_an_inactive_user_cannot_refresh(api_client, commune):
    user = factories.user(role=Role.REFERENT, commune=commune)
    tokens = tokens_issue(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _refresh(api_client, tokens["refresh"]).status_code == 401


def test_refresh_has_a_generous_bucket_of_its_own(api_client, commune, monkeypatch):
    monkeypatch.setattr(TokenRefreshThrottle, "THROTTLE_RATES", {"token_refresh": "2/hour"})
    user = factories.user(role=Role.REFERENT, commune=commune)
    refresh = tokens_issue(user=user)["refresh"]
    for _ in range(2):
        response = _refresh(api_client, refresh)
        assert response.status_code == 200
        refresh = response.json()["refresh"]
    throttled = _refresh(api_client, refresh)
    assert throttled.status_code == 429
    assert throttled.json()["retry_after"] > 0


@pytest.mark.django_db(transaction=True)
async def test_a_socket_with_an_access_token_of_a_revoked_family_is_anonymous():
    from channels.db import database_sync_to_async

    from backend.asgi import application
    from backend.core.websocket import CLOSE_UNAUTHENTICATED

    @database_sync_to_async
    def issue_and_revoke() -> tuple[str, str]:
        user = factories.user(role=Role.REFERENT)
        live, revoked = tokens_issue(user=user), tokens_issue(user=user)
        TokenFamily.objects.filter(pk=_access_claims(revoked["access"])[FAMILY_CLAIM]).update(
            revoked_at=timezone.now(), revoked_reason=TokenFamily.Reason.LOGOUT
        )
        return live["access"], revoked["access"]

    live, revoked = await issue_and_revoke()
    for token, accepted in ((live, True), (revoked, False)):
        communicator = WebsocketCommunicator(application, f"/ws/ping/?token={token}")
        connected, code = await communicator.connect()
        try:
            if accepted:
                assert connected
                assert (await communicator.receive_json_from())["auth"] == "token"
            else:
                assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)
        finally:
            await communicator.disconnect()
