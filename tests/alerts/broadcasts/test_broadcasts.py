"""Broadcasts through the API and the worker: audiences, channels, preferences, schedule, expiry,
update and cancel to the same people, the two-person rule, receipts, the inbox."""

from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from alerts.broadcasts import services
from alerts.broadcasts.models import Broadcast, BroadcastPolicy, BroadcastRecipient
from alerts.models import Event, Notification
from backend.messaging import worker
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue
from neighbours.models import Preferences
from tests import factories
from tests.alerts.broadcasts.conftest import BODY, referent, tokens_of
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db


def _create(actor: Any, **changes: Any) -> Any:
    return api_client_for(actor).post("/api/v1/broadcasts/", {**BODY, **changes}, format="json")


def test_burglary_alert_reaches_referents_of_the_sector_and_its_neighbours(
    commune3: Any, moderator: Any, push_outbox: Any
) -> None:
    north, south = referent(commune3, "nord"), referent(commune3, "sud", devices=2)
    east = referent(commune3, "est")
    no_app = referent(commune3, "nord", devices=0)

    response = _create(moderator)

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "sent"
    assert data["recipients"] == 3
    worker.drain()
    assert {message.token for message in push_outbox} == tokens_of(north, south)
    assert all(message.priority == "high" for message in push_outbox)
    assert push_outbox[0].data["kind"] == "burglary_alert"
    assert push_outbox[0].data["link"] == f"vigie://broadcasts/{data['id']}"
    # No app: an SMS instead (sms asked); the referent of `est` gets nothing, not even an inbox row.
    sms = Delivery.objects.get(source=f"broadcast:{data['id']}", channel="sms")
    assert sms.recipient == no_app
    assert not Notification.objects.filter(user=east).exists()
    detail = api_client_for(moderator).get(f"/api/v1/broadcasts/{data['id']}/").json()
    assert detail["receipts"]["push"]["sent"] == 2
    assert detail["receipts"]["sms"]["sent"] == 1
    assert detail["receipts"]["push"]["queued"] == 0
    assert Event.objects.filter(type="broadcast.sent", data__id=data["id"]).exists()


def test_refusals(commune3: Any, moderator: Any) -> None:
    referent_user = referent(commune3, "nord")
    assert _create(referent_user).status_code == 403
    response = _create(moderator, audiences=["martians"])
    assert response.status_code == 400
    assert "audiences" in response.json()["errors"]
    response = _create(moderator, sectors=["atlantide"])
    assert response.status_code == 400
    assert "sectors" in response.json()["errors"]
    response = _create(moderator, channels=["pigeon"])
    assert response.status_code == 400
    other_staff = factories.user(
        role="moderator", commune=factories.commune(name="B", slug="b", prefix="BBB")
    )
    created = _create(moderator).json()
    assert api_client_for(other_staff).get(f"/api/v1/broadcasts/{created['id']}/").status_code == 404


def test_send_at_sends_nothing_early(commune3: Any, operator: Any, push_outbox: Any) -> None:
    north = referent(commune3, "nord")
    send_at = timezone.now() + timedelta(hours=2)
    response = _create(operator, send_at=send_at.isoformat())
    assert response.status_code == 201
    broadcast = Broadcast.objects.get(pk=response.json()["id"])
    assert broadcast.state == Broadcast.State.SCHEDULED

    assert services.broadcasts_run_due(now=send_at - timedelta(seconds=1)) == 0
    worker.drain()
    assert push_outbox == []
    assert not Notification.objects.filter(user=north).exists()
    assert not Delivery.objects.filter(source=broadcast.source).exists()

    assert services.broadcasts_run_due(now=send_at) == 1
    assert services.broadcasts_run_due(now=send_at) == 0  # sent once
    worker.drain()
    assert {message.token for message in push_outbox} == tokens_of(north)
    broadcast.refresh_from_db()
    assert broadcast.state == Broadcast.State.SENT


def test_expiry_holds_back_what_has_not_left(commune3: Any, moderator: Any) -> None:
    user = referent(commune3, "nord")
    Preferences.objects.create(user=user, quiet_hours_start=time(0, 0), quiet_hours_end=time(23, 59))
    expires = timezone.now() + timedelta(hours=1)
    response = _create(moderator, kind="prevention", expires_at=expires.isoformat())
    broadcast = Broadcast.objects.get(pk=response.json()["id"])
    delivery = Delivery.objects.get(source=broadcast.source)
    assert delivery.not_before > timezone.now()  # held by quiet hours

    services.broadcasts_run_due(now=expires + timedelta(seconds=1))

    broadcast.refresh_from_db()
    delivery.refresh_from_db()
    assert broadcast.state == Broadcast.State.EXPIRED
    assert delivery.status == Delivery.Status.CANCELLED


def test_quiet_hours_hold_prevention_never_a_burglary_alert_and_opt_outs_leave_the_inbox(
    commune3: Any, moderator: Any
) -> None:
    quiet = referent(commune3, "nord")
    Preferences.objects.create(user=quiet, quiet_hours_start=time(0, 0), quiet_hours_end=time(23, 59))
    opted_out = referent(commune3, "nord")
    Preferences.objects.create(user=opted_out, push_opt_outs=["prevention"])
    now = timezone.now()

    prevention = _create(moderator, kind="prevention").json()
    alert = _create(moderator, kind="burglary_alert").json()

    held = Delivery.objects.get(source=f"broadcast:{prevention['id']}", recipient=quiet)
    assert held.not_before > now + timedelta(minutes=1)
    assert held.priority == "normal"
    assert not Delivery.objects.filter(source=f"broadcast:{prevention['id']}", recipient=opted_out).exists()
    assert Notification.objects.filter(user=opted_out, data__broadcast_id=prevention["id"]).exists()
    at_once = Delivery.objects.get(source=f"broadcast:{alert['id']}", recipient=quiet)
    assert at_once.not_before <= timezone.now()
    assert Delivery.objects.filter(source=f"broadcast:{alert['id']}", recipient=opted_out).exists()


def test_update_and_cancel_reach_exactly_the_original_recipients(
    commune3: Any, moderator: Any, push_outbox: Any
) -> None:
    first, second = referent(commune3, "nord"), referent(commune3, "sud")
    original = _create(moderator).json()
    worker.drain()
    late = referent(commune3, "nord")  # joined after: not a recipient of the original
    push_outbox.clear()

    update = api_client_for(moderator).post(
        f"/api/v1/broadcasts/{original['id']}/update/", {"body": "Individus interpellés."}, format="json"
    )
    assert update.status_code == 200, update.json()
    assert update.json()["msg_type"] == "update"
    assert update.json()["original"] == original["id"]
    worker.drain()
    assert {message.token for message in push_outbox} == tokens_of(first, second)
    assert {message.data["msg_type"] for message in push_outbox} == {"update"}

    push_outbox.clear()
    cancel = api_client_for(moderator).post(f"/api/v1/broadcasts/{original['id']}/cancel/", {}, format="json")
    assert cancel.status_code == 200, cancel.json()
    assert cancel.json()["msg_type"] == "cancel"
    worker.drain()
    assert {message.token for message in push_outbox} == tokens_of(first, second)
    assert not Notification.objects.filter(user=late).exists()
    assert Broadcast.objects.get(pk=original["id"]).state == Broadcast.State.CANCELLED
    again = api_client_for(moderator).post(f"/api/v1/broadcasts/{original['id']}/cancel/", {}, format="json")
    assert again.status_code == 409


def test_cancel_before_sending_sends_nothing(commune3: Any, moderator: Any, push_outbox: Any) -> None:
    referent(commune3, "nord")
    created = _create(moderator, send_at=(timezone.now() + timedelta(hours=1)).isoformat()).json()
    response = api_client_for(moderator).post(
        f"/api/v1/broadcasts/{created['id']}/cancel/", {}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    services.broadcasts_run_due(now=timezone.now() + timedelta(hours=2))
    worker.drain()
    assert push_outbox == []
    assert not Notification.objects.exists()


def test_two_person_rule(commune3: Any, moderator: Any, operator: Any, push_outbox: Any) -> None:
    BroadcastPolicy.objects.create(commune=commune3, two_person_rule=True)
    north = referent(commune3, "nord")
    created = _create(moderator).json()
    assert created["state"] == "draft"
    worker.drain()
    assert push_outbox == []

    own = api_client_for(moderator).post(f"/api/v1/broadcasts/{created['id']}/approve/")
    assert own.status_code == 403
    assert own.json()["detail"]

    approved = api_client_for(operator).post(f"/api/v1/broadcasts/{created['id']}/approve/")
    assert approved.status_code == 200
    assert approved.json()["state"] == "sent"
    assert approved.json()["approved_by"] == operator.pk
    worker.drain()
    assert {message.token for message in push_outbox} == tokens_of(north)
    assert api_client_for(operator).post(f"/api/v1/broadcasts/{created['id']}/approve/").status_code == 409


def test_receipts_count_failures_and_invalid_tokens(commune3: Any, moderator: Any) -> None:
    from backend.messaging.backends import locmem
    from backend.messaging.backends.base import PushOutcome

    good, dead = referent(commune3, "nord"), referent(commune3, "nord")
    locmem.push_script[next(iter(tokens_of(dead)))] = [PushOutcome.INVALID]
    created = _create(moderator).json()
    worker.drain()
    receipts = api_client_for(moderator).get(f"/api/v1/broadcasts/{created['id']}/").json()["receipts"]
    assert receipts["push"] == {"queued": 0, "sent": 1, "failed": 0, "invalid": 1, "cancelled": 0}
    assert BroadcastRecipient.objects.filter(broadcast_id=created["id"]).count() == 2
    assert good.devices.get().is_active


def test_inbox_lists_and_marks_read(commune3: Any, moderator: Any) -> None:
    mine = referent(commune3, "nord")
    other = referent(commune3, "nord")
    created = _create(moderator, kind="prevention", title="Conseil", body="Fermez votre garage.").json()
    deliveries_enqueue([Outgoing(channel="push", kind="x", body="not an inbox row", recipient=mine)])

    client = api_client_for(mine)
    page = client.get("/api/v1/inbox/").json()
    assert page["count"] == 1
    item = page["results"][0]
    assert item["title"] == "Conseil"
    assert item["data"]["broadcast_id"] == created["id"]
    assert item["read_at"] is None

    read = client.post(f"/api/v1/inbox/{item['id']}/read/")
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert api_client_for(other).post(f"/api/v1/inbox/{item['id']}/read/").status_code == 404
    assert client.get("/api/v1/inbox/").json()["results"][0]["read_at"] is not None


def test_update_before_sending_edits_it_and_a_follow_up_leads_back_to_its_original(
    commune3: Any, moderator: Any
) -> None:
    referent(commune3, "nord")
    client = api_client_for(moderator)
    scheduled = _create(moderator, send_at=(timezone.now() + timedelta(hours=1)).isoformat()).json()
    edited = client.post(
        f"/api/v1/broadcasts/{scheduled['id']}/update/", {"title": "Titre corrigé"}, format="json"
    )
    assert edited.status_code == 200, edited.json()
    assert edited.json()["id"] == scheduled["id"]
    assert edited.json()["title"] == "Titre corrigé"
    assert edited.json()["state"] == "scheduled"
    assert Broadcast.objects.count() == 1

    sent = _create(moderator).json()
    update = client.post(f"/api/v1/broadcasts/{sent['id']}/update/", {"body": "Suite."}, format="json").json()
    # Cancelling through the update cancels the original it refers to.
    cancel = client.post(f"/api/v1/broadcasts/{update['id']}/cancel/", {}, format="json")
    assert cancel.status_code == 200, cancel.json()
    assert cancel.json()["original"] == sent["id"]
    assert Broadcast.objects.get(pk=sent["id"]).state == Broadcast.State.CANCELLED


def test_a_retried_broadcast_with_its_idempotency_key_alerts_the_town_once(
    commune3: Any, moderator: Any, push_outbox: Any
) -> None:
    north = referent(commune3, "nord")
    client = api_client_for(moderator)
    headers = {"Idempotency-Key": "diffusion-1"}
    first = client.post("/api/v1/broadcasts/", BODY, format="json", headers=headers)
    again = client.post("/api/v1/broadcasts/", BODY, format="json", headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Broadcast.objects.count() == 1
    worker.drain()
    assert sorted(message.token for message in push_outbox) == sorted(tokens_of(north))
    other = client.post("/api/v1/broadcasts/", {**BODY, "title": "Autre"}, format="json", headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"]["Idempotency-Key"]
    assert Broadcast.objects.count() == 1
