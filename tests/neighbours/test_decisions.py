"""Coordinators approve, refuse (told by SMS), suspend and end, with reasons in the trail."""

import pytest

from backend.audit.models import AuditEvent
from backend.messaging.models import Delivery, Device
from backend.messaging.worker import drain
from neighbours.models import Referent, ReferentStatusChange
from tests.helpers import api_client_for
from tests.neighbours import factories as nf

pytestmark = pytest.mark.django_db


def _url(referent: Referent, verb: str) -> str:
    return f"/api/v1/referents/{referent.pk}/{verb}/"


def test_approve_a_pending_referent(commune, push_outbox):
    referent = nf.referent(commune, status=Referent.Status.PENDING, charter_version=None)
    Device.objects.create(user=referent.user, token="token-of-the-referent", platform="android")
    moderator = nf.coordinator(commune)
    response = api_client_for(moderator).post(_url(referent, "approve"), {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"
    assert [h["to_status"] for h in response.json()["history"]] == ["active"]
    referent.refresh_from_db()
    assert referent.status == Referent.Status.ACTIVE
    change = ReferentStatusChange.objects.get(referent=referent)
    assert (change.actor, change.from_status, change.to_status) == (moderator, "pending", "active")
    audit = AuditEvent.objects.get(action="referent.active")
    assert audit.actor_id == moderator.pk
    assert audit.extra == {"from": "pending", "to": "active"}
    drain()
    assert [message.token for message in push_outbox] == ["token-of-the-referent"]


def test_refusal_needs_a_reason_and_is_told_by_sms(commune, sms_outbox):
    referent = nf.referent(commune, status=Referent.Status.PENDING, phone="+33612345678")
    client = api_client_for(nf.coordinator(commune))
    missing = client.post(_url(referent, "refuse"), {}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()["errors"]
    response = client.post(_url(referent, "refuse"), {"reason": "Secteur déjà couvert."}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "refused"
    assert ReferentStatusChange.objects.get(referent=referent).reason == "Secteur déjà couvert."
    sms = Delivery.objects.get(kind="referent.refused")
    assert sms.recipient == referent.user
    assert sms.channel == "sms"
    drain()
    assert [message.to for message in sms_outbox] == ["+33612345678"]
    assert "Secteur déjà couvert." in sms_outbox[0].body


def test_suspend_then_reinstate_then_end(commune):
    referent = nf.referent(commune)
    client = api_client_for(nf.coordinator(commune))
    assert client.post(_url(referent, "suspend"), {"reason": "Enquête en cours."}, format="json").json()[
        "status"
    ] == ("suspended")
    assert (
        client.post(_url(referent, "approve"), {"reason": "Levée."}, format="json").json()["status"]
        == "active"
    )
    ended = client.post(_url(referent, "end"), {"reason": "Déménagement."}, format="json")
    assert ended.status_code == 200
    assert [(h["from_status"], h["to_status"], h["reason"]) for h in ended.json()["history"]] == [
        ("active", "suspended", "Enquête en cours."),
        ("suspended", "active", "Levée."),
        ("active", "ended", "Déménagement."),
    ]
    assert list(
        AuditEvent.objects.filter(object_id=str(referent.pk), object_type="neighbours.referent")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["referent.suspended", "referent.active", "referent.ended"]


@pytest.mark.parametrize(
    ("status", "verb"),
    [
        (Referent.Status.PENDING, "suspend"),
        (Referent.Status.PENDING, "end"),
        (Referent.Status.ACTIVE, "approve"),
        (Referent.Status.ACTIVE, "refuse"),
        (Referent.Status.REFUSED, "approve"),
        (Referent.Status.ENDED, "approve"),
        (Referent.Status.ENDED, "suspend"),
        (Referent.Status.SUSPENDED, "suspend"),
        (Referent.Status.SUSPENDED, "refuse"),
    ],
)
def test_transitions_that_make_no_sense_are_conflicts(commune, status, verb):
    referent = nf.referent(commune, status=status)
    response = api_client_for(nf.coordinator(commune)).post(
        _url(referent, verb), {"reason": "Parce que."}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Impossible : ce référent est")
    referent.refresh_from_db()
    assert referent.status == status
    assert not ReferentStatusChange.objects.exists()


def test_coordinator_moves_a_referent_and_sets_trust(commune, other_commune):
    referent = nf.referent(commune)
    client = api_client_for(nf.coordinator(commune))
    response = client.patch(
        f"/api/v1/referents/{referent.pk}/", {"sector": "sud", "trusted": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["sector"]["slug"] == "sud"
    assert response.json()["trusted"] is True
    audit = AuditEvent.objects.get(action="referent.updated")
    assert audit.changed_fields == ["sector", "trusted"]
    foreign = client.patch(
        f"/api/v1/referents/{referent.pk}/", {"sector": nf.sector(other_commune).pk}, format="json"
    )
    assert foreign.status_code == 400
    assert "sector" in foreign.json()["errors"]
