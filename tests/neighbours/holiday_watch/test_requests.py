"""Asking for a holiday watch through the referents' API: the notice, the answer, places, one's own list,
cancelling; a request of another referent is not found."""

from datetime import timedelta
from typing import Any

import pytest

from backend.territory.models import Address
from neighbours.holiday_watch.models import WatchRequest
from neighbours.holiday_watch.selectors import earliest_start
from neighbours.holiday_watch.services import patrol_pass_record
from tests import factories
from tests.helpers import api_client_for
from tests.neighbours import factories as nf
from tests.neighbours.holiday_watch.factories import FRIDAY, patrol, watch

pytestmark = pytest.mark.django_db
URL = "/api/v1/holiday-watch/"


def _body(**changes: Any) -> dict[str, Any]:
    return {
        "address": "12 chemin des Pins",
        "start": "2026-07-12",
        "end": "2026-07-26",
        "alarm": True,
        "contact_name": "Mme Martin",
        "contact_phone": "06 12 34 56 78",
        "visitors": "Mon fils",
        "keys_left_with": "Mme Martin",
        "sector": "nord",
        **changes,
    }


@pytest.fixture
def referent(commune: Any) -> Any:
    return nf.referent(commune, sector_slug="nord").user


def test_earliest_start_counts_48_hours_up_to_the_day_of_departure(time_machine: Any) -> None:
    time_machine.move_to(FRIDAY, tick=False)
    assert earliest_start().isoformat() == "2026-07-13"  # Sunday 9:00 + a day: Monday
    time_machine.move_to(FRIDAY.replace(hour=0), tick=False)
    assert earliest_start().isoformat() == "2026-07-12"  # Friday midnight + 48 h: Sunday midnight


def test_a_request_less_than_48_hours_ahead_is_refused_with_the_earliest_date(
    referent: Any, time_machine: Any
) -> None:
    time_machine.move_to(FRIDAY, tick=False)
    response = api_client_for(referent).post(URL, _body(start="2026-07-12"), format="json")
    assert response.status_code == 400
    assert "13 juillet 2026" in response.json()["errors"]["start"][0]
    assert not WatchRequest.objects.exists()


def test_an_accepted_request_says_when_the_watch_starts_and_is_listed_as_ones_own(
    commune: Any, referent: Any, time_machine: Any
) -> None:
    time_machine.move_to(FRIDAY, tick=False)
    response = api_client_for(referent).post(URL, _body(start="2026-07-13"), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["watch_starts"] == "2026-07-13"
    assert data["sector"]["slug"] == "nord"
    assert data["contact_phone"] == "+33612345678"
    assert data["burglary_alerts"] is False
    row = WatchRequest.objects.get()
    assert row.phone == referent.phone
    assert row.requester == referent
    assert row.commune == commune
    listed = api_client_for(referent).get(URL).json()
    assert [item["id"] for item in listed["results"]] == [data["id"]]


def test_an_address_of_the_commune_is_spelt_as_the_ban_does_and_placed_in_its_sector(
    commune: Any, referent: Any, time_machine: Any
) -> None:
    time_machine.move_to(FRIDAY, tick=False)
    Address.objects.create(
        commune=commune, ban_id="13071_0001_00012_bis", number=12, rep="bis", street="Chemin de la Gavotte",
        postcode="13170", commune_name="Les Pennes-Mirabeau", latitude=43.405, longitude=5.31,
    )  # fmt: skip
    body = _body(start="2026-07-13", address="12 BIS chemin de la gavotte", sector="")
    response = api_client_for(referent).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["address"] == "12 bis Chemin de la Gavotte, 13170 Les Pennes-Mirabeau"
    assert response.json()["sector"]["slug"] == "sud"  # its position, not the referent's sector


def test_an_unknown_address_needs_a_sector(referent: Any, time_machine: Any) -> None:
    time_machine.move_to(FRIDAY, tick=False)
    response = api_client_for(referent).post(URL, _body(start="2026-07-13", sector=""), format="json")
    assert response.status_code == 400
    assert "secteur" in response.json()["errors"]["sector"][0]


def test_cancel_ones_own_and_never_another_referents(commune: Any, referent: Any, time_machine: Any) -> None:
    time_machine.move_to(FRIDAY, tick=False)
    created = api_client_for(referent).post(URL, _body(start="2026-07-13"), format="json").json()
    other = nf.referent(commune, sector_slug="nord").user
    assert api_client_for(other).delete(f"{URL}{created['id']}/").status_code == 404
    assert api_client_for(other).get(URL).json()["results"] == []
    assert api_client_for(referent).delete(f"{URL}{created['id']}/").status_code == 204
    assert WatchRequest.objects.get().status == WatchRequest.Status.CANCELLED
    assert api_client_for(referent).delete(f"{URL}{created['id']}/").status_code == 400


def test_only_referents_pass_the_api(commune: Any) -> None:
    shopkeeper = factories.user(role="shopkeeper", commune=commune)
    assert api_client_for(shopkeeper).get(URL).status_code == 403
    assert api_client_for(None).post(URL, _body(), format="json").status_code == 401
    start = earliest_start() + timedelta(days=1)
    operator = factories.user(role="operator", commune=commune)
    body = _body(start=start.isoformat(), end=start.isoformat())
    assert api_client_for(operator).post(URL, body, format="json").status_code == 403


def test_a_referents_export_holds_their_watches_and_erasure_ends_them(commune: Any) -> None:
    """RGPD: GET /api/v1/me/export/ lists the watches asked through the app or the web form with the
    account's number (what the patrols noted, never the officer); DELETE /api/v1/me/ takes them away."""
    referent = nf.referent(commune).user
    by_app = watch(
        commune, requester=referent, phone=referent.phone.as_e164, channel=WatchRequest.Channel.APP
    )
    by_web = watch(commune, phone=referent.phone.as_e164, address="3 impasse des Lilas")
    someone_else = watch(commune)
    officer, _agency = patrol(commune)
    patrol_pass_record(request=by_app, officer=officer, outcome="ras")
    client = api_client_for(referent)

    section = client.get("/api/v1/me/export/").json()["holiday_watch"]
    assert sorted(row["address"] for row in section) == ["12 chemin des Pins", "3 impasse des Lilas"]
    passes = next(row["passes"] for row in section if row["address"] == by_app.address)
    assert [(item["outcome"], item["note"]) for item in passes] == [("ras", "")]
    assert officer.display_name not in str(section)

    assert client.delete("/api/v1/me/").status_code == 204
    assert not WatchRequest.objects.filter(pk__in=[by_app.pk, by_web.pk]).exists()
    assert WatchRequest.objects.filter(pk=someone_else.pk).exists()
