"""The /ws/console/ socket through the real ASGI stack (WebsocketGuard, routing, in-memory layer)."""

import json
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from alerts import events as events_module
from alerts import services
from alerts.console import consumers
from alerts.console.models import ConsoleConnection
from alerts.events import (
    agency_group,
    event_emit,
    event_payload,
    layer_item,
    layer_message,
    moderation_group,
)
from alerts.models import Event, Observation
from backend.accounts.second_factor import AMR_CLAIM, STAFF_AMR
from backend.asgi import application
from tests import factories
from tests.alerts import factories as f
from tests.alerts.console.helpers import connect, drain, town, until

pytestmark = pytest.mark.django_db(transaction=True)

db = sync_to_async


async def test_refused_without_credentials_with_4401() -> None:
    communicator = WebsocketCommunicator(application, "/ws/console/")
    connected, _ = await communicator.connect()
    assert connected  # accepted, so that the client can read the code
    closing = await communicator.receive_output(timeout=5)
    assert closing == {"type": "websocket.close", "code": 4401}


async def test_refused_with_an_invalid_token_with_4401() -> None:
    communicator = WebsocketCommunicator(application, "/ws/console/?token=not-a-jwt")
    await communicator.connect()
    assert (await communicator.receive_output(timeout=5))["code"] == 4401


async def test_refused_from_a_foreign_origin_at_the_handshake() -> None:
    place = await db(town)()
    from tests.alerts.console.helpers import token_for

    token = await db(token_for)(place.moderator)
    communicator = WebsocketCommunicator(
        application, f"/ws/console/?token={token}", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected  # daphne answers the handshake with HTTP 403


async def test_a_referent_may_not_open_a_console() -> None:
    place = await db(town)()
    from tests.alerts.console.helpers import token_for

    token = await db(token_for)(place.referent)
    communicator = WebsocketCommunicator(application, f"/ws/console/?token={token}")
    await communicator.connect()
    assert (await communicator.receive_output(timeout=5))["code"] == consumers.CLOSE_FORBIDDEN


async def test_each_console_joins_exactly_its_groups() -> None:
    place = await db(town)()
    moderator = await connect(place.moderator)
    operator = await connect(place.pm_operator)
    assert set(moderator.hello["groups"]) == {
        f"user.{place.moderator.pk}",
        f"commune.{place.commune.pk}",
        moderation_group(place.commune.pk),
    }
    assert set(operator.hello["groups"]) == {
        f"user.{place.pm_operator.pk}",
        f"commune.{place.commune.pk}",
        agency_group(place.pm.pk),
    }
    await moderator.disconnect()
    await operator.disconnect()


async def test_police_municipale_never_receives_a_dispatch_meant_only_for_the_police_nationale() -> None:
    place = await db(town)()
    other = await db(factories.commune)(name="Septèmes", slug="septemes", prefix="SLV", lon_offset=0.2)
    other_moderator = await db(f.moderator)(other)
    pm = await connect(place.pm_operator)
    pn = await connect(place.pn_operator)
    elsewhere = await connect(other_moderator)
    await drain(pm), await drain(pn), await drain(elsewhere)

    observation = await db(f.observation)(place.referent)
    await db(services.observation_approve)(
        observation=observation, actor=place.moderator, agencies=[place.pn.pk]
    )

    created = await until(pn, "dispatch.created")
    assert created["data"]["agency"]["id"] == place.pn.pk
    assert created["data"]["observation"]["id"] == observation.pk
    assert await drain(pm, skip=("presence",)) == []
    assert await drain(elsewhere, skip=("presence",)) == []

    second = await db(f.observation)(place.referent)
    await db(services.observation_approve)(observation=second, actor=place.moderator, agencies=[place.pm.pk])
    assert (await until(pm, "dispatch.created"))["data"]["observation"]["id"] == second.pk
    assert [m["type"] for m in await drain(pn, skip=("presence",))] == []
    for communicator in (pm, pn, elsewhere):
        await communicator.disconnect()


async def test_live_events_come_in_id_order() -> None:
    place = await db(town)()
    moderator = await connect(place.moderator)
    await drain(moderator)
    for _ in range(5):
        await db(f.observation)(place.referent)
    pending = [m for m in await drain(moderator) if m["type"] == "observation.pending"]
    ids = [m["id"] for m in pending]
    assert len(ids) == 5
    assert ids == sorted(ids)
    assert all(set(m) == {"id", "type", "at", "data"} for m in pending)
    await moderator.disconnect()


def _age(event_ids: list[int], seconds: float) -> None:
    Event.objects.filter(pk__in=event_ids).update(at=timezone.now() - timedelta(seconds=seconds))


async def test_replay_after_last_event_id_then_live() -> None:
    place = await db(town)()
    observations = [await db(f.observation)(place.referent) for _ in range(4)]
    ids = await db(
        lambda: list(
            Event.objects.filter(type="observation.pending").order_by("id").values_list("id", flat=True)
        )
    )()
    assert len(ids) == len(observations)
    everything = await db(lambda: list(Event.objects.order_by("id").values_list("id", flat=True)))()
    await db(_age)([pk for pk in everything if pk < ids[1]], 120)  # outside the grace window
    await db(_age)([ids[1]], 60)
    groups = [moderation_group(place.commune.pk), f"commune.{place.commune.pk}", f"user.{place.moderator.pk}"]
    expected = await db(
        lambda: list(
            Event.objects.filter(pk__gt=ids[1], targets__group__in=groups)
            .distinct()
            .order_by("id")
            .values_list("id", flat=True)
        )
    )()
    assert set(ids[2:]) <= set(expected)
    moderator = await connect(place.moderator, last_event_id=ids[1])
    messages = await drain(moderator, skip=("presence",))
    assert [m["id"] for m in messages if "id" in m] == expected, messages
    assert messages[-1]["type"] == "replayed"

    live = await db(f.observation)(place.referent)
    event = await until(moderator, "observation.pending")
    assert event["data"]["id"] == live.pk
    assert event["id"] > ids[-1]
    await moderator.disconnect()


async def test_replay_covers_a_grace_window_before_the_id_asked_for() -> None:
    """A transaction that began earlier can commit a smaller id after the client saw a larger one."""
    place = await db(town)()
    for _ in range(3):
        await db(f.observation)(place.referent)
    ids = await db(
        lambda: list(
            Event.objects.filter(type="observation.pending").order_by("id").values_list("id", flat=True)
        )
    )()
    moderator = await connect(place.moderator, last_event_id=ids[-1])
    replayed = [m["id"] for m in await drain(moderator, skip=("presence",)) if "id" in m]
    assert set(ids[:-1]) <= set(replayed)
    assert ids[-1] not in replayed
    assert replayed == sorted(replayed)
    await moderator.disconnect()


async def test_no_duplicates_when_live_events_arrive_during_the_replay(monkeypatch: Any) -> None:
    place = await db(town)()
    for _ in range(3):
        await db(f.observation)(place.referent)
    ids = await db(lambda: list(Event.objects.order_by("id").values_list("id", flat=True)))()
    await db(_age)(ids, 60)
    original = consumers.events_replay

    def replay_with_live_traffic(**kwargs: Any) -> Any:
        result = original(**kwargs)
        layer = get_channel_layer()
        again = [layer_item(event_payload(e)) for e in Event.objects.filter(pk__in=ids[1:]).order_by("id")]
        # Already in the replay, published again (as one batch, as the server's drain sends them).
        async_to_sync(layer.group_send)(moderation_group(place.commune.pk), layer_message(again))
        with_new = f.observation(place.referent)  # a new event, live only
        assert with_new.pk
        return result

    monkeypatch.setattr(consumers, "events_replay", replay_with_live_traffic)
    moderator = await connect(place.moderator, last_event_id=ids[0])
    received = [m["id"] for m in await drain(moderator, skip=("presence",)) if "id" in m]
    newest = await db(lambda: Event.objects.filter(type="observation.pending").latest("id").pk)()
    assert received == [*ids[1:], newest]
    assert len(received) == len(set(received))

    # The same event published twice more later on: still dropped.
    event = await db(Event.objects.get)(pk=newest)
    await get_channel_layer().group_send(
        moderation_group(place.commune.pk), layer_message([layer_item(event_payload(event))] * 2)
    )
    assert await drain(moderator, skip=("presence",)) == []
    await moderator.disconnect()


async def test_resync_when_the_event_is_older_than_the_retention_window(settings: Any) -> None:
    settings.CONSOLE_EVENT_RETENTION_HOURS = 24
    place = await db(town)()
    await db(f.observation)(place.referent)
    await db(f.observation)(place.referent)
    ids = await db(lambda: list(Event.objects.order_by("id").values_list("id", flat=True)))()
    await db(_age)(ids[:1], 25 * 3600)
    moderator = await connect(place.moderator, last_event_id=ids[0])
    messages = await drain(moderator, skip=("presence",))
    assert messages[0]["type"] == "resync"
    assert [m for m in messages if "id" in m] == []
    await moderator.disconnect()

    # An id the log no longer holds (pruned) but older than the newest: resync as well.
    await db(lambda: Event.objects.filter(pk=ids[0]).delete())()
    again = await connect(place.moderator, last_event_id=ids[0])
    assert (await drain(again, skip=("presence",)))[0]["type"] == "resync"
    await again.disconnect()


async def test_heartbeat_carries_the_newest_event_id_this_console_may_see(settings: Any) -> None:
    settings.CONSOLE_HEARTBEAT_SECONDS = 0.3
    place = await db(town)()
    await db(f.observation)(place.referent)
    mine = await db(lambda: Event.objects.filter(type="observation.pending").latest("id").pk)()
    operator = await connect(place.pm_operator)
    heartbeat = await until(operator, "heartbeat")
    # The pending observation is the moderators' business: the operator's newest is its own presence.
    operator_newest = await db(
        lambda: Event.objects.filter(targets__group=agency_group(place.pm.pk)).latest("id").pk
    )()
    assert heartbeat["newest_event_id"] == operator_newest

    moderator = await connect(place.moderator)
    newest = await db(
        lambda: Event.objects.filter(targets__group=moderation_group(place.commune.pk)).latest("id").pk
    )()
    assert newest >= mine
    assert (await until(moderator, "heartbeat"))["newest_event_id"] == newest
    # An event for the police nationale only does not move the municipale's heartbeat.
    await db(event_emit_atomic)(type="test.other", data={}, groups=[agency_group(place.pn.pk)])
    assert (await until(operator, "heartbeat"))["newest_event_id"] == operator_newest
    await operator.disconnect()
    await moderator.disconnect()


def event_emit_atomic(**kwargs: Any) -> Event:
    from django.db import transaction

    with transaction.atomic():
        return event_emit(**kwargs)


async def test_a_client_behind_asks_for_a_replay_and_gets_what_it_missed(monkeypatch: Any) -> None:
    place = await db(town)()
    moderator = await connect(place.moderator)
    await drain(moderator)
    first = await db(f.observation)(place.referent)
    seen = (await until(moderator, "observation.pending"))["id"]
    # The layer lost these two (best-effort): written, never published.
    with monkeypatch.context() as patch:
        patch.setattr(events_module, "publish", lambda payload, groups, **kwargs: None)
        await db(f.observation)(place.referent)
        await db(f.observation)(place.referent)
    assert await drain(moderator, skip=("presence",)) == []
    await moderator.send_json_to({"action": "replay", "last_event_id": seen})
    replayed = [m for m in await drain(moderator) if m.get("type") == "observation.pending"]
    assert len(replayed) == 2
    assert all(m["data"]["id"] != first.pk for m in replayed)
    await moderator.disconnect()


async def test_actions_go_through_the_services_and_answer_in_french() -> None:
    place = await db(town)()
    observation = await db(f.observation)(place.referent)
    moderator = await connect(place.moderator)
    operator = await connect(place.pn_operator)
    await drain(moderator), await drain(operator)

    await moderator.send_json_to({"action": "claim", "request_id": "r1", "observation": observation.pk})
    ack = await until(moderator, "ack")
    assert ack["request_id"] == "r1"
    assert ack["action"] == "claim"
    claimed = await until(moderator, "observation.claimed")
    assert claimed["data"]["claimed_by"]["id"] == place.moderator.pk

    await moderator.send_json_to(
        {
            "action": "approve",
            "request_id": "r2",
            "observation": observation.pk,
            "redacted_description": "Deux personnes forcent un portail.",
            "agencies": [place.pn.pk],
        }
    )
    assert (await until(moderator, "ack"))["request_id"] == "r2"
    created = await until(operator, "dispatch.created")
    assert created["data"]["observation"]["description"] == "Deux personnes forcent un portail."
    dispatch_id = created["data"]["id"]

    await moderator.send_json_to(
        {"action": "reject", "request_id": "r3", "observation": observation.pk, "reason": "other"}
    )
    error = await until(moderator, "error")
    assert error["request_id"] == "r3"
    assert "déjà été traité" in error["detail"]

    await operator.send_json_to({"action": "acknowledge", "request_id": "a1", "dispatch": dispatch_id})
    assert (await until(operator, "ack"))["result"]["status"] == "acknowledged"
    acknowledged = (await until(operator, "dispatch.acknowledged"))["data"]
    assert acknowledged["id"] == dispatch_id
    assert acknowledged["assignee"]["id"] == place.pn_operator.pk  # acknowledging takes it on
    await operator.send_json_to(
        {"action": "note", "request_id": "a2", "dispatch": dispatch_id, "text": "Patrouille sur place."}
    )
    assert (await until(operator, "dispatch.noted"))["data"]["note"]["text"] == "Patrouille sur place."
    await operator.send_json_to(
        {"action": "close", "request_id": "a3", "dispatch": dispatch_id, "outcome": "nope"}
    )
    error = await until(operator, "error")
    assert error["errors"] == {"outcome": ["Issue inconnue."]}
    await operator.send_json_to(
        {"action": "close", "request_id": "a4", "dispatch": dispatch_id, "outcome": "no_trace"}
    )
    assert (await until(operator, "dispatch.closed"))["data"]["outcome"] == "no_trace"
    assert (await db(Observation.objects.get)(pk=observation.pk)).status == Observation.Status.CLOSED

    # An operator cannot moderate, nor touch another agency's dispatch; unknown actions are refused.
    await operator.send_json_to({"action": "claim", "request_id": "x", "observation": observation.pk})
    assert (await until(operator, "error"))["detail"] == "Signalement introuvable."
    await moderator.send_json_to({"action": "acknowledge", "request_id": "y", "dispatch": dispatch_id})
    assert (await until(moderator, "error"))["detail"] == "Transmission introuvable."
    await moderator.send_json_to({"action": "fly", "request_id": "z"})
    error = await until(moderator, "error")
    assert error["errors"] == {"action": ["Action inconnue."]}
    assert "claim" in error["detail"]  # the detail lists the actions there are
    await moderator.send_to(text_data="pas du JSON")
    assert "objet JSON" in (await until(moderator, "error"))["detail"]
    await moderator.send_json_to({"action": "claim", "request_id": "w"})
    assert "observation" in (await until(moderator, "error"))["errors"]
    await moderator.disconnect()
    await operator.disconnect()


async def test_emergency_mode_toggle_reaches_every_staff_console() -> None:
    place = await db(town)()
    moderator = await connect(place.moderator)
    operator = await connect(place.pm_operator)
    await drain(moderator), await drain(operator)
    await moderator.send_json_to(
        {
            "action": "emergency",
            "request_id": "e",
            "active": True,
            "categories": ["cambriolage"],
            "reason": "Série de cambriolages.",
        }
    )
    assert (await until(moderator, "ack"))["result"] == {"active": True}
    changed = await until(operator, "emergency_mode.changed")
    assert changed["data"]["active"] is True
    assert changed["data"]["categories"] == ["cambriolage"]
    await moderator.disconnect()
    await operator.disconnect()


async def test_presence_counts_connections_per_user() -> None:
    place = await db(town)()
    colleague = await db(f.operator)(place.commune)
    await db(place.pm.members.add)(colleague)
    watcher = await connect(colleague)
    await drain(watcher)

    first = await connect(place.pm_operator)
    presence = await until(watcher, "presence")
    assert presence["data"]["agency"]["id"] == place.pm.pk
    assert {user["id"] for user in presence["data"]["users"]} == {colleague.pk, place.pm_operator.pk}

    second = await connect(place.pm_operator)  # a second tab: no news
    assert await drain(watcher) == []
    assert await db(ConsoleConnection.objects.filter(user=place.pm_operator).count)() == 2

    await first.disconnect()
    assert await drain(watcher) == []  # still connected through the second tab
    await second.disconnect()
    presence = await until(watcher, "presence")
    assert {user["id"] for user in presence["data"]["users"]} == {colleague.pk}
    await watcher.disconnect()


def test_stale_connections_are_pruned_and_announced() -> None:
    from alerts.console.services import console_connection_open, console_connections_prune

    place = town()
    console_connection_open(user=place.pm_operator, channel_name="dead-process!abc")
    ConsoleConnection.objects.update(seen_at=timezone.now() - timedelta(minutes=10))
    before = Event.objects.filter(type="presence").count()
    assert console_connections_prune() == 1
    assert not ConsoleConnection.objects.exists()
    latest = Event.objects.filter(type="presence").latest("id")
    assert Event.objects.filter(type="presence").count() == before + 1
    assert latest.data["users"] == []
    assert json.dumps(latest.data)


def test_events_older_than_the_retention_window_are_pruned(settings: Any) -> None:
    from alerts.console.services import events_prune

    settings.CONSOLE_EVENT_RETENTION_HOURS = 24
    old = event_emit_atomic(type="test.old", data={}, groups=["user.1"])
    recent = event_emit_atomic(type="test.recent", data={}, groups=["user.1"])
    Event.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(hours=26))
    assert events_prune() == 1
    assert list(Event.objects.values_list("pk", flat=True)) == [recent.pk]


async def test_heartbeat_follows_agency_membership_and_closes_on_lost_credentials(settings: Any) -> None:
    settings.CONSOLE_HEARTBEAT_SECONDS = 0.3
    place = await db(town)()
    operator = await connect(place.pm_operator)
    await until(operator, "heartbeat")
    # Moved from the municipale to the nationale: the next heartbeat follows.
    await db(place.pm.members.remove)(place.pm_operator)
    await db(place.pn.members.add)(place.pm_operator)
    await until(operator, "heartbeat")
    await until(operator, "heartbeat")
    await drain(operator, skip=("heartbeat", "presence"))
    observation = await db(f.observation)(place.referent)
    await db(services.observation_approve)(
        observation=observation, actor=place.moderator, agencies=[place.pm.pk]
    )
    second = await db(f.observation)(place.referent)
    await db(services.observation_approve)(observation=second, actor=place.moderator, agencies=[place.pn.pk])
    created = await until(operator, "dispatch.created")
    assert created["data"]["agency"]["id"] == place.pn.pk  # the municipale's came first, and never arrived
    # Deactivated: closed with 4401 at the next heartbeat.
    await db(
        lambda: type(place.pm_operator).objects.filter(pk=place.pm_operator.pk).update(is_active=False)
    )()
    while True:
        output = await operator.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            break
    assert output["code"] == 4401


async def test_an_expired_access_token_closes_the_socket_at_the_heartbeat(settings: Any) -> None:
    from rest_framework_simplejwt.tokens import AccessToken

    settings.CONSOLE_HEARTBEAT_SECONDS = 0.3
    place = await db(town)()

    def short_token() -> str:
        token = AccessToken.for_user(place.moderator)
        token[AMR_CLAIM] = list(STAFF_AMR)
        token.set_exp(lifetime=timedelta(seconds=3))
        return str(token)

    raw = await db(short_token)()
    communicator = WebsocketCommunicator(application, f"/ws/console/?token={raw}")
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    types = []
    while True:
        output = await communicator.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            break
        types.append(json.loads(output["text"])["type"])
    assert "heartbeat" in types  # it lived while the token was valid
    assert output["code"] == 4401
