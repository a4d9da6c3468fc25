"""RGPD: GET /api/v1/me/export/ and DELETE /api/v1/me/, with observations kept but detached."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Observation
from backend.accounts.models import PhoneCode, Role, User
from backend.audit.models import AuditEvent
from backend.messaging.models import Delivery, Device
from neighbours.models import Application, Preferences, Referent
from tests import factories
from tests.helpers import api_client_for
from tests.neighbours import factories as nf

pytestmark = pytest.mark.django_db

OBSERVATION = {
    "category": "suspect",
    "description": "Une voiture fait plusieurs fois le tour du lotissement.",
    "latitude": 43.415,
    "longitude": 5.31,
    "in_progress": False,
}


def _submit(client):
    body = {**OBSERVATION, "occurred_at": (timezone.now() - timedelta(minutes=20)).isoformat()}
    return client.post("/api/v1/observations/", body, format="json")


def test_the_referent_rule_guards_the_real_intake(commune):
    """alerts' intake asks neighbours through the registry: charter first, then it goes through."""
    nf.ready_commune(commune)
    referent = nf.referent(commune, charter_version=None)
    client = api_client_for(referent.user)
    refused = _submit(client)
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Acceptez la charte du référent (version 1) avant de transmettre un signalement."
    )
    assert not Observation.objects.exists()
    assert client.post("/api/v1/referents/me/charter/", {"version": 1}, format="json").status_code == 200
    accepted = _submit(client)
    assert accepted.status_code == 201, accepted.json()
    referent.status = Referent.Status.SUSPENDED
    referent.save()
    assert _submit(client).status_code == 403
    assert Observation.objects.count() == 1


def _referent_with_everything(commune):
    nf.ready_commune(commune)
    referent = nf.referent(
        commune, phone="+33612345678", display_name="Rachid Référent", email="r@example.org"
    )
    Application.objects.create(referent=referent, motivation="Je connais le quartier.")
    Device.objects.create(user=referent.user, token="token-de-rachid-123", platform="android")
    Preferences.objects.create(user=referent.user, push_opt_outs=["prevention"])
    client = api_client_for(referent.user)
    assert _submit(client).status_code == 201
    return referent, client


def test_export_holds_everything_about_the_caller(commune, other_commune):
    referent, client = _referent_with_everything(commune)
    stranger = nf.referent(other_commune, display_name="Quelqu'un d'autre")
    response = client.get("/api/v1/me/export/")
    assert response.status_code == 200
    data = response.json()
    assert data["profile"]["phone"] == "+33612345678"
    assert data["profile"]["display_name"] == "Rachid Référent"
    assert data["profile"]["email"] == "r@example.org"
    assert [device["token"] for device in data["devices"]] == ["token-de-rachid-123"]
    assert data["referent"]["status"] == "active"
    assert data["referent"]["application"]["motivation"] == "Je connais le quartier."
    assert data["preferences"]["push_opt_outs"] == ["prevention"]
    assert [row["description"] for row in data["observations"]] == [OBSERVATION["description"]]
    assert "ip" not in data["observations"][0]
    assert "Quelqu'un d'autre" not in response.content.decode()
    assert stranger.user.phone.as_e164 not in response.content.decode()
    audit = AuditEvent.objects.get(action="account.exported")
    assert audit.actor_id == referent.user.pk
    assert "+33612345678" not in str(audit.extra)


def test_erase_wipes_the_person_and_keeps_observations_detached(commune):
    referent, client = _referent_with_everything(commune)
    user = referent.user
    moderator = factories.user(role=Role.MODERATOR, commune=commune)
    PhoneCode.objects.create(
        phone="+33612345678",
        purpose="verify",
        code_hash="x",
        expires_at=timezone.now() + timedelta(minutes=5),
    )
    queued = Delivery.objects.create(
        channel="push", kind="prevention", body="Fermez vos volets.", recipient=user
    )

    response = client.delete("/api/v1/me/")
    assert response.status_code == 204
    user.refresh_from_db()
    assert user.phone is None
    assert user.display_name == "référent supprimé"
    assert user.email == ""
    assert user.is_active is False
    assert user.erased_at is not None
    assert not user.has_usable_password()
    assert not Device.objects.filter(user=user).exists()
    assert not Preferences.objects.filter(user=user).exists()
    assert not PhoneCode.objects.filter(phone="+33612345678").exists()
    queued.refresh_from_db()
    assert queued.status == Delivery.Status.CANCELLED
    referent.refresh_from_db()
    assert referent.status == Referent.Status.ENDED
    assert Application.objects.get(referent=referent).motivation == ""
    # Kept for the police, shown as « référent supprimé ».
    observation = Observation.objects.get()
    assert observation.author_id == user.pk
    assert str(observation.author) == "référent supprimé"
    assert observation.description == OBSERVATION["description"]
    audit = AuditEvent.objects.get(action="account.erased")
    assert audit.actor_id == user.pk
    assert audit.extra == {"devices_removed": 1}
    # The account can no longer be used, and the phone is free for a new enrolment.
    assert client.get("/api/v1/referents/me/").status_code == 401
    assert User.objects.filter(phone="+33612345678").count() == 0
    roster = api_client_for(moderator).get("/api/v1/referents/").json()["results"]
    assert [(row["display_name"], row["phone"], row["status"]) for row in roster] == [
        ("référent supprimé", None, "ended")
    ]


def test_staff_accounts_are_not_erased_through_the_app(commune):
    moderator = factories.user(role=Role.MODERATOR, commune=commune)
    response = api_client_for(moderator).delete("/api/v1/me/")
    assert response.status_code == 403
    moderator.refresh_from_db()
    assert moderator.is_active is True
    assert moderator.phone is not None


def test_erase_and_export_need_a_login():
    client = api_client_for()
    assert client.delete("/api/v1/me/").status_code == 401
    assert client.get("/api/v1/me/export/").status_code == 401


def test_an_erased_phone_may_apply_again(api_client, commune):
    referent = nf.referent(commune, phone="+33612345678")
    assert api_client_for(referent.user).delete("/api/v1/me/").status_code == 204
    token = nf.verification_token("0612345678")
    response = api_client.post(
        "/api/v1/referents/applications/",
        {"verification_token": token, "commune": commune.slug, "sector": "nord", "display_name": "Nouveau"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Referent.objects.count() == 2
