"""Every message that reaches shopkeepers, whatever its kind, updates and cancels included, is refused
when it designates a shop of the commune (commerces registers the check); messages to referents only
are not checked. The refusal reads the same in the API and in the console's broadcast form."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from alerts.broadcasts.models import Broadcast
from alerts.console.actions import console_action_run
from backend.messaging import worker
from commerces.models import Shop, Trade
from tests.alerts.broadcasts.conftest import referent
from tests.commerces import factories as cf
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db

NAMING = "Ce matin à la boulangerie de l'avenue de la Gavotte, deux individus ont distrait la vendeuse."
REFUSAL = (
    "Le texte cite « boulangerie de l'avenue de la Gavotte », qui désigne le commerce "
    "« Boulangerie de la Gavotte » (12 avenue de la Gavotte) : une alerte ne nomme jamais la victime."
)
NEUTRAL = "Deux individus distraient le personnel pendant qu'un troisième se sert. Restez à deux en caisse."


@pytest.fixture
def victim(commune3: Any) -> Shop:
    shop = cf.shop(
        commune3, sector="nord", name="Boulangerie de la Gavotte", address="12 avenue de la Gavotte"
    )
    cf.shopkeeper(shop)
    cf.shopkeeper(cf.shop(commune3, sector="nord", trade=Trade.PHARMACY, name="Pharmacie du Nord"))
    referent(commune3, "nord")
    return shop


def _body(kind: str, audiences: list[str], body: str = NAMING, **changes: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": "Vol à l'étalage",
        "body": body,
        "sectors": ["nord"],
        "audiences": audiences,
        "channels": ["push", "sms"],
        **changes,
    }


def _sent(moderator: Any, kind: str, audiences: list[str]) -> dict[str, Any]:
    response = api_client_for(moderator).post(
        "/api/v1/broadcasts/", _body(kind, audiences, NEUTRAL), format="json"
    )
    assert response.status_code == 201, response.json()
    worker.drain()
    return response.json()


@pytest.mark.parametrize(
    ("kind", "audiences"),
    [
        ("shop_alert", ["shopkeepers"]),
        ("prevention", ["shopkeepers"]),
        ("burglary_alert", ["referents", "shopkeepers"]),
    ],
)
def test_any_kind_that_reaches_shopkeepers_is_refused_when_it_names_the_shop(
    victim: Shop, moderator: Any, sms_outbox: Any, kind: str, audiences: list[str]
) -> None:
    response = api_client_for(moderator).post("/api/v1/broadcasts/", _body(kind, audiences), format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": REFUSAL, "errors": {"body": [REFUSAL]}}
    assert not Broadcast.objects.exists()
    worker.drain()
    assert sms_outbox == []


def test_the_title_is_checked_too(victim: Shop, moderator: Any) -> None:
    response = api_client_for(moderator).post(
        "/api/v1/broadcasts/",
        _body("prevention", ["shopkeepers"], NEUTRAL, title="Boulangerie de la Gavotte : vol"),
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["title"]
    assert "« Boulangerie de la Gavotte »" in response.json()["detail"]


@pytest.mark.parametrize("kind", ["prevention", "burglary_alert"])
def test_a_broadcast_to_referents_only_is_not_checked(victim: Shop, moderator: Any, kind: str) -> None:
    response = api_client_for(moderator).post(
        "/api/v1/broadcasts/", _body(kind, ["referents"]), format="json"
    )
    assert response.status_code == 201, response.json()


def test_an_update_that_names_the_shop_is_refused_and_nothing_more_goes_out(
    victim: Shop, moderator: Any, sms_outbox: Any, push_outbox: Any
) -> None:
    original = _sent(moderator, "burglary_alert", ["referents", "shopkeepers"])
    sms_outbox.clear()
    push_outbox.clear()
    client = api_client_for(moderator)

    body = client.post(f"/api/v1/broadcasts/{original['id']}/update/", {"body": NAMING}, format="json")
    title = client.post(
        f"/api/v1/broadcasts/{original['id']}/update/",
        {"title": "Mise à jour : Boulangerie de la Gavote", "body": "Individus interpellés."},
        format="json",
    )

    assert body.status_code == 400
    assert body.json()["errors"] == {"body": [REFUSAL]}
    assert title.status_code == 400
    assert list(title.json()["errors"]) == ["title"]
    assert "« Boulangerie de la Gavote »" in title.json()["detail"]
    assert not Broadcast.objects.filter(original_id=original["id"]).exists()
    worker.drain()
    assert sms_outbox == push_outbox == []
    fine = client.post(f"/api/v1/broadcasts/{original['id']}/update/", {"body": "Individus interpellés."})
    assert fine.status_code == 200, fine.json()


def test_an_edit_before_sending_is_checked(victim: Shop, moderator: Any) -> None:
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    created = api_client_for(moderator).post(
        "/api/v1/broadcasts/", _body("prevention", ["shopkeepers"], NEUTRAL, send_at=later), format="json"
    )
    assert created.json()["state"] == "scheduled"

    response = api_client_for(moderator).post(
        f"/api/v1/broadcasts/{created.json()['id']}/update/", {"body": NAMING}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"body": [REFUSAL]}
    assert Broadcast.objects.get(pk=created.json()["id"]).body == NEUTRAL


def test_a_cancel_that_names_the_shop_is_refused_and_the_original_stays_sent(
    victim: Shop, moderator: Any, sms_outbox: Any
) -> None:
    original = _sent(moderator, "shop_alert", ["shopkeepers"])
    sms_outbox.clear()
    client = api_client_for(moderator)

    response = client.post(
        f"/api/v1/broadcasts/{original['id']}/cancel/",
        {"body": "Fausse alerte à la Boulangerie de la Gavotte, 12 avenue de la Gavotte."},
        format="json",
    )

    assert response.status_code == 400
    assert "désigne le commerce « Boulangerie de la Gavotte »" in response.json()["errors"]["body"][0]
    root = Broadcast.objects.get(pk=original["id"])
    assert (root.state, root.cancelled_at) == (Broadcast.State.SENT, None)
    assert not root.follow_ups.exists()
    worker.drain()
    assert sms_outbox == []
    cancelled = client.post(f"/api/v1/broadcasts/{original['id']}/cancel/", {}, format="json")
    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["msg_type"] == "cancel"


def test_updates_and_cancels_of_a_broadcast_to_referents_only_are_not_checked(
    victim: Shop, moderator: Any
) -> None:
    original = _sent(moderator, "burglary_alert", ["referents"])
    client = api_client_for(moderator)
    assert client.post(f"/api/v1/broadcasts/{original['id']}/update/", {"body": NAMING}).status_code == 200
    assert client.post(f"/api/v1/broadcasts/{original['id']}/cancel/", {"body": NAMING}).status_code == 200


def test_the_console_broadcast_form_gets_the_same_refusal(victim: Shop, moderator: Any) -> None:
    reply = console_action_run(
        user=moderator,
        message={"action": "broadcast", "request_id": "r1", **_body("prevention", ["shopkeepers"])},
    )
    assert reply["type"] == "error"
    assert reply["detail"] == REFUSAL  # what the console shows under the form
    assert reply["errors"] == {"body": [REFUSAL]}
    assert (reply["action"], reply["request_id"]) == ("broadcast", "r1")
    assert not Broadcast.objects.exists()


def test_a_sent_broadcast_whose_title_names_the_shop_can_still_be_cancelled_without_its_title(
    victim: Shop, moderator: Any, sms_outbox: Any
) -> None:
    # Sent before the check knew of it (before this check, or before the shop joined).
    original = _sent(moderator, "shop_alert", ["shopkeepers"])
    Broadcast.objects.filter(pk=original["id"]).update(title="Vol à la Boulangerie de la Gavotte")
    client = api_client_for(moderator)

    default_body = client.post(f"/api/v1/broadcasts/{original['id']}/cancel/", {}, format="json")
    assert default_body.status_code == 400  # « Le message « <its title> » est annulé. »
    assert list(default_body.json()["errors"]) == ["body"]

    sms_outbox.clear()
    cancelled = client.post(f"/api/v1/broadcasts/{original['id']}/cancel/", {"body": "Fausse alerte."})

    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["title"].startswith("Annulation du message du ")
    assert "Gavotte" not in cancelled.json()["title"]
    worker.drain()
    assert len(sms_outbox) == 2  # the cancel, to the two shopkeepers the original reached
    assert not [sms.body for sms in sms_outbox if "Gavotte" in sms.body]
