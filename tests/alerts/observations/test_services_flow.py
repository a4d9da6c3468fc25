from typing import Any

import pytest

from alerts import services
from alerts.events import agency_group, moderation_group
from alerts.models import Dispatch, EventTarget, Notification, Observation
from backend.messaging.worker import drain
from tests.alerts import factories as f

pytestmark = pytest.mark.django_db


def test_submit_approve_acknowledge_close_tells_the_author(commune: Any, sms_outbox: Any) -> None:
    moderator = f.moderator(commune)
    officer = f.operator(commune)
    pm = f.agency(commune=commune, members=(officer,))
    f.routing(commune, pm)
    author = f.referent(commune)

    observation = f.observation(author, channel="sms")
    assert observation.reference.startswith("PMB-")
    assert observation.reference.endswith("-000001")
    assert observation.status == Observation.Status.PENDING
    assert observation.sector is not None
    assert observation.sector.slug == "nord"
    assert EventTarget.objects.filter(
        group=moderation_group(commune.pk), event__type="observation.pending"
    ).exists()

    services.observation_claim(observation=observation, actor=moderator)
    approved = services.observation_approve(
        observation=observation, actor=moderator, redacted_description="Caviardé."
    )
    assert approved.status == Observation.Status.DISPATCHED
    dispatch = Dispatch.objects.get(observation=observation)
    assert dispatch.agency == pm
    target = EventTarget.objects.get(group=agency_group(pm.pk), event__type="dispatch.created")
    assert target.event.data["observation"]["description"] == "Caviardé."
    assert "author" not in target.event.data["observation"]

    services.dispatch_acknowledge(dispatch=dispatch, actor=officer)
    services.dispatch_close(dispatch=dispatch, actor=officer, outcome="no_trace")
    observation.refresh_from_db()
    assert observation.status == Observation.Status.CLOSED
    assert list(observation.transitions.values_list("to_status", flat=True)) == [
        "pending",
        "dispatched",
        "acknowledged",
        "closed",
    ]
    kinds = list(Notification.objects.filter(user=author).order_by("id").values_list("kind", flat=True))
    assert kinds == [
        "alerts.observation.dispatched",
        "alerts.observation.acknowledged",
        "alerts.observation.closed",
    ]
    drain()
    bodies = [sms.body for sms in sms_outbox if sms.to == str(author.phone)]
    assert len(bodies) == 3
    assert "transmis à la police municipale" in bodies[0]
