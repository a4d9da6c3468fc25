"""Who may call what; a referent or coordinator of one commune never sees another commune's referents."""

import pytest

from alerts.registry import AudienceQuery, audience_provider
from backend.accounts.models import Role
from neighbours.models import Application, Referent
from tests import factories
from tests.helpers import api_client_for
from tests.neighbours import factories as nf

pytestmark = pytest.mark.django_db

CALLERS = [
    "anonymous",
    "referent_a",
    "shopkeeper_a",
    "operator_a",
    "moderator_a",
    "admin_a",
    "moderator_b",
    "admin_b",
    "referent_b",
]


@pytest.fixture
def world(commune, other_commune):
    nf.ready_commune(commune)
    nf.ready_commune(other_commune)
    people = {
        "anonymous": None,
        "referent_a": nf.referent(commune, display_name="Alice de A").user,
        "shopkeeper_a": factories.user(role=Role.SHOPKEEPER, commune=commune),
        "operator_a": factories.user(role=Role.OPERATOR, commune=commune),
        "moderator_a": factories.user(role=Role.MODERATOR, commune=commune),
        "admin_a": factories.user(role=Role.ADMIN, commune=commune),
        "moderator_b": factories.user(role=Role.MODERATOR, commune=other_commune),
        "admin_b": factories.user(role=Role.ADMIN, commune=other_commune),
        "referent_b": nf.referent(other_commune, display_name="Bruno de B").user,
    }
    target = nf.referent(commune, status=Referent.Status.PENDING, display_name="Cible de A")
    return people, target


ALLOWED_A = {"moderator_a": 200, "admin_a": 200}


def _expected(caller, *, own_commune_status=200, other_commune_status=404):
    if caller == "anonymous":
        return 401
    if caller in ("moderator_a", "admin_a"):
        return own_commune_status
    if caller in ("moderator_b", "admin_b"):
        return other_commune_status
    return 403


# (method, path template, body, status for the target's coordinators, status for the other commune's)
COORDINATOR_ENDPOINTS = [
    ("get", "/api/v1/referents/", None, 200, 200),
    ("get", "/api/v1/referents/{id}/", None, 200, 404),
    ("patch", "/api/v1/referents/{id}/", {"trusted": True}, 200, 404),
    ("post", "/api/v1/referents/{id}/approve/", {}, 200, 404),
    ("post", "/api/v1/referents/{id}/refuse/", {"reason": "Non."}, 200, 404),
    ("post", "/api/v1/referents/{id}/suspend/", {"reason": "Non."}, 409, 404),
    ("post", "/api/v1/referents/{id}/end/", {"reason": "Non."}, 409, 404),
    ("get", "/api/v1/referents/invitations/", None, 200, 200),
    ("post", "/api/v1/referents/invitations/", {"phone": "0698765432", "sector": "nord"}, 201, 201),
    ("get", "/api/v1/referents/export.csv", None, 200, 200),
]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path", "body", "own", "other"), COORDINATOR_ENDPOINTS)
def test_coordinator_endpoints(world, caller, method, path, body, own, other):
    people, target = world
    client = api_client_for(people[caller])
    url = path.format(id=target.pk)
    response = (
        getattr(client, method)(url, body, format="json")
        if body is not None
        else getattr(client, method)(url)
    )
    assert response.status_code == _expected(caller, own_commune_status=own, other_commune_status=other), (
        caller,
        url,
        response.content[:300],
    )
    target.refresh_from_db()
    if caller not in ALLOWED_A:
        assert target.status == Referent.Status.PENDING
        assert target.trusted is False


@pytest.mark.parametrize("caller", ["moderator_a", "admin_a", "moderator_b", "admin_b"])
def test_rosters_show_only_the_callers_commune(world, caller):
    people, _target = world
    client = api_client_for(people[caller])
    names = {row["display_name"] for row in client.get("/api/v1/referents/").json()["results"]}
    csv_text = client.get("/api/v1/referents/export.csv").content.decode("utf-8-sig")
    if caller.endswith("_a"):
        assert names == {"Alice de A", "Cible de A"}
        assert "Alice de A" in csv_text
        assert "Bruno de B" not in csv_text
    else:
        assert names == {"Bruno de B"}
        assert "Bruno de B" in csv_text
        assert "Alice de A" not in csv_text
        assert "Cible de A" not in csv_text


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("anonymous", 401),
        ("referent_a", 200),
        ("referent_b", 200),
        ("shopkeeper_a", 403),
        ("operator_a", 403),
        ("moderator_a", 403),
        ("admin_a", 403),
    ],
)
def test_referent_endpoints(world, caller, status):
    people, _target = world
    client = api_client_for(people[caller])
    me = client.get("/api/v1/referents/me/")
    assert me.status_code == status
    charter = client.post("/api/v1/referents/me/charter/", {"version": 1}, format="json")
    assert charter.status_code == status
    if status == 200:
        assert me.json()["display_name"] == people[caller].display_name


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("anonymous", 401),
        ("referent_a", 200),
        ("shopkeeper_a", 200),
        ("operator_a", 403),
        ("moderator_a", 403),
    ],
)
def test_preferences_and_devices_are_for_app_users(world, caller, status):
    people, _target = world
    client = api_client_for(people[caller])
    assert client.get("/api/v1/me/preferences/").status_code == status
    device = client.post("/api/v1/devices/", {"token": f"token-{caller}", "platform": "ios"}, format="json")
    assert device.status_code == (201 if status == 200 else status)


def test_filters_never_reach_another_commune(world, other_commune):
    people, _target = world
    client = api_client_for(people["moderator_a"])
    foreign = nf.sector(other_commune, "nord")
    response = client.get("/api/v1/referents/", {"sector": foreign.pk})
    assert response.status_code == 400
    assert response.json()["errors"]["sector"] == ["Ce secteur n'appartient pas à votre commune."]
    assert client.get("/api/v1/referents/", {"status": "bidon"}).status_code == 400
    pending = client.get("/api/v1/referents/", {"status": "pending", "sector": "nord"}).json()
    assert [row["display_name"] for row in pending["results"]] == ["Cible de A"]


def test_audience_of_one_commune_never_holds_another_communes_referents(world, commune, other_commune):
    people, _target = world
    provider = audience_provider("referents")
    assert provider is not None
    assert list(provider(AudienceQuery(commune=commune))) == [people["referent_a"]]
    assert list(provider(AudienceQuery(commune=other_commune))) == [people["referent_b"]]
    south = nf.referent(commune, sector_slug="sud")
    nf.referent(commune, sector_slug="sud", status=Referent.Status.SUSPENDED)
    assert list(provider(AudienceQuery(commune=commune, sectors=[nf.sector(commune, "sud")]))) == [south.user]


def test_roster_queries_do_not_grow_with_the_number_of_referents(commune, django_assert_max_num_queries):
    moderator = nf.coordinator(commune)
    client = api_client_for(moderator)
    for index in range(3):
        nf.referent(commune, display_name=f"Premier {index}")
    with django_assert_max_num_queries(6) as few:
        assert len(client.get("/api/v1/referents/").json()["results"]) == 3
    for index in range(12):
        referent = nf.referent(commune, display_name=f"Suivant {index}", status=Referent.Status.PENDING)
        Application.objects.create(referent=referent, motivation="Motivé.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/referents/").json()["results"]) == 15
