"""Finding 5: a follow-up naming its sender ("C'est Camille … 06 12 …") reached the police verbatim next to
the redacted description, and the moderator could not reject it (409)."""

import pytest

from alerts.models import EventTarget
from tests.helpers import api_client_for
from tests.security.conftest import Towns

pytestmark = pytest.mark.django_db

NAMING = "C'est Camille, du 4 rue Haute, 06 12 34 56 78 : ils sont repartis vers la gare."


def _police_reads(towns: Towns) -> str:
    operator = api_client_for(towns.people["operator_pm_a"])
    listed = operator.get("/api/v1/dispatches/").json()
    return str(listed) + str(
        [
            event.data
            for target in EventTarget.objects.filter(group__startswith="agency.").select_related("event")
            for event in [target.event]
        ]
    )


def test_a_follow_up_sent_before_approval_waits_for_its_own_review(towns: Towns) -> None:
    author = api_client_for(towns.people["referent_a"])
    moderator = api_client_for(towns.people["moderator_a"])
    pending = towns.pending_a
    added = author.post(f"/api/v1/observations/{pending.pk}/additions/", {"text": NAMING}, format="json")
    assert added.status_code == 201
    addition = added.json()["id"]
    assert added.json()["status"] == "pending"
    approved = moderator.post(
        f"/api/v1/moderation/{pending.pk}/approve/",
        {"redacted_description": "Deux individus."},
        format="json",
    )
    assert approved.status_code == 200
    assert "Camille" not in _police_reads(towns)
    listed = moderator.get("/api/v1/moderation/additions/").json()["results"]
    assert [row["id"] for row in listed] == [addition]
    rejected = moderator.post(f"/api/v1/moderation/additions/{addition}/reject/")
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert "Camille" not in _police_reads(towns)


def test_a_moderator_redacts_a_follow_up_before_the_police_read_it(towns: Towns) -> None:
    author = api_client_for(towns.people["referent_a"])
    moderator = api_client_for(towns.people["moderator_a"])
    observation = towns.observation_a  # already with the police
    added = author.post(f"/api/v1/observations/{observation.pk}/additions/", {"text": NAMING}, format="json")
    assert added.status_code == 201
    assert "Camille" not in _police_reads(towns)
    review = moderator.post(
        f"/api/v1/moderation/additions/{added.json()['id']}/approve/",
        {"redacted_text": "Ils sont repartis vers la gare."},
        format="json",
    )
    assert review.status_code == 200
    police = _police_reads(towns)
    assert "Ils sont repartis vers la gare." in police
    assert "Camille" not in police
    assert "06 12" not in police
