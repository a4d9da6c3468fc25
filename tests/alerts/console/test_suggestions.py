"""What the console suggests to moderators: likely duplicates of a pending item, series of burglaries."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from alerts import services
from alerts.console.selectors import burglary_series
from alerts.models import Observation, ObservationAddition
from alerts.selectors import observation_duplicates
from backend.territory.models import Sector
from tests import factories
from tests.alerts import factories as f
from tests.alerts.console.helpers import Town, town
from tests.commerces import factories as cf
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db

LAT, LON = 43.415, 5.31
METRES_PER_DEGREE = 111_195  # of latitude


def report(place: Town, *, minutes_ago: int = 30, metres_north: float = 0, **fields: Any) -> Observation:
    return f.observation(
        place.referent,
        occurred_at=timezone.now() - timedelta(minutes=minutes_ago),
        latitude=LAT + metres_north / METRES_PER_DEGREE,
        longitude=LON,
        **fields,
    )


def duplicates_of(observation: Observation) -> list[dict[str, Any]]:
    observation.refresh_from_db()
    return observation_duplicates(observations=[observation])[observation.pk]


def test_same_category_within_300_m_and_2_h_is_a_likely_duplicate() -> None:
    place = town()
    first = report(place, minutes_ago=60)
    second = report(place, minutes_ago=25, metres_north=120)
    assert duplicates_of(second) == [
        {
            "id": first.pk,
            "reference": first.reference,
            "status": "pending",
            "category": "cambriolage ou tentative",
            "distance_m": 120,
            "minutes": 35,
            "reason": "nearby",
        }
    ]
    assert duplicates_of(first) == []  # the earlier one is the original


def test_farther_than_300_m_later_than_2_h_or_another_category_is_not() -> None:
    place = town()
    report(place, minutes_ago=60, metres_north=-350)  # 350 m away
    report(place, minutes_ago=200)  # 2 h 50 earlier
    report(place, minutes_ago=40, category="vol")  # another category at the same place
    rejected = report(place, minutes_ago=50)
    services.observation_reject(observation=rejected, actor=place.moderator, reason="other")
    latest = report(place, minutes_ago=25)
    assert duplicates_of(latest) == []


def test_two_reports_of_the_same_shop_are_likely_duplicates_wherever_they_point() -> None:
    place = town()
    shop = cf.shop(place.commune, name="Boulangerie du Centre")
    baker, colleague = cf.shopkeeper(shop), cf.shopkeeper(shop)
    other_shop_keeper = cf.shopkeeper(cf.shop(place.commune, name="Tabac de la Place"))
    first = f.observation(baker.user, channel="web", category="vol", latitude=43.402, longitude=5.305)
    f.observation(other_shop_keeper.user, channel="web", category="degradation")
    second = f.observation(colleague.user, channel="web", category="escroquerie")
    found = duplicates_of(second)
    assert [(row["id"], row["reason"]) for row in found] == [(first.pk, "same_place")]
    assert found[0]["distance_m"] is not None
    assert found[0]["distance_m"] > 300


def test_the_console_state_and_the_moderation_api_carry_the_duplicates() -> None:
    place = town()
    first = report(place, minutes_ago=60)
    second = report(place, minutes_ago=25, metres_north=120)
    moderator = api_client_for(place.moderator)
    state = moderator.get("/api/v1/console/state/").json()
    assert [row["reference"] for row in state["suggestions"]["duplicates"][str(second.pk)]] == [
        first.reference
    ]
    assert str(first.pk) not in state["suggestions"]["duplicates"]
    suggestions = moderator.get("/api/v1/console/suggestions/").json()
    assert suggestions["duplicates"] == state["suggestions"]["duplicates"]
    detail = moderator.get(f"/api/v1/console/observations/{second.pk}/").json()
    assert [row["id"] for row in detail["duplicates"]] == [first.pk]
    item = moderator.get(f"/api/v1/moderation/{second.pk}/").json()
    assert [row["id"] for row in item["likely_duplicates"]] == [first.pk]
    # The police never get suggestions (they hold the moderation view of other reports).
    assert api_client_for(place.pm_operator).get("/api/v1/console/suggestions/").status_code == 403


def burglary(place: Town, sector: Sector, *, hours_ago: float) -> Observation:
    observation = report(place, minutes_ago=int(hours_ago * 60))
    Observation.objects.filter(pk=observation.pk).update(sector=sector)
    return observation


def sectors(place: Town) -> tuple[Sector, Sector, Sector]:
    north = Sector.objects.get(commune=place.commune, slug="nord")
    south = Sector.objects.get(commune=place.commune, slug="sud")
    far = Sector.objects.create(
        commune=place.commune, name="Loin", slug="loin", polygon=factories.box(43.43, 5.30, 43.44, 5.32)
    )
    return north, south, far


def test_three_burglaries_in_adjacent_sectors_within_72_h_are_one_series() -> None:
    place = town()
    north, south, _far = sectors(place)
    rows = [
        burglary(place, north, hours_ago=47),
        burglary(place, south, hours_ago=20),
        burglary(place, north, hours_ago=1),
    ]
    series = burglary_series(user=place.moderator)
    assert len(series) == 1
    assert series[0]["count"] == 3
    assert series[0]["hours"] == 46
    assert [row["name"] for row in series[0]["sectors"]] == ["Nord", "Sud"]
    assert [row["id"] for row in series[0]["observations"]] == [row.pk for row in rows]
    assert series[0]["alert_observation_ids"] == []  # an alert is made from validated reports only
    services.observation_approve(observation=rows[1], actor=place.moderator)
    assert burglary_series(user=place.moderator)[0]["alert_observation_ids"] == [rows[1].pk]
    state = api_client_for(place.moderator).get("/api/v1/console/state/").json()
    assert state["suggestions"]["series"][0]["count"] == 3
    admin = factories.user(role="admin", commune=place.commune)
    assert api_client_for(admin).get("/api/v1/console/suggestions/").json()["series"][0]["count"] == 3


def test_two_burglaries_are_no_series() -> None:
    place = town()
    north, south, _far = sectors(place)
    burglary(place, north, hours_ago=5)
    burglary(place, south, hours_ago=2)
    assert burglary_series(user=place.moderator) == []


def test_burglaries_in_sectors_that_are_not_neighbours_are_no_series() -> None:
    place = town()
    north, _south, far = sectors(place)
    burglary(place, north, hours_ago=5)
    burglary(place, north, hours_ago=3)
    burglary(place, far, hours_ago=2)
    assert burglary_series(user=place.moderator) == []


def test_a_burglary_73_hours_ago_is_out_of_the_series() -> None:
    place = town()
    north, south, _far = sectors(place)
    burglary(place, north, hours_ago=73)
    burglary(place, south, hours_ago=5)
    burglary(place, north, hours_ago=2)
    assert burglary_series(user=place.moderator) == []


def test_a_rejected_burglary_does_not_count() -> None:
    place = town()
    north, south, _far = sectors(place)
    burglary(place, north, hours_ago=5)
    burglary(place, south, hours_ago=4)
    rejected = burglary(place, north, hours_ago=2)
    services.observation_reject(observation=rejected, actor=place.moderator, reason="other")
    assert burglary_series(user=place.moderator) == []


def test_a_follow_up_to_review_keeps_an_old_finished_report_in_the_moderation_queue() -> None:
    place = town()
    old = report(place)
    Observation.objects.filter(pk=old.pk).update(
        status=Observation.Status.CLOSED, updated_at=timezone.now() - timedelta(days=3)
    )
    moderator = api_client_for(place.moderator)
    assert moderator.get("/api/v1/console/state/").json()["observations"] == []
    ObservationAddition.objects.create(observation=old, channel="app", text="Ils sont revenus ce soir.")
    rows = moderator.get("/api/v1/console/state/").json()["observations"]
    assert [(row["id"], row["pending_additions"]) for row in rows] == [(old.pk, 1)]
