"""`manage.py seed_demo` is idempotent and says how to sign in; `manage.py totp_code` gives a usable code."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from backend.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from backend.accounts.models import Role, User
from backend.territory.models import Commune, Sector

pytestmark = pytest.mark.django_db

SECTOR_NAMES = {
    "La Gavotte",
    "Les Amandiers",
    "Bouroumettes",
    "Les Cadeneaux",
    "Agavon",
    "La Renardière / Infernet",
    "Centre",
}


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _snapshot() -> dict[str, list[object]]:
    """Every row of every model, by primary key (and its m2m links): what a second run must not change."""
    snapshot: dict[str, list[object]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label in {"sessions.Session"}:
            continue
        snapshot[model._meta.label] = sorted(model._default_manager.values_list("pk", flat=True))
    return snapshot


def test_seed_demo_builds_the_town_and_prints_how_to_sign_in():
    output = _seed()
    commune = Commune.objects.get(slug="les-pennes-mirabeau")
    assert set(Sector.objects.filter(commune=commune).values_list("name", flat=True)) >= SECTOR_NAMES
    assert all(sector.polygon for sector in Sector.objects.filter(commune=commune))
    for role in Role.values:  # every role has a demo account; the others' work needs two people each
        wanted = 1 if role in Role.OFFICIALS else 2
        assert User.objects.filter(commune=commune, role=role).count() >= wanted, role
    assert f"mot de passe commun : {DEMO_PASSWORD}" in output
    assert "python manage.py totp_code <téléphone>" in output
    assert "/connexion/" in output
    assert "secret TOTP (base32)" in output
    for phone, *_ in DEMO_USERS:
        assert phone in output


def test_seed_demo_twice_changes_nothing():
    _seed()
    before = _snapshot()
    passwords = dict(User.objects.values_list("phone", "password"))
    _seed()
    after = _snapshot()
    assert {label: len(rows) for label, rows in after.items()} == {
        label: len(rows) for label, rows in before.items()
    }
    assert after == before
    assert dict(User.objects.values_list("phone", "password")) == passwords


def test_totp_code_prints_a_code_that_the_staff_login_accepts(client):
    _seed()
    phone = next(phone for phone, _n, role, _s in DEMO_USERS if role == Role.MODERATOR)
    out = StringIO()
    call_command("totp_code", phone, stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6
    assert code.isdigit()
    response = client.post("/connexion/", {"phone": phone, "password": DEMO_PASSWORD, "otp_token": code})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(phone=phone).pk


def test_totp_code_for_an_unknown_phone_fails_clearly():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Aucun appareil TOTP"):
        call_command("totp_code", "0611223344", stdout=StringIO())
