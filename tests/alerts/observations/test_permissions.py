"""Who sees what, table-driven: a referent only their own observations; an operator only the dispatches of
their agencies; a moderator of one commune nothing of another."""

from typing import Any

import pytest

from alerts import services
from alerts.models import Dispatch, ObservationRead
from backend.accounts.models import Role
from tests import factories
from tests.alerts import factories as f
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db

SECRET = "Le voisin du 4 est absent, la clé est sous le pot."


@pytest.fixture
def world(commune: Any, other_commune: Any) -> dict[str, Any]:
    people = {
        "author": f.referent(commune),
        "referent": f.referent(commune),
        "shopkeeper": factories.user(role=Role.SHOPKEEPER, commune=commune),
        "moderator": f.moderator(commune),
        "other_moderator": f.moderator(other_commune),
        "pm_operator": f.operator(commune),
        "pn_operator": f.operator(commune),
        "other_operator": f.operator(other_commune),
        "admin": factories.user(role=Role.ADMIN, commune=commune),
    }
    pm = f.agency(commune=commune, members=(people["pm_operator"],))
    f.agency(commune=commune, name="PN", kind="police_nationale", members=(people["pn_operator"],))
    other = f.agency(commune=other_commune, name="PM Septèmes", members=(people["other_operator"],))
    del other
    f.routing(commune, pm)
    observation = f.observation(people["author"], description=SECRET)
    services.observation_approve(observation=observation, actor=people["moderator"])
    pending = f.observation(people["author"], description="Encore en attente.")
    return {
        **people,
        "observation": observation,
        "pending": pending,
        "dispatch": Dispatch.objects.get(observation=observation),
    }


# person, GET observation detail, GET moderation item, GET dispatch detail, sees the dispatch in the list
TABLE = [
    ("author", 200, 403, 403, None),
    ("referent", 404, 403, 403, None),
    ("shopkeeper", 404, 403, 403, None),
    ("moderator", 200, 200, 403, None),
    ("other_moderator", 404, 404, 403, None),
    ("pm_operator", 200, 403, 200, True),
    ("pn_operator", 404, 403, 404, False),
    ("other_operator", 404, 403, 404, False),
    ("admin", 200, 200, 200, True),
]


@pytest.mark.parametrize(("who", "detail", "moderation", "dispatch", "listed"), TABLE)
def test_visibility(
    world: dict[str, Any], who: str, detail: int, moderation: int, dispatch: int, listed: bool | None
) -> None:
    client = api_client_for(world[who])
    observation, dispatch_row = world["observation"], world["dispatch"]
    response = client.get(f"/api/v1/observations/{observation.pk}/")
    assert response.status_code == detail
    if detail != 200:
        assert SECRET not in response.content.decode()
    assert client.get(f"/api/v1/moderation/{observation.pk}/").status_code == moderation
    assert client.get(f"/api/v1/dispatches/{dispatch_row.pk}/").status_code == dispatch
    if listed is not None:
        ids = [row["id"] for row in client.get("/api/v1/dispatches/").json()["results"]]
        assert (dispatch_row.pk in ids) is listed


def test_operators_never_see_the_author_nor_pending_items(world: dict[str, Any]) -> None:
    client = api_client_for(world["pm_operator"])
    body = client.get(f"/api/v1/observations/{world['observation'].pk}/").json()
    assert "author" not in body
    assert str(world["author"].display_name) not in str(body)
    assert client.get(f"/api/v1/observations/{world['pending'].pk}/").status_code == 404
    read = ObservationRead.objects.get(actor=world["pm_operator"])
    assert (read.observation_id, read.view, read.door) == (world["observation"].pk, "police", "api")


def test_a_referent_lists_only_their_own(world: dict[str, Any]) -> None:
    mine = api_client_for(world["author"]).get("/api/v1/observations/").json()
    assert mine["count"] == 2
    assert api_client_for(world["referent"]).get("/api/v1/observations/").json()["count"] == 0
    filtered = api_client_for(world["author"]).get("/api/v1/observations/?status=pending").json()
    assert [row["id"] for row in filtered["results"]] == [world["pending"].pk]


def test_moderators_of_another_commune_cannot_act(world: dict[str, Any]) -> None:
    client = api_client_for(world["other_moderator"])
    pending = world["pending"]
    for action in ("claim", "release", "approve", "reject", "merge"):
        response = client.post(f"/api/v1/moderation/{pending.pk}/{action}/", {}, format="json")
        assert response.status_code == 404, action
    assert client.get("/api/v1/moderation/queue/").json()["count"] == 0


@pytest.mark.parametrize("who", ["author", "pm_operator", "shopkeeper"])
def test_non_moderators_cannot_moderate(world: dict[str, Any], who: str) -> None:
    client = api_client_for(world[who])
    assert client.post(f"/api/v1/moderation/{world['pending'].pk}/claim/").status_code == 403
    assert client.get("/api/v1/moderation/queue/").status_code == 403


@pytest.mark.parametrize("who", ["pn_operator", "other_operator", "moderator", "author"])
def test_only_the_agency_acts_on_its_dispatch(world: dict[str, Any], who: str) -> None:
    client = api_client_for(world[who])
    response = client.post(f"/api/v1/dispatches/{world['dispatch'].pk}/acknowledge/")
    assert response.status_code in (403, 404)
    assert Dispatch.objects.get(pk=world["dispatch"].pk).status == Dispatch.Status.SENT


def test_operators_and_moderators_cannot_submit(world: dict[str, Any]) -> None:
    for who in ("moderator", "pm_operator"):
        response = api_client_for(world[who]).post("/api/v1/observations/", {}, format="json")
        assert response.status_code == 403


def test_anonymous_gets_401(world: dict[str, Any]) -> None:
    client = api_client_for(None)
    for url in (
        "/api/v1/observations/",
        "/api/v1/categories/",
        "/api/v1/moderation/queue/",
        "/api/v1/dispatches/",
    ):
        assert client.get(url).status_code == 401, url
