"""Moderation through the API: leases, 409s naming the holder, choosing agencies, blocking a sender."""

from typing import Any

import pytest

from alerts.models import Dispatch, Observation, SenderStanding
from tests.alerts import factories as f
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(commune: Any) -> dict[str, Any]:
    pm = f.agency(commune=commune, name="PM")
    pn = f.agency(commune=commune, name="PN", kind="police_nationale")
    f.routing(commune, pm)
    author = f.referent(commune)
    return {
        "observation": f.observation(author, in_progress=False),
        "urgent": f.observation(author, in_progress=True, category="violences"),
        "first": f.moderator(commune),
        "second": f.moderator(commune),
        "pm": pm,
        "pn": pn,
        "author": author,
    }


def test_claim_lease_409_names_the_holder_and_release(item: dict[str, Any]) -> None:
    first, second = api_client_for(item["first"]), api_client_for(item["second"])
    pk = item["observation"].pk
    claimed = first.post(f"/api/v1/moderation/{pk}/claim/").json()
    assert claimed["claimed_by"]["id"] == item["first"].pk
    conflict = second.post(f"/api/v1/moderation/{pk}/claim/")
    assert conflict.status_code == 409
    assert item["first"].display_name in conflict.json()["detail"]
    assert conflict.json()["claimed_by"]["id"] == item["first"].pk
    assert second.post(f"/api/v1/moderation/{pk}/approve/", {}, format="json").status_code == 409
    assert second.post(f"/api/v1/moderation/{pk}/release/").status_code == 409
    assert first.post(f"/api/v1/moderation/{pk}/release/").json()["claimed_by"] is None
    assert second.post(f"/api/v1/moderation/{pk}/claim/").status_code == 200


def test_queue_puts_in_progress_first(item: dict[str, Any]) -> None:
    results = api_client_for(item["first"]).get("/api/v1/moderation/queue/").json()["results"]
    assert [row["id"] for row in results] == [item["urgent"].pk, item["observation"].pk]
    assert results[0]["in_progress"] is True
    assert results[0]["description"]  # moderators read the original text
    assert results[0]["author"]["id"] == item["author"].pk


def test_approve_to_chosen_agencies_or_refuse_unknown_ones(item: dict[str, Any], other_commune: Any) -> None:
    client = api_client_for(item["first"])
    pk = item["observation"].pk
    stranger = f.agency(commune=other_commune, name="Ailleurs")
    response = client.post(f"/api/v1/moderation/{pk}/approve/", {"agencies": [stranger.pk]}, format="json")
    assert response.status_code == 400
    assert "agencies" in response.json()["errors"]
    response = client.post(f"/api/v1/moderation/{pk}/approve/", {"category": "ovni"}, format="json")
    assert response.status_code == 400
    assert Observation.objects.get(pk=pk).status == Observation.Status.PENDING
    detail = client.get(f"/api/v1/moderation/{pk}/").json()
    assert [agency["id"] for agency in detail["suggested_agencies"]] == [item["pm"].pk]
    response = client.post(
        f"/api/v1/moderation/{pk}/approve/", {"agencies": [item["pm"].pk, item["pn"].pk]}, format="json"
    )
    assert response.status_code == 200
    assert set(Dispatch.objects.filter(observation_id=pk).values_list("agency_id", flat=True)) == {
        item["pm"].pk,
        item["pn"].pk,
    }
    history = client.get(f"/api/v1/moderation/{pk}/").json()["history"]
    assert [step["status"] for step in history] == ["pending", "dispatched"]
    assert history[1]["actor"]["id"] == item["first"].pk


def test_reject_needs_a_reason_from_the_list(item: dict[str, Any]) -> None:
    client = api_client_for(item["first"])
    pk = item["observation"].pk
    assert (
        client.post(f"/api/v1/moderation/{pk}/reject/", {"reason": "flemme"}, format="json").status_code
        == 400
    )
    response = client.post(f"/api/v1/moderation/{pk}/reject/", {"reason": "discriminatory"}, format="json")
    assert response.status_code == 200


def test_coordinator_blocks_and_unblocks_a_sender(item: dict[str, Any]) -> None:
    client = api_client_for(item["first"])
    author = item["author"]
    response = client.post(
        f"/api/v1/senders/{author.pk}/block/", {"reason": "Faux signalements."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["blocked_at"]
    assert (
        client.post(f"/api/v1/senders/{author.pk}/block/", {"reason": "Encore."}, format="json").status_code
        == 409
    )
    # Their pending items leave the queue; what they send next is kept, never queued nor dispatched.
    assert client.get("/api/v1/moderation/queue/").json()["count"] == 0
    kept = api_client_for(author).post(
        "/api/v1/observations/",
        {
            "category": "vol",
            "description": "Encore moi.",
            "occurred_at": f.recent().isoformat(),
            **f.NORTH_POINT,
        },
        format="json",
    )
    assert kept.status_code == 201
    assert client.get("/api/v1/moderation/queue/").json()["count"] == 0
    flagged = client.get("/api/v1/senders/flagged/").json()
    assert [row["user_id"] for row in flagged["results"]] == [author.pk]
    assert client.post(f"/api/v1/senders/{author.pk}/unblock/").status_code == 200
    assert SenderStanding.objects.get(user=author).blocked_at is None
