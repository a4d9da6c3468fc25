"""A burglary alert for a sector also texts the residents on holiday watch there who asked for it: once."""

from typing import Any

import pytest

from backend.messaging import worker
from backend.messaging.models import Delivery
from tests.alerts.broadcasts.conftest import BODY, commune3, moderator, referent
from tests.helpers import api_client_for
from tests.neighbours.holiday_watch.factories import watch

__all__ = ["commune3", "moderator"]  # fixtures of the broadcast tests

pytestmark = pytest.mark.django_db


def _alert(actor: Any, **changes: Any) -> dict[str, Any]:
    response = api_client_for(actor).post("/api/v1/broadcasts/", {**BODY, **changes}, format="json")
    assert response.status_code == 201, response.json()
    return dict(response.json())


def test_a_burglary_alert_reaches_an_opted_in_resident_of_the_sector_once(
    commune3: Any, moderator: Any, sms_outbox: Any
) -> None:
    opted = watch(commune3, sector="nord", start=-1, end=3, burglary_alerts=True)
    # The same resident's second home in the area: still one SMS.
    watch(commune3, sector="sud", start=-1, end=3, burglary_alerts=True, phone=opted.phone)
    silent = watch(commune3, sector="nord", start=-1, end=3, burglary_alerts=False)
    east = watch(commune3, sector="est", start=-1, end=3, burglary_alerts=True)  # outside the alert
    later = watch(commune3, sector="nord", start=2, end=5, burglary_alerts=True)  # not away yet
    # A referent of the sector who also asked for a watch gets the alert once, as a referent.
    member = referent(commune3, "nord", devices=0)
    watch(commune3, sector="nord", start=-1, end=3, burglary_alerts=True, phone=member.phone)

    alert = _alert(moderator)
    worker.drain()

    texted = [sms.to for sms in sms_outbox]
    assert texted.count(opted.phone) == 1
    assert texted.count(member.phone) == 1
    assert silent.phone not in texted
    assert east.phone not in texted
    assert later.phone not in texted
    body = next(sms.body for sms in sms_outbox if sms.to == opted.phone)
    assert "Cambriolages signalés secteur Nord" in body

    # Its update reaches the same numbers, once again each.
    update = api_client_for(moderator).post(
        f"/api/v1/broadcasts/{alert['id']}/update/", {"body": "Un suspect interpellé."}, format="json"
    )
    assert update.status_code in (200, 201), update.json()
    worker.drain()
    texted = [sms.to for sms in sms_outbox]
    assert texted.count(opted.phone) == 2
    assert Delivery.objects.filter(address=silent.phone).count() == 0


def test_a_prevention_message_or_a_push_only_alert_texts_no_resident(commune3: Any, moderator: Any) -> None:
    home = watch(commune3, sector="nord", start=-1, end=3, burglary_alerts=True)
    _alert(moderator, kind="prevention", title="Conseil", body="Fermez vos volets.")
    _alert(moderator, channels=["push"])
    assert not Delivery.objects.filter(address=home.phone).exists()
