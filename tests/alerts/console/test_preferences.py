"""A console user's sound and desktop notification choices, kept on the server."""

import pytest

from tests.alerts.console.helpers import town
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db


def test_sound_is_on_and_notifications_off_for_a_new_console_user() -> None:
    place = town()
    client = api_client_for(place.pm_operator)
    assert client.get("/api/v1/console/preferences/").json() == {"sound": True, "notifications": False}
    assert client.get("/api/v1/console/state/").json()["preferences"] == {
        "sound": True,
        "notifications": False,
    }


def test_a_change_is_kept_per_user_and_loaded_with_the_console() -> None:
    place = town()
    client = api_client_for(place.moderator)
    response = client.patch("/api/v1/console/preferences/", {"sound": False}, format="json")
    assert response.status_code == 200
    assert response.json() == {"sound": False, "notifications": False}
    response = client.patch("/api/v1/console/preferences/", {"notifications": True}, format="json")
    assert response.json() == {"sound": False, "notifications": True}
    assert client.get("/api/v1/console/state/").json()["preferences"] == {
        "sound": False,
        "notifications": True,
    }
    # Another user keeps the defaults.
    other = api_client_for(place.pm_operator).get("/api/v1/console/preferences/").json()
    assert other == {"sound": True, "notifications": False}


def test_a_wrong_value_is_refused_with_its_field_in_french() -> None:
    place = town()
    response = api_client_for(place.moderator).patch(
        "/api/v1/console/preferences/", {"sound": "peut-être"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "sound" in body["errors"]
    assert "booléen" in " ".join(body["errors"]["sound"]).lower()


def test_people_who_report_have_no_console_preferences() -> None:
    place = town()
    assert api_client_for(place.referent).get("/api/v1/console/preferences/").status_code == 403
