"""Acceptance: an observation approved → a burglary alert made from it → referents of the sector and of
its adjacent sectors get a push, opted-in shopkeepers of the sector get an SMS, nobody else gets
anything; the receipts add up. Real audiences: neighbours' "referents", commerces' "shopkeepers"."""

from typing import Any

import pytest

from alerts import services as alerts_services
from alerts.broadcasts.models import Broadcast
from alerts.models import Notification
from backend.messaging import worker
from neighbours.models import Referent
from tests.alerts import factories as af
from tests.alerts.broadcasts.conftest import referent, tokens_of
from tests.commerces import factories as cf
from tests.helpers import api_client_for
from tests.neighbours import factories as nf

pytestmark = pytest.mark.django_db


def test_observation_to_burglary_alert_reaches_exactly_the_right_people(
    commune3: Any, other_commune: Any, moderator: Any, push_outbox: Any, sms_outbox: Any
) -> None:
    # Who should get it.
    author = referent(commune3, "nord")
    south = referent(commune3, "sud", devices=2)
    shop_north = cf.shopkeeper(cf.shop(commune3, sector="nord"))
    # Who should not.
    east = referent(commune3, "est")
    suspended = referent(commune3, "nord", status=Referent.Status.SUSPENDED)
    nf.ready_commune(other_commune)
    elsewhere = referent(other_commune, "nord")
    not_opted_in = cf.shopkeeper(cf.shop(commune3, sector="nord"), sms_opt_in=False)
    shop_east = cf.shopkeeper(cf.shop(commune3, sector="est"))

    af.fallback(commune3, af.agency(commune=commune3))
    observation = af.observation(author, description="Deux hommes forcent une porte, rue des Lilas.")
    alerts_services.observation_approve(observation=observation, actor=moderator)
    worker.drain()
    push_outbox.clear()
    sms_outbox.clear()
    inbox_before = set(Notification.objects.values_list("id", flat=True))

    response = api_client_for(moderator).post(
        "/api/v1/broadcasts/",
        {
            "kind": "burglary_alert",
            "observation": observation.pk,
            "include_adjacent": True,
            "audiences": ["referents", "shopkeepers"],
            "channels": ["push", "sms"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    broadcast = response.json()
    assert broadcast["sectors"] == ["nord"]
    assert "Lilas" not in broadcast["body"]
    worker.drain()

    assert sorted(message.token for message in push_outbox) == sorted(tokens_of(author, south))
    assert {message.priority for message in push_outbox} == {"high"}
    assert [sms.to for sms in sms_outbox] == [str(shop_north.user.phone)]
    assert "Alerte cambriolage" in sms_outbox[0].body
    new_inbox = Notification.objects.exclude(id__in=inbox_before)
    assert set(new_inbox.values_list("user_id", flat=True)) == {author.pk, south.pk, shop_north.user.pk}
    nobody = [east, suspended, elsewhere, not_opted_in.user, shop_east.user]
    assert not new_inbox.filter(user__in=nobody).exists()
    assert not tokens_of(east, suspended, elsewhere) & {message.token for message in push_outbox}

    detail = api_client_for(moderator).get(f"/api/v1/broadcasts/{broadcast['id']}/").json()
    receipts = detail["receipts"]
    assert receipts["push"] == {"queued": 0, "sent": 2, "failed": 0, "invalid": 0, "cancelled": 0}
    assert receipts["sms"] == {"queued": 0, "sent": 1, "failed": 0, "invalid": 0, "cancelled": 0}
    assert receipts["inbox_only"] == {"recipients": 0}
    assert detail["recipients"] == receipts["push"]["sent"] + receipts["sms"]["sent"] == 3


def test_a_shop_alert_that_names_the_victim_shop_is_refused_and_nothing_is_stored(
    commune3: Any, moderator: Any, sms_outbox: Any
) -> None:
    victim = cf.shop(commune3, sector="nord", name="Boulangerie des Lilas")
    cf.shopkeeper(cf.shop(commune3, sector="nord"))
    body = {
        "kind": "shop_alert",
        "title": "Vol à l'étalage",
        "body": f"Ce matin à la {victim.name}, deux individus ont détourné l'attention de la caissière.",
        "sectors": ["nord"],
        "audiences": ["shopkeepers"],
        "channels": ["sms"],
    }
    client = api_client_for(moderator)
    response = client.post("/api/v1/broadcasts/", body, format="json")
    assert response.status_code == 400
    assert "victime" in response.json()["errors"]["body"][0]
    assert Broadcast.objects.count() == 0

    body["body"] = "Ce matin dans le secteur nord, deux individus ont détourné l'attention d'une caissière."
    assert client.post("/api/v1/broadcasts/", body, format="json").status_code == 201
    worker.drain()
    assert len(sms_outbox) == 1
