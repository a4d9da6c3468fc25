"""Finding 6: shop alerts could name the victim. Only the `shop_alert` kind and the shop's exact name
were checked, so « boulangerie de l'avenue de la Gavotte », a misspelt « Gavote », another kind sent to
shopkeepers, an update or a cancel naming the shop all went out by SMS. Each is now refused by the
broadcasts API with a French error that names the shop and the words that matched, and no SMS leaves."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.accounts.models import Role
from backend.messaging import worker
from backend.messaging.backends import locmem
from backend.territory.models import Commune, Sector
from commerces.models import Trade
from tests import factories
from tests.commerces import factories as cf
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db

NEUTRAL = "Deux individus distraient le personnel pendant qu'un troisième se sert. Restez à deux en caisse."


@pytest.fixture
def gavotte(commune: Commune) -> Commune:
    """The demo's bakery, in the sector La Gavotte, 12 avenue de la Gavotte, its shopkeeper reachable by SMS."""
    Sector.objects.create(
        commune=commune, name="La Gavotte", slug="la-gavotte", polygon=factories.box(43.40, 5.30, 43.42, 5.32)
    )
    shop = cf.shop(
        commune,
        sector="la-gavotte",
        trade=Trade.BAKERY,
        name="Boulangerie de la Gavotte",
        address="12 avenue de la Gavotte",
    )
    cf.shopkeeper(shop, phone="+33612000031")
    return commune


def _create(client: APIClient, kind: str, body: str) -> Any:
    return client.post(
        "/api/v1/broadcasts/",
        {
            "kind": kind,
            "title": "Vol à l'étalage",
            "body": body,
            "sectors": ["la-gavotte"],
            "audiences": ["shopkeepers"],
            "channels": ["sms"],
        },
        format="json",
    )


def _sent(client: APIClient, kind: str) -> int:
    response = _create(client, kind, NEUTRAL)
    assert response.status_code == 201, response.json()
    worker.drain()
    assert [sms.to for sms in locmem.sms_outbox] == ["+33612000031"]  # the shopkeeper is reached by SMS
    return int(response.json()["id"])


def trade_and_street(client: APIClient) -> Any:
    return _create(client, "shop_alert", "Vol ce matin à la boulangerie de l'avenue de la Gavotte.")


def misspelt_name(client: APIClient) -> Any:
    return _create(client, "shop_alert", "Vol ce matin à la Boulangerie de la Gavote.")


def another_kind(client: APIClient) -> Any:
    return _create(client, "prevention", "Après le vol à la Boulangerie de la Gavotte, fermez la caisse.")


def _follow_up(client: APIClient, kind: str, action: str, body: str) -> Any:
    """Sends a `kind` broadcast (neutral), then its `action` (update, cancel) with `body`."""
    broadcast_id = _sent(client, kind)
    return client.post(f"/api/v1/broadcasts/{broadcast_id}/{action}/", {"body": body}, format="json")


def update(client: APIClient) -> Any:
    body = "Les individus ont quitté la Boulangerie de la Gavotte vers le nord."
    return _follow_up(client, "burglary_alert", "update", body)


def cancel(client: APIClient) -> Any:
    body = "Fausse alerte à la Boulangerie de la Gavotte : message annulé."
    return _follow_up(client, "shop_alert", "cancel", body)


ESCAPES: list[tuple[Callable[[APIClient], Any], str]] = [
    (trade_and_street, "boulangerie de l'avenue de la Gavotte"),
    (misspelt_name, "Boulangerie de la Gavote"),
    (another_kind, "Boulangerie de la Gavotte"),
    (update, "Boulangerie de la Gavotte"),
    (cancel, "Boulangerie de la Gavotte"),
]


@pytest.mark.parametrize(("send", "matched"), ESCAPES, ids=[send.__name__ for send, _matched in ESCAPES])
def test_a_message_to_shopkeepers_naming_the_victim_shop_is_refused(
    gavotte: Commune, sms_outbox: Any, send: Callable[[APIClient], Any], matched: str
) -> None:
    client = api_client_for(factories.user(role=Role.MODERATOR, commune=gavotte))

    response = send(client)
    worker.drain()

    assert response.status_code == 400, response.json()
    message = response.json()["errors"]["body"][0]
    assert message == response.json()["detail"]
    assert f"« {matched} »" in message
    assert "le commerce « Boulangerie de la Gavotte » (12 avenue de la Gavotte)" in message
    assert "victime" in message
    assert not [sms.body for sms in sms_outbox if "Gavot" in sms.body]
