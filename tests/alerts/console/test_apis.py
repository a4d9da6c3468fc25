"""The console's page and read APIs: who may open them, and what each console sees."""

from typing import Any

import pytest
from django.test import Client

from alerts import services
from alerts.console.actions import console_action_run
from alerts.console.models import ConsoleConnection
from alerts.models import Event, ObservationPhoto
from tests.alerts import factories as f
from tests.alerts.console.helpers import town
from tests.helpers import api_client_for, signed_in

pytestmark = pytest.mark.django_db


def test_page_redirects_to_the_staff_login_when_not_signed_in() -> None:
    response = Client().get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=/console/")


def test_page_wants_the_second_factor_and_a_console_role() -> None:
    place = town()
    assert signed_in(place.moderator, verified=False).get("/console/").status_code == 302
    assert signed_in(place.referent).get("/console/").status_code == 403
    response = signed_in(place.moderator).get("/console/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="fr"' in html
    assert "console/console.js" in html
    assert 'aria-live="assertive"' in html


def test_page_loads_the_javascript_catalogue_before_console_js() -> None:
    catalogue = Client().get("/console/jsi18n/")
    assert catalogue.status_code == 200
    assert "javascript" in catalogue["Content-Type"]
    script = catalogue.content.decode()
    assert "django.gettext = function" in script
    assert "globals.gettext = django.gettext" in script
    assert "globals.interpolate = django.interpolate" in script
    html = signed_in(town().moderator).get("/console/").content.decode()
    assert '<script src="/console/jsi18n/" defer></script>' in html
    assert html.index('src="/console/jsi18n/"') < html.index("console/console.js")


def test_state_of_a_moderator_and_of_operators() -> None:
    place = town()
    pending = f.observation(place.referent)
    sent = f.observation(place.referent)
    services.observation_approve(observation=sent, actor=place.moderator, agencies=[place.pn.pk])

    state = api_client_for(place.moderator).get("/api/v1/console/state/").json()
    assert state["user"]["moderator"] is True
    assert {row["id"] for row in state["observations"]} == {pending.pk, sent.pk}
    assert state["dispatches"] == []
    assert state["newest_event_id"] == Event.objects.latest("id").pk
    assert {choice["id"] for choice in state["choices"]["agencies"]} == {place.pm.pk, place.pn.pk}

    ConsoleConnection.objects.create(user=place.pn_operator, channel_name="pn-socket")
    state = api_client_for(place.moderator).get("/api/v1/console/state/").json()
    online = {
        block["agency"]["id"]: block["users"] for block in state["presence"] if block["scope"] == "agency"
    }
    assert online == {
        place.pm.pk: [],
        place.pn.pk: [{"id": place.pn_operator.pk, "name": str(place.pn_operator)}],
    }

    pn = api_client_for(place.pn_operator).get("/api/v1/console/state/").json()
    assert pn["observations"] == []
    assert [row["observation"]["id"] for row in pn["dispatches"]] == [sent.pk]
    assert "author" not in pn["dispatches"][0]["observation"]
    pm = api_client_for(place.pm_operator).get("/api/v1/console/state/").json()
    assert pm["dispatches"] == []  # the municipale never sees the nationale's dispatch

    assert api_client_for(place.referent).get("/api/v1/console/state/").status_code == 403
    assert api_client_for(None).get("/api/v1/console/state/").status_code == 401


def test_detail_with_history_and_photos_only_where_the_console_may_see(settings: Any, tmp_path: Any) -> None:
    place = town()
    observation = f.observation(place.referent, photos=[f.upload()])
    services.observation_approve(
        observation=observation,
        actor=place.moderator,
        agencies=[place.pn.pk],
        redacted_description="Caviardé.",
    )
    detail = api_client_for(place.pn_operator).get(f"/api/v1/console/observations/{observation.pk}/").json()
    assert detail["observation"]["description"] == "Caviardé."
    transitions = [entry for entry in detail["history"] if entry["kind"] == "transition"]
    assert [entry["status"] for entry in transitions] == ["pending", "dispatched"]
    # The police never see who reported: the author submitted (first transition), the moderator approved.
    assert [entry["actor"] for entry in transitions] == [
        None,
        {"id": place.moderator.pk, "name": str(place.moderator)},
    ]
    assert [entry["label"] for entry in detail["history"] if entry["kind"] == "dispatch"] == [
        "transmis à Commissariat"
    ]
    assert len(detail["photos"]) == 1
    moderation = api_client_for(place.moderator).get(f"/api/v1/console/observations/{observation.pk}/").json()
    assert moderation["history"][0]["actor"]["id"] == place.referent.pk

    response = api_client_for(place.pm_operator).get(f"/api/v1/console/observations/{observation.pk}/")
    assert response.status_code == 404
    assert response.json()["detail"] == "Signalement introuvable."

    photo = ObservationPhoto.objects.get(observation=observation)
    assert signed_in(place.pn_operator).get(f"/console/photos/{photo.pk}/").status_code == 200
    assert signed_in(place.pm_operator).get(f"/console/photos/{photo.pk}/").status_code == 404


def test_tile_url_setting_reaches_the_page(settings: Any) -> None:
    settings.CONSOLE_TILE_URL = "https://tuiles.example.fr/{z}/{x}/{y}.png"
    settings.CONSOLE_TILE_ATTRIBUTION = "© contributeurs OpenStreetMap"
    place = town()
    html = signed_in(place.moderator).get("/console/").content.decode()
    assert 'data-tile-url="https://tuiles.example.fr/{z}/{x}/{y}.png"' in html
    assert "© contributeurs OpenStreetMap" in html


def test_detail_history_shows_the_authors_additions_to_moderators() -> None:
    place = town()
    observation = f.observation(place.referent)
    services.observation_add_text(
        observation=observation, author=place.referent, text="Ils sont partis en scooter.", channel="app"
    )
    detail = api_client_for(place.moderator).get(f"/api/v1/console/observations/{observation.pk}/").json()
    assert [entry["note"] for entry in detail["history"] if entry["kind"] == "addition"] == [
        "Ils sont partis en scooter."
    ]


@pytest.mark.parametrize(
    ("action", "path", "fields"),
    [
        ("close", "close", {"outcome": "nope"}),
        ("handover", "handover", {"agency": "PN"}),
        ("note", "notes", {"text": 42}),
    ],
)
def test_the_socket_refuses_what_the_rest_api_refuses_with_the_same_error(
    action: str, path: str, fields: dict[str, Any]
) -> None:
    """The console's actions validate with the REST API's input serializers and answer its error shape."""
    place = town()
    sent = f.observation(place.referent)
    services.observation_approve(observation=sent, actor=place.moderator, agencies=[place.pn.pk])
    dispatch = sent.dispatches.get()

    rest = api_client_for(place.pn_operator).post(
        f"/api/v1/dispatches/{dispatch.pk}/{path}/", fields, format="json"
    )
    socket = console_action_run(
        user=place.pn_operator, message={"action": action, "dispatch": dispatch.pk, **fields}
    )
    assert rest.status_code == 400
    assert socket == {"type": "error", **rest.json(), "action": action, "request_id": None}
