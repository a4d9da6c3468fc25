"""Where it happened (issue 14): the app's uncertainty (`accuracy`), the author's « lieu » (`place`,
redacted by a moderator like the description) and the nearest imported address, stored at intake; the
police view (REST, console, events and so webhooks) gets the address, the uncertainty, the redacted place
and map links, never the original place nor the author."""

import json
from typing import Any

import pytest
from django.test import override_settings

from alerts import services
from alerts.events import agency_group
from alerts.models import Event, Observation
from backend.core.errors import ApplicationError
from backend.territory.models import Address, Commune
from tests.alerts import factories as f
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db

PLACE = "Devant chez moi, la maison de Camille Martin au fond de l'impasse"
REDACTED_PLACE = "Au fond de l'impasse"


def address(commune: Commune, number: int, street: str, latitude: float, longitude: float) -> Address:
    return Address.objects.create(
        commune=commune,
        ban_id=f"13071_{street[:4]}_{number:05d}",
        number=number,
        street=street,
        postcode="13170",
        commune_name="Les Pennes-Mirabeau",
        latitude=latitude,
        longitude=longitude,
    )


@pytest.fixture
def world(commune: Commune) -> dict[str, Any]:
    moderator = f.moderator(commune)
    officer = f.operator(commune)
    pm = f.agency(commune=commune, name="PM des Pennes", members=(officer,))
    f.routing(commune, pm)
    # f.NORTH_POINT is 43.415 N 5.31 E: the first is ~14 m away, the second ~110 m.
    address(commune, 12, "Chemin de la Gavotte", 43.4151, 5.3101)
    address(commune, 3, "Route de Gisclette", 43.4160, 5.3100)
    return {"moderator": moderator, "officer": officer, "pm": pm, "author": f.referent(commune)}


def submit(world: dict[str, Any], **fields: Any) -> Any:
    return api_client_for(world["author"]).post(
        "/api/v1/observations/", f.submission(**fields), format="json"
    )


def test_the_app_sends_accuracy_and_place_and_the_nearest_address_is_stored(world: dict[str, Any]) -> None:
    response = submit(world, accuracy=12.4, place=PLACE)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["accuracy"], body["place"]) == (13, PLACE)  # whole metres, rounded up
    assert body["address"] == "12 Chemin de la Gavotte, 13170 Les Pennes-Mirabeau"
    stored = Observation.objects.get(pk=body["id"])
    assert (stored.accuracy, stored.place, stored.address_distance) == (13, PLACE, 14)
    assert stored.address == body["address"]


def test_without_an_address_near_enough_none_is_given(world: dict[str, Any]) -> None:
    with override_settings(ADDRESS_MAX_DISTANCE_METRES=10):
        body = submit(world).json()
    stored = Observation.objects.get(pk=body["id"])
    assert (stored.address, stored.address_distance, stored.accuracy, stored.place) == ("", None, None, "")


def test_a_sector_without_coordinates_has_no_address(world: dict[str, Any]) -> None:
    body = submit(world, latitude=..., longitude=..., sector="nord").json()
    assert body["address"] == ""


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"accuracy": -1}, "accuracy", "supérieure ou égale à\xa00"),
        ({"accuracy": 10_001}, "accuracy", "inférieure ou égale à 10000"),
        (
            {"accuracy": 25, "latitude": ..., "longitude": ..., "sector": "nord"},
            "accuracy",
            "qu'avec des coordonnées",
        ),
        ({"place": "x" * 201}, "place", "200\xa0caractères"),
        ({"place": 12}, "place", "Texte attendu"),
    ],
)
def test_bad_accuracy_or_place_is_refused_in_french(
    world: dict[str, Any], fields: dict[str, Any], field: str, message: str
) -> None:
    response = submit(world, **fields)
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not Observation.objects.exists()


def test_the_service_checks_accuracy_for_every_channel(world: dict[str, Any]) -> None:
    with pytest.raises(ApplicationError) as refused:
        f.observation(world["author"], accuracy=float("nan"))
    assert refused.value.field == "accuracy"
    kept = f.observation(world["author"], accuracy=0, place="  Sur le parking  ")
    assert (kept.accuracy, kept.place) == (0, "Sur le parking")


def police_views(world: dict[str, Any], observation: Observation) -> list[dict[str, Any]]:
    """The observation as the police get it: the REST detail, the console's detail and state, and every
    event sent to the agency (webhooks carry the same data)."""
    officer = api_client_for(world["officer"])
    rest = officer.get(f"/api/v1/observations/{observation.pk}/")
    detail = officer.get(f"/api/v1/console/observations/{observation.pk}/")
    state = officer.get("/api/v1/console/state/")
    assert rest.status_code == detail.status_code == state.status_code == 200
    events = Event.objects.filter(targets__group=agency_group(world["pm"].pk)).distinct()
    assert events.exists()
    return [
        rest.json(),
        detail.json()["observation"],
        *(item["observation"] for item in state.json()["dispatches"]),
        *(event.data["observation"] for event in events),
    ]


def test_the_police_get_the_redacted_place_address_and_map_links_never_the_author(
    world: dict[str, Any],
) -> None:
    created = submit(world, accuracy=30, place=PLACE).json()
    moderator = api_client_for(world["moderator"])
    approved = moderator.post(
        f"/api/v1/moderation/{created['id']}/approve/",
        {"redacted_place": REDACTED_PLACE, "agencies": [world["pm"].pk]},
        format="json",
    )
    assert approved.status_code == 200, approved.json()
    assert (approved.json()["place"], approved.json()["redacted_place"]) == (PLACE, REDACTED_PLACE)
    observation = Observation.objects.get(pk=created["id"])
    views = police_views(world, observation)
    assert len(views) >= 4
    for view in views:
        assert view["place"] == REDACTED_PLACE
        assert view["address"] == "12 Chemin de la Gavotte, 13170 Les Pennes-Mirabeau"
        assert (view["accuracy"], view["address_distance"]) == (30, 14)
        assert view["geo_uri"] == "geo:43.415000,5.310000"
        assert (
            view["map_url"]
            == "https://www.openstreetmap.org/?mlat=43.415000&mlon=5.310000#map=18/43.415000/5.310000"
        )
        assert "author" not in view
        assert "redacted_place" not in view
        text = json.dumps(view, ensure_ascii=False)
        assert "Camille" not in text
        assert world["author"].display_name not in text


def test_an_unredacted_place_reaches_the_police_as_written(world: dict[str, Any]) -> None:
    observation = Observation.objects.get(pk=submit(world, place="Sur le parking du stade").json()["id"])
    services.observation_approve(observation=observation, actor=world["moderator"], agencies=[world["pm"].pk])
    for view in police_views(world, observation):
        assert view["place"] == "Sur le parking du stade"


@override_settings(CONSOLE_WEB_MAP_URL="https://carte.example.fr/?ll={lat},{lon}")
def test_the_web_map_follows_the_setting_and_no_coordinates_no_links(world: dict[str, Any]) -> None:
    located = f.observation(world["author"])
    unlocated = f.observation(world["author"], latitude=None, longitude=None, sector="sud")
    moderator = api_client_for(world["moderator"])
    assert moderator.get(f"/api/v1/observations/{located.pk}/").json()["map_url"] == (
        "https://carte.example.fr/?ll=43.415000,5.310000"
    )
    body = moderator.get(f"/api/v1/observations/{unlocated.pk}/").json()
    assert (body["geo_uri"], body["map_url"], body["address"]) == (None, None, "")
    with override_settings(CONSOLE_WEB_MAP_URL=""):
        assert moderator.get(f"/api/v1/observations/{located.pk}/").json()["map_url"] is None
