"""Staff sign-in on /connexion/: password + TOTP, lockout, idle expiry, OTP-verified admin, admin scoping."""

import html
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.utils import timezone

from backend.accounts.models import Role
from backend.messaging.models import Device
from backend.messaging.services import Outgoing, deliveries_enqueue
from tests import factories
from tests.helpers import LOGIN, PASSWORD, post_login, staff_login, totp_now

pytestmark = pytest.mark.django_db


def wrong_code(device) -> str:
    return f"{(int(totp_now(device)) + 1) % 10**6:06d}"


def test_password_and_totp_sign_a_moderator_in(client, commune):
    user, device = factories.staff(role=Role.MODERATOR, commune=commune)
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert "Connexion des agents" in page.content.decode()
    response = post_login(client, user, code=totp_now(device), next="/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session["otp_device_id"] == device.persistent_id


@pytest.mark.parametrize(
    ("password", "code_of", "role"),
    [
        (PASSWORD, wrong_code, Role.OPERATOR),  # wrong second factor
        ("pas-le-bon-mot-de-passe", totp_now, Role.OPERATOR),  # wrong password
        (PASSWORD, lambda device: "", Role.OPERATOR),  # no second factor
        (PASSWORD, totp_now, Role.REFERENT),  # not staff
    ],
)
def test_sign_in_is_refused_without_both_factors_or_without_a_staff_role(
    client, commune, password, code_of, role
):
    user, device = factories.staff(role=role, commune=commune)
    response = post_login(client, user, password=password, code=code_of(device))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Identifiants ou code incorrects." in response.content.decode() or (
        "Ce champ est obligatoire." in response.content.decode()
    )


def test_a_foreign_next_is_ignored(client, commune):
    user, device = factories.staff(commune=commune)
    response = post_login(client, user, code=totp_now(device), next="https://evil.example.com/")
    assert response["Location"] == "/console/"  # a moderator lands on the console (test_landing.py)


def test_the_account_is_locked_after_repeated_failures(client, commune, settings):
    user, device = factories.staff(role=Role.OPERATOR, commune=commune)
    other, other_device = factories.staff(role=Role.OPERATOR, commune=commune)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # Wrong passwords and wrong codes both count.
        response = (
            post_login(client, user, password="mauvais-mot-de-passe", code=totp_now(device))
            if attempt % 2
            else post_login(client, user, code=wrong_code(device))
        )
        assert response.status_code in (200, 429)
    assert _failures() == settings.AXES_FAILURE_LIMIT
    _reset_totp_throttle(device)  # the right password and code, yet refused: the account is locked
    locked = post_login(client, user, code=totp_now(device))
    assert locked.status_code == 429
    page = html.unescape(locked.content.decode())
    assert "Compte bloqué" in page
    assert "Trop d'échecs de connexion" in page
    assert "_auth_user_id" not in client.session
    # Locked per account: a colleague still signs in from the same address.
    staff_login(client, other, other_device)


def test_a_success_before_the_limit_resets_the_failures(client, commune, settings):
    user, device = factories.staff(commune=commune)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, user, code=wrong_code(device))
    assert _failures() == settings.AXES_FAILURE_LIMIT - 1
    _reset_totp_throttle(device)
    staff_login(client, user, device)
    assert _failures() == 0
    client.logout()
    post_login(client, user, code=wrong_code(device))
    assert _failures() == 1


def test_wrong_codes_also_slow_down_the_device(client, commune):
    """django-otp throttles a TOTP device after a wrong code: even the right one waits a moment."""
    user, device = factories.staff(commune=commune)
    post_login(client, user, code=wrong_code(device))
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Three failures: the device waits 4 s (1, 2, 4 …); stamped now so a slow machine cannot outwait it.
    device.throttling_failure_count = 3
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    assert post_login(client, user, code=totp_now(device)).status_code == 200
    assert "_auth_user_id" not in client.session


def _failures() -> int:
    return sum(AccessAttempt.objects.values_list("failures_since_start", flat=True))


def _reset_totp_throttle(device) -> None:
    device.refresh_from_db()
    device.throttle_reset()


def test_the_session_expires_after_inactivity(client, commune, settings):
    user, device = factories.staff(role=Role.ADMIN, commune=commune)
    staff_login(client, user, device)
    assert client.get("/admin/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    # Every request pushes the end back to SESSION_COOKIE_AGE from now (sliding idle timeout).
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert (
        timedelta(seconds=settings.SESSION_COOKIE_AGE - 30)
        < remaining
        <= timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )
    assert settings.SESSION_COOKIE_AGE <= 30 * 60

    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/") or response["Location"].startswith(LOGIN)


def test_the_admin_wants_an_otp_verified_session(client, commune):
    user, device = factories.staff(role=Role.ADMIN, commune=commune)
    client.force_login(user)  # password only: no second factor in this session
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == f"{LOGIN}?next=%2Fadmin%2F"
    client.logout()
    staff_login(client, user, device)
    assert client.get("/admin/").status_code == 200


def test_a_moderator_is_not_an_admin(client, commune):
    user, device = factories.staff(role=Role.MODERATOR, commune=commune)
    staff_login(client, user, device)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 403


# --- admin scoping ---------------------------------------------------------------------------------


@pytest.fixture
def two_communes(commune, other_commune):
    ours = [factories.user(commune=commune, display_name=f"Nôtre {i}") for i in range(2)]
    theirs = [factories.user(commune=other_commune, display_name=f"Autre {i}") for i in range(2)]
    return commune, other_commune, ours, theirs


def _admin(commune, *, superuser: bool = False):
    user, device = factories.staff(role=Role.ADMIN, commune=commune)
    if superuser:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    return user, device


def _changelist_names(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {str(row) for row in response.context["cl"].queryset}


@pytest.mark.parametrize(
    ("url", "ours", "theirs"),
    [
        ("/admin/accounts/user/", {"Nôtre 0", "Nôtre 1"}, {"Autre 0", "Autre 1"}),
        (
            "/admin/territory/sector/",
            {"Nord (Les Pennes-Mirabeau)", "Sud (Les Pennes-Mirabeau)"},
            {"Nord (Septèmes-les-Vallons)", "Sud (Septèmes-les-Vallons)"},
        ),
        ("/admin/territory/commune/", {"Les Pennes-Mirabeau"}, {"Septèmes-les-Vallons"}),
    ],
)
def test_a_commune_admin_sees_only_their_commune(client, two_communes, url, ours, theirs):
    commune, *_ = two_communes
    admin, device = _admin(commune)
    staff_login(client, admin, device)
    names = _changelist_names(client, url)
    assert ours <= names
    assert not (theirs & names)
    model = client.get(url).context["cl"].model
    commune_of = {
        "user": lambda row: row.commune_id,
        "sector": lambda row: row.commune_id,
        "commune": lambda row: row.pk,
    }[model._meta.model_name]
    assert {commune_of(row) for row in client.get(url).context["cl"].queryset} == {commune.pk}


def test_a_commune_admin_sees_only_their_communes_deliveries_and_devices(client, two_communes):
    commune, _other, ours, theirs = two_communes
    for user in (*ours, *theirs):
        Device.objects.create(user=user, token=f"jeton-{user.pk}", platform="android")
    deliveries_enqueue(
        [Outgoing(channel="push", kind="t", body="x", recipient=user) for user in (*ours, *theirs)]
        + [Outgoing(channel="webhook", kind="t", body="x", address="https://pm.example.fr/hook")]
    )
    admin, device = _admin(commune)
    staff_login(client, admin, device)
    deliveries = client.get("/admin/messaging/delivery/").context["cl"].queryset
    assert {d.recipient_id for d in deliveries} == {user.pk for user in ours}
    devices = client.get("/admin/messaging/device/").context["cl"].queryset
    assert {d.user_id for d in devices} == {user.pk for user in ours}
    assert client.get(f"/admin/messaging/delivery/{deliveries[0].pk}/change/").status_code == 200
    client.logout()
    root, root_device = _admin(None, superuser=True)
    staff_login(client, root, root_device)
    assert client.get("/admin/messaging/delivery/").context["cl"].queryset.count() == 5


@pytest.mark.parametrize(
    "url", ["/admin/accounts/user/", "/admin/territory/sector/", "/admin/territory/commune/"]
)
def test_a_superuser_sees_every_commune(client, two_communes, url):
    commune, other, *_ = two_communes
    root, device = _admin(None, superuser=True)
    staff_login(client, root, device)
    rows = client.get(url).context["cl"].queryset
    communes = {row.pk if row._meta.model_name == "commune" else row.commune_id for row in rows}
    assert {commune.pk, other.pk} <= communes


def test_a_commune_admin_cannot_open_another_communes_user(client, two_communes):
    commune, _, _, theirs = two_communes
    admin, device = _admin(commune)
    staff_login(client, admin, device)
    response = client.get(f"/admin/accounts/user/{theirs[0].pk}/change/")
    assert response.status_code == 302  # the admin's "no such object" redirect
    assert response["Location"] == "/admin/"


def test_a_commune_admin_cannot_take_over_a_superuser_of_their_commune(client, commune):
    root = factories.user(role=Role.ADMIN, commune=commune, is_superuser=True, display_name="Racine")
    admin, device = _admin(commune)
    staff_login(client, admin, device)
    assert "Racine" not in _changelist_names(client, "/admin/accounts/user/")
    assert client.get(f"/admin/accounts/user/{root.pk}/password/").status_code in (302, 404)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/phonecode/",  # phone numbers of every commune
        "/admin/otp_totp/totpdevice/",  # second-factor secrets
        "/admin/axes/accessattempt/",
        "/admin/auth/group/",
    ],
)
def test_platform_wide_pages_are_for_superusers_only(client, commune, url):
    admin, device = _admin(commune)
    staff_login(client, admin, device)
    assert client.get(url).status_code == 403
    client.logout()
    root, root_device = _admin(None, superuser=True)
    staff_login(client, root, root_device)
    assert client.get(url).status_code == 200
