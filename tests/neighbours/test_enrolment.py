"""Enrolment by application and by invitation, with every bad input of the acceptance list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.models import PhoneCode, Role, User
from backend.audit.models import AuditEvent
from backend.messaging.models import Delivery
from backend.messaging.worker import drain
from neighbours.models import Application, Invitation, Referent, ReferentStatusChange
from tests import factories
from tests.helpers import api_client_for
from tests.neighbours import factories as nf

pytestmark = pytest.mark.django_db

APPLY = "/api/v1/referents/applications/"
INVITE = "/api/v1/referents/invitations/"


def _accept_url(code: str) -> str:
    return f"/api/v1/referents/invitations/{code}/accept/"


def _application(token: str, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "verification_token": token,
        "commune": "les-pennes-mirabeau",
        "sector": "nord",
        "display_name": "Rose Référente",
        "motivation": "Je connais bien le quartier.",
    }
    body.update(overrides)
    return body


# --- applications -------------------------------------------------------------------------------------
def test_application_creates_a_pending_referent_who_can_follow_it(api_client, commune):
    nf.ready_commune(commune)
    token = nf.verification_token("06 12 34 56 78")
    response = api_client.post(APPLY, _application(token), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["referent"]["status"] == "pending"
    assert body["referent"]["sector"]["slug"] == "nord"
    assert body["referent"]["can_submit"] is False
    assert body["referent"]["must_accept_charter"] is True
    referent = Referent.objects.select_related("user").get()
    assert str(referent.user.phone) == "+33612345678"
    assert referent.user.role == Role.REFERENT
    assert referent.user.commune == commune
    assert referent.source == Referent.Source.APPLICATION
    assert Application.objects.get(referent=referent).motivation == "Je connais bien le quartier."
    assert AuditEvent.objects.filter(action="referent.applied", object_id=str(referent.pk)).exists()
    # The tokens returned log the applicant in.
    me = api_client.get("/api/v1/referents/me/", HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.status_code == 200
    assert (
        me.json()["cannot_submit_reason"]
        == "Votre inscription de référent attend la validation de la mairie."
    )


def test_sector_may_be_given_by_id(api_client, commune):
    token = nf.verification_token("0612345678")
    response = api_client.post(APPLY, _application(token, sector=nf.sector(commune, "sud").pk), format="json")
    assert response.status_code == 201, response.json()
    assert Referent.objects.get().sector.slug == "sud"


def test_second_application_from_the_same_phone_is_refused(api_client, commune):
    first = nf.verification_token("0612345678")
    assert api_client.post(APPLY, _application(first), format="json").status_code == 201
    # A second code needs the per-minute limit to have passed.
    PhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    second = nf.verification_token("0612345678")
    response = api_client.post(APPLY, _application(second, display_name="Autre nom"), format="json")
    assert response.status_code == 409
    assert response.json()["errors"]["phone"] == [
        "Une candidature a déjà été déposée avec ce numéro : elle attend la mairie."
    ]
    assert Referent.objects.count() == 1
    assert User.objects.get().display_name == "Rose Référente"


def test_application_with_the_phone_of_another_kind_of_account_is_refused(api_client, commune):
    factories.user(role=Role.SHOPKEEPER, commune=commune, phone="+33612345678")
    token = nf.verification_token("0612345678")
    response = api_client.post(APPLY, _application(token), format="json")
    assert response.status_code == 409
    assert "phone" in response.json()["errors"]
    assert not Referent.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"verification_token": "pas-un-jeton"}, 400, "verification_token"),
        ({"sector": "nulle-part"}, 400, "sector"),
        ({"commune": "atlantide"}, 400, "commune"),
        ({"display_name": ""}, 400, "display_name"),
        ({"display_name": "x" * 151}, 400, "display_name"),
        ({"motivation": "m" * 1001}, 400, "motivation"),
        ({"sector": ["nord"]}, 400, "sector"),
    ],
)
def test_bad_application_input_is_a_clear_4xx_and_stores_nothing(
    api_client, commune, overrides, status, field
):
    token = nf.verification_token("0612345678")
    response = api_client.post(APPLY, _application(token, **overrides), format="json")
    assert response.status_code == status, response.json()
    assert field in response.json()["errors"]
    assert response.json()["detail"]
    assert not Referent.objects.exists()
    assert not User.objects.exists()


def test_sector_of_another_commune_is_refused(api_client, commune, other_commune):
    token = nf.verification_token("0612345678")
    foreign = nf.sector(other_commune, "nord")
    response = api_client.post(APPLY, _application(token, sector=foreign.pk), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["sector"] == ["Ce secteur n'appartient pas à votre commune."]
    assert not Referent.objects.exists()


def test_expired_verification_token_is_refused(api_client, commune, settings):
    token = nf.verification_token("0612345678")
    settings.PHONE_VERIFICATION_TOKEN_TTL_SECONDS = -1
    response = api_client.post(APPLY, _application(token), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["verification_token"] == [
        "Vérification du numéro expirée : recommencez."
    ]


# --- invitations ----------------------------------------------------------------------------------------
def _invite(commune, phone="06 12 34 56 78", sector="nord", **extra):
    moderator = nf.coordinator(commune)
    response = api_client_for(moderator).post(
        INVITE, {"phone": phone, "sector": sector, **extra}, format="json"
    )
    return moderator, response


def test_coordinator_invites_a_phone_and_the_code_goes_by_sms(commune):
    moderator, response = _invite(commune, display_name="Inès Invitée")
    assert response.status_code == 201, response.json()
    body = response.json()
    invitation = Invitation.objects.get()
    assert body["code"] == invitation.code
    assert len(invitation.code) == 8
    assert body["phone"] == "+33612345678"
    assert body["state"] == "pending"
    assert invitation.invited_by == moderator
    assert timedelta(days=13, hours=23) < invitation.expires_at - invitation.created_at <= timedelta(days=14)
    sms = Delivery.objects.get(kind="referent.invitation")
    assert sms.address == "+33612345678"
    assert invitation.code in sms.body
    assert AuditEvent.objects.filter(action="referent.invited", actor_id=moderator.pk).exists()
    listing = api_client_for(moderator).get(INVITE)
    assert [row["code"] for row in listing.json()["results"]] == [invitation.code]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"phone": "0612345678", "sector": "nulle-part"}, "sector", "Secteur inconnu."),
        ({"phone": "pas un numéro", "sector": "nord"}, "phone", "Numéro de téléphone illisible."),
        ({"phone": "04 91 00 00 00", "sector": "nord"}, "phone", "Ce numéro n'est pas un numéro de mobile."),
        ({"sector": "nord"}, "phone", "Ce champ est obligatoire."),
    ],
)
def test_bad_invitation_input(commune, body, field, message):
    moderator = nf.coordinator(commune)
    response = api_client_for(moderator).post(INVITE, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
    assert not Invitation.objects.exists()


def test_invitation_into_a_sector_of_another_commune_is_refused(commune, other_commune):
    moderator = nf.coordinator(commune)
    response = api_client_for(moderator).post(
        INVITE, {"phone": "0612345678", "sector": nf.sector(other_commune, "sud").pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["sector"] == ["Ce secteur n'appartient pas à votre commune."]


def test_inviting_an_active_referent_is_a_conflict(commune):
    nf.referent(commune, phone="+33612345678")
    _moderator, response = _invite(commune)
    assert response.status_code == 409
    assert response.json()["errors"]["phone"] == ["Ce numéro est déjà inscrit comme référent."]


def test_invitation_accepted_makes_a_pending_referent(api_client, commune):
    nf.ready_commune(commune)
    _moderator, response = _invite(commune, display_name="Inès Invitée")
    code = response.json()["code"]
    token = nf.verification_token("0612345678")
    accepted = api_client.post(_accept_url(code.lower()), {"verification_token": token}, format="json")
    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["referent"]["status"] == "pending"
    assert accepted.json()["referent"]["display_name"] == "Inès Invitée"
    referent = Referent.objects.get()
    assert referent.source == Referent.Source.INVITATION
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is not None
    assert invitation.referent == referent
    assert ReferentStatusChange.objects.filter(referent=referent, to_status="pending").exists()


def test_used_invitation_is_refused(api_client, commune):
    _moderator, response = _invite(commune, display_name="Inès")
    code = response.json()["code"]
    token = nf.verification_token("0612345678")
    assert api_client.post(_accept_url(code), {"verification_token": token}, format="json").status_code == 201
    again = api_client.post(_accept_url(code), {"verification_token": token}, format="json")
    assert again.status_code == 409
    assert again.json()["errors"]["code"] == ["Cette invitation a déjà été utilisée."]
    assert Referent.objects.count() == 1


def test_expired_invitation_is_refused(api_client, commune):
    _moderator, response = _invite(commune, display_name="Inès")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    token = nf.verification_token("0612345678")
    expired = api_client.post(
        _accept_url(response.json()["code"]), {"verification_token": token}, format="json"
    )
    assert expired.status_code == 410
    assert expired.json()["errors"]["code"] == [
        "Cette invitation a expiré : demandez-en une nouvelle à la mairie."
    ]
    assert not Referent.objects.exists()


def test_unknown_invitation_code(api_client, commune):
    token = nf.verification_token("0612345678")
    response = api_client.post(_accept_url("ZZZZZZZZ"), {"verification_token": token}, format="json")
    assert response.status_code == 404
    assert "code" in response.json()["errors"]


@pytest.mark.parametrize(
    ("invitation", "phone", "status", "field"),
    [
        pytest.param({"display_name": "Inès"}, "0699999999", 403, "verification_token", id="another_phone"),
        pytest.param({}, "0612345678", 400, "display_name", id="without_any_name"),
    ],
)
def test_an_invitation_accepted_wrongly_is_refused(api_client, commune, invitation, phone, status, field):
    """Accepted with another phone than the invited one: refused; with no name at all: asks for one."""
    _moderator, response = _invite(commune, **invitation)
    token = nf.verification_token(phone)
    accepted = api_client.post(
        _accept_url(response.json()["code"]), {"verification_token": token}, format="json"
    )
    assert accepted.status_code == status
    assert field in accepted.json()["errors"]
    assert Invitation.objects.get().accepted_at is None


def test_an_ended_referent_may_be_invited_back(api_client, commune):
    former = nf.referent(commune, status=Referent.Status.ENDED, phone="+33612345678")
    _moderator, response = _invite(commune, sector="sud")
    assert response.status_code == 201, response.json()
    token = nf.verification_token("0612345678")
    accepted = api_client.post(
        _accept_url(response.json()["code"]),
        {"verification_token": token, "display_name": "De retour"},
        format="json",
    )
    assert accepted.status_code == 201, accepted.json()
    former.refresh_from_db()
    assert former.status == Referent.Status.PENDING
    assert former.sector.slug == "sud"
    assert Referent.objects.count() == 1


def test_a_retried_invitation_with_its_idempotency_key_sends_one_code(commune, sms_outbox):
    moderator = nf.coordinator(commune)
    client = api_client_for(moderator)
    body = {"phone": "06 12 34 56 78", "sector": "nord"}
    first = client.post(INVITE, body, format="json", HTTP_IDEMPOTENCY_KEY="invitation-1")
    again = client.post(INVITE, body, format="json", HTTP_IDEMPOTENCY_KEY="invitation-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Invitation.objects.count() == 1
    drain()
    assert len([sms for sms in sms_outbox if sms.to == "+33612345678"]) == 1
