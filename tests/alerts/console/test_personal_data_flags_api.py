"""The moderation view flags likely personal data for the moderator (issue 17, item 4); the police view
never carries the flags (they quote the original text). Suggestions only: nothing is redacted by itself."""

import pytest

from alerts import services
from alerts.models import Observation
from tests.alerts import factories as f
from tests.alerts.console.helpers import town
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db

FIXTURE = (
    "M. Dupont a vu la voiture AB-123-CD repartir ; joignable au 06 12 34 56 78 ou jean.dupont@example.fr."
)
PLAIN = "Deux individus en veste sombre escaladent un portail, puis partent vers la gare."


def test_the_moderation_view_flags_phone_email_plate_and_name_and_nothing_in_a_plain_text() -> None:
    place = town()
    flagged = f.observation(place.referent, description=FIXTURE, place="chez Mme Martin")
    plain = f.observation(place.referent, description=PLAIN)
    client = api_client_for(place.moderator)

    flags = client.get(f"/api/v1/moderation/{flagged.pk}/").json()["personal_data_flags"]
    assert [(flag["field"], flag["kind"], flag["text"]) for flag in flags] == [
        ("description", "name", "M. Dupont"),
        ("description", "plate", "AB-123-CD"),
        ("description", "phone", "06 12 34 56 78"),
        ("description", "email", "jean.dupont@example.fr"),
        ("place", "name", "Mme Martin"),
    ]
    assert all(FIXTURE[flag["start"] : flag["end"]] == flag["text"] for flag in flags[:4])
    assert client.get(f"/api/v1/moderation/{plain.pk}/").json()["personal_data_flags"] == []
    queue = client.get("/api/v1/moderation/queue/").json()["results"]
    assert {row["id"]: len(row["personal_data_flags"]) for row in queue} == {flagged.pk: 5, plain.pk: 0}
    # The console's detail pane (moderators): the same flags.
    console = client.get(f"/api/v1/console/observations/{flagged.pk}/").json()
    assert [flag["kind"] for flag in console["personal_data_flags"]] == [
        "name",
        "plate",
        "phone",
        "email",
        "name",
    ]
    # A suggestion: the text is untouched until the moderator redacts it.
    assert Observation.objects.get(pk=flagged.pk).redacted_description == ""


def test_follow_ups_are_flagged_and_the_police_view_never_carries_flags() -> None:
    place = town()
    observation = f.observation(place.referent, description=FIXTURE)
    addition = services.observation_add_text(
        observation=observation, author=place.referent, text="Son numéro : +33 6 98 76 54 32", channel="app"
    )
    flags = api_client_for(place.moderator).get(f"/api/v1/moderation/{observation.pk}/").json()
    assert ("addition", addition.pk, "phone") in [
        (flag["field"], flag["addition"], flag["kind"]) for flag in flags["personal_data_flags"]
    ]
    services.observation_approve(
        observation=observation,
        actor=place.moderator,
        agencies=[place.pm.pk],
        redacted_description="Caviardé.",
    )
    operator = api_client_for(place.pm_operator)
    police = operator.get(f"/api/v1/observations/{observation.pk}/").json()
    assert police["description"] == "Caviardé."
    assert "personal_data_flags" not in police
    console = operator.get(f"/api/v1/console/observations/{observation.pk}/").json()
    assert "personal_data_flags" not in console
    assert "personal_data_flags" not in console["observation"]
