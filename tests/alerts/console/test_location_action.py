"""The console's approve action redacts the place like the text (issue 14): the operator's socket gets
the redacted place, the address and the map links; the moderators' event keeps the original."""

import pytest
from asgiref.sync import sync_to_async

from alerts.models import Observation
from backend.territory.models import Address
from tests.alerts import factories as f
from tests.alerts.console.helpers import Town, connect, drain, town, until

pytestmark = pytest.mark.django_db(transaction=True)

PLACE = "Chez Camille Martin, au fond de l'impasse"


def located_observation() -> tuple[Town, Observation]:
    place = town()
    Address.objects.create(
        commune=place.commune,
        ban_id="13071_0100_00012",
        number=12,
        street="Chemin de la Gavotte",
        postcode="13170",
        commune_name="Les Pennes-Mirabeau",
        latitude=43.4151,
        longitude=5.3101,
    )
    return place, f.observation(place.referent, place=PLACE, accuracy=8)


async def test_the_approve_action_redacts_the_place_for_the_police() -> None:
    place, observation = await sync_to_async(located_observation)()
    moderator = await connect(place.moderator)
    operator = await connect(place.pm_operator)
    await drain(moderator), await drain(operator)

    await moderator.send_json_to(
        {
            "action": "approve",
            "request_id": "r1",
            "observation": observation.pk,
            "redacted_place": "Au fond de l'impasse",
            "agencies": [place.pm.pk],
        }
    )
    assert (await until(moderator, "ack"))["request_id"] == "r1"
    approved = await until(moderator, "observation.approved")
    assert (approved["data"]["place"], approved["data"]["redacted_place"]) == (PLACE, "Au fond de l'impasse")
    created = (await until(operator, "dispatch.created"))["data"]["observation"]
    assert created["place"] == "Au fond de l'impasse"
    assert created["address"] == "12 Chemin de la Gavotte, 13170 Les Pennes-Mirabeau"
    assert (created["accuracy"], created["geo_uri"]) == (8, "geo:43.415000,5.310000")
    assert "Camille" not in str(created)
    assert "author" not in created
    for communicator in (moderator, operator):
        await communicator.disconnect()
