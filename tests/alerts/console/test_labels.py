"""Human labels in what the console draws (issue 14): the channel in clear beside its code, in the
console's state, its detail and the REST views that share the same dict (validated against the schema)."""

import pytest

from alerts import services
from tests.alerts import factories as f
from tests.alerts.console.helpers import town
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db


def test_the_channel_comes_with_its_label_for_moderators_and_the_police() -> None:
    place = town()
    by_app = f.observation(place.referent)
    by_web = f.observation(place.referent, channel="web")
    services.observation_approve(observation=by_web, actor=place.moderator, agencies=[place.pm.pk])

    state = api_client_for(place.moderator).get("/api/v1/console/state/").json()
    labels = {row["id"]: (row["channel"], row["channel_label"]) for row in state["observations"]}
    assert labels[by_app.pk] == ("app", "application")
    assert labels[by_web.pk] == ("web", "formulaire web")

    police = api_client_for(place.pm_operator)
    (dispatch,) = police.get("/api/v1/console/state/").json()["dispatches"]
    assert dispatch["observation"]["channel_label"] == "formulaire web"
    detail = police.get(f"/api/v1/dispatches/{dispatch['id']}/")  # a documented response: the schema has it
    assert detail.status_code == 200
    assert detail.json()["observation"]["channel_label"] == "formulaire web"
    item = api_client_for(place.moderator).get(f"/api/v1/moderation/{by_app.pk}/")
    assert item.json()["channel_label"] == "application"
