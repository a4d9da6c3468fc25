"""The whole flow through the API (issue 4's acceptance): submit → claim → approve → dispatches →
acknowledge → close, with the author told at each step; and the reject, merge, hand-over and emergency
paths."""

from typing import Any

import pytest

from alerts.models import Dispatch, DispatchNote, Notification, Observation
from backend.messaging.models import Device
from backend.messaging.worker import drain
from tests.alerts import factories as f
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db


def _payload(**fields: Any) -> dict[str, Any]:
    burglary = f.submission(
        category="cambriolage",
        description="Deux individus forcent le portail du 12 chemin des Amandiers.",
        in_progress=True,
    )
    return {**burglary, **fields}


@pytest.fixture
def world(commune: Any) -> dict[str, Any]:
    moderator = f.moderator(commune)
    officer = f.operator(commune)
    colleague = f.operator(commune)
    national_officer = f.operator(commune)
    pm = f.agency(
        commune=commune, name="PM des Pennes", members=(officer, colleague), duty_phone="+33611111111"
    )
    pn = f.agency(commune=commune, name="Commissariat", kind="police_nationale", members=(national_officer,))
    f.routing(commune, pm)
    f.fallback(commune, pn)
    author = f.referent(commune)
    Device.objects.create(user=author, token="token-author", platform="android")
    return {
        "moderator": moderator,
        "officer": officer,
        "colleague": colleague,
        "national": national_officer,
        "pm": pm,
        "pn": pn,
        "author": author,
    }


def test_submit_moderate_dispatch_acknowledge_close(world: dict[str, Any], push_outbox: Any) -> None:
    author = api_client_for(world["author"])
    moderator = api_client_for(world["moderator"])
    officer = api_client_for(world["officer"])

    response = author.post("/api/v1/observations/", _payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("PMB-")
    assert body["status"] == "pending"
    assert body["status_label"] == "en attente de modération"
    assert body["sector"]["slug"] == "nord"
    assert body["emergency_reminder"] == "En cas d'urgence, appelez le 17 (ou le 112)."
    assert [step["status"] for step in body["history"]] == ["pending"]
    pk = body["id"]

    queue = moderator.get("/api/v1/moderation/queue/").json()
    assert [item["id"] for item in queue["results"]] == [pk]
    assert moderator.post(f"/api/v1/moderation/{pk}/claim/").status_code == 200
    response = moderator.post(
        f"/api/v1/moderation/{pk}/approve/",
        {
            "redacted_description": "Tentative d'effraction d'un portail, chemin des Amandiers.",
            "category": "suspect",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "dispatched"
    assert response.json()["category"]["slug"] == "suspect"

    dispatches = officer.get("/api/v1/dispatches/").json()
    assert dispatches["count"] == 1
    dispatch = dispatches["results"][0]
    assert dispatch["agency"]["id"] == world["pm"].pk
    assert dispatch["observation"]["description"].startswith("Tentative d'effraction")
    assert "author" not in dispatch["observation"]
    did = dispatch["id"]

    assert officer.post(f"/api/v1/dispatches/{did}/acknowledge/").json()["status"] == "acknowledged"
    assert officer.post(f"/api/v1/dispatches/{did}/acknowledge/").status_code == 409
    response = officer.post(
        f"/api/v1/dispatches/{did}/assign/", {"assignee": world["colleague"].pk}, format="json"
    )
    assert response.json()["assignee"]["id"] == world["colleague"].pk
    response = officer.post(
        f"/api/v1/dispatches/{did}/notes/", {"text": "Patrouille envoyée."}, format="json"
    )
    assert response.status_code == 201
    response = officer.post(f"/api/v1/dispatches/{did}/close/", {"outcome": "no_trace"}, format="json")
    assert response.json()["status"] == "closed"

    mine = author.get(f"/api/v1/observations/{pk}/").json()
    assert mine["status"] == "closed"
    assert [step["status"] for step in mine["history"]] == ["pending", "dispatched", "acknowledged", "closed"]
    assert "Patrouille" not in str(mine)
    assert "Tentative d'effraction" not in str(mine)  # the redaction is for the police only

    drain()
    bodies = [message.body for message in push_outbox if message.token == "token-author"]
    assert len(bodies) == 3
    assert "transmis à la police municipale" in bodies[0]
    assert "pris en compte" in bodies[1]
    assert "clôturé" in bodies[2]
    assert all("Patrouille" not in text and "PM des Pennes" not in text for text in bodies)
    assert Notification.objects.filter(user=world["author"]).count() == 3


def test_reject_tells_the_author_with_the_reason(world: dict[str, Any], sms_outbox: Any) -> None:
    author = api_client_for(world["author"])
    moderator = api_client_for(world["moderator"])
    pk = author.post("/api/v1/observations/", _payload(in_progress=False), format="json").json()["id"]
    response = moderator.post(
        f"/api/v1/moderation/{pk}/reject/",
        {"reason": "out_of_scope", "note": "Adressez-vous à la mairie."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "rejected"
    assert not Dispatch.objects.exists()
    notification = Notification.objects.get(user=world["author"])
    assert "ne relève pas de la police" in notification.body
    assert "Adressez-vous à la mairie." in notification.body
    assert moderator.post(f"/api/v1/moderation/{pk}/approve/", {}, format="json").status_code == 409


def test_merge_marks_the_duplicate(world: dict[str, Any]) -> None:
    author = api_client_for(world["author"])
    moderator = api_client_for(world["moderator"])
    first = author.post("/api/v1/observations/", _payload(), format="json").json()["id"]
    second = author.post("/api/v1/observations/", _payload(), format="json").json()["id"]
    response = moderator.post(f"/api/v1/moderation/{second}/merge/", {"into": first}, format="json")
    assert response.status_code == 200, response.json()
    merged = Observation.objects.get(pk=second)
    assert merged.status == Observation.Status.MERGED
    assert merged.merged_into_id == first
    assert (
        moderator.post(f"/api/v1/moderation/{first}/merge/", {"into": first}, format="json").status_code
        == 400
    )
    assert Notification.objects.filter(user=world["author"], kind="alerts.observation.merged").count() == 1


def test_handover_to_another_agency_with_a_note(world: dict[str, Any]) -> None:
    author = api_client_for(world["author"])
    moderator = api_client_for(world["moderator"])
    officer = api_client_for(world["officer"])
    national = api_client_for(world["national"])
    pk = author.post("/api/v1/observations/", _payload(), format="json").json()["id"]
    moderator.post(f"/api/v1/moderation/{pk}/approve/", {}, format="json")
    did = officer.get("/api/v1/dispatches/").json()["results"][0]["id"]
    response = officer.post(
        f"/api/v1/dispatches/{did}/handover/",
        {"agency": world["pn"].pk, "note": "Relève de la PN (nuit)."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert Dispatch.objects.get(pk=did).status == Dispatch.Status.HANDED_OVER
    received = national.get("/api/v1/dispatches/").json()["results"]
    assert len(received) == 1
    assert received[0]["notes"][0]["text"] == "Relève de la PN (nuit)."
    assert DispatchNote.objects.count() == 2
    assert (
        officer.post(f"/api/v1/dispatches/{did}/close/", {"outcome": "other"}, format="json").status_code
        == 409
    )
    national.post(f"/api/v1/dispatches/{received[0]['id']}/close/", {"outcome": "procedure"}, format="json")
    assert Observation.objects.get(pk=pk).status == Observation.Status.CLOSED


def test_emergency_mode_skips_moderation_for_chosen_categories(world: dict[str, Any]) -> None:
    moderator = api_client_for(world["moderator"])
    author = api_client_for(world["author"])
    response = moderator.put(
        "/api/v1/emergency-mode/",
        {"active": True, "categories": ["cambriolage"], "reason": "Arrêté du maire : série de cambriolages."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["active"] is True
    assert response.json()["categories"] == ["cambriolage"]
    fast = author.post("/api/v1/observations/", _payload(), format="json").json()
    assert fast["status"] == "dispatched"
    slow = author.post("/api/v1/observations/", _payload(category="vol"), format="json").json()
    assert slow["status"] == "pending"
    moderator.put("/api/v1/emergency-mode/", {"active": False, "reason": "Levée."}, format="json")
    again = author.post("/api/v1/observations/", _payload(), format="json").json()
    assert again["status"] == "pending"
    operator_view = api_client_for(world["officer"]).put(
        "/api/v1/emergency-mode/", {"active": True, "categories": ["vol"], "reason": "x"}, format="json"
    )
    assert operator_view.status_code == 403
