"""The one entry point for realtime events: services call event_emit() inside their transaction.

The row (and its target groups) commits with the change; after commit the event is pushed to the groups
on the channel layer, best-effort: a console that misses it catches up by replaying rows
(Zulip's send_event_on_commit is the model).
"""

import asyncio
import json
import logging
import weakref
from collections import deque
from collections.abc import Iterable
from typing import Any, NamedTuple

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from alerts.models import Event, EventTarget, Observation
from backend.core.fastpaths.server_loop import server_loop, server_loop_stopped

logger = logging.getLogger(__name__)

# The consumer method that receives events: {"type": "vigie.events", "events": [{"id", "text"}, …]} →
# vigie_events(). Several events of one group travel in one layer message when they were committed close
# together (see _drain), and each carries its JSON already encoded: encoded once, not once per socket.
LAYER_MESSAGE_TYPE = "vigie.events"


def agency_group(agency_id: int) -> str:
    return f"agency.{agency_id}"


def moderation_group(commune_id: int) -> str:
    return f"moderation.{commune_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def commune_staff_group(commune_id: int) -> str:
    """Every staff console of a commune (emergency mode, broadcasts)."""
    return f"commune.{commune_id}"


def commune_dispatches_group(commune_id: int) -> str:
    """The dispatches of a commune's observations, whatever the agency (its commune admins' consoles)."""
    return f"dispatches.{commune_id}"


def event_payload(event: Event) -> dict[str, Any]:
    """The JSON that clients receive: {"id", "type", "at", "data"}."""
    return {"id": event.pk, "type": event.type, "at": event.at.isoformat(), "data": event.data}


def layer_item(payload: dict[str, Any], *, observation_id: int | None = None) -> dict[str, Any]:
    """One event as it travels on the channel layer: its id (order, duplicates), its JSON text, and the
    observation it is about (the console writes what it sent to the officers' read log)."""
    item = {"id": payload["id"], "text": json.dumps(payload, ensure_ascii=False)}
    if observation_id is not None:
        item["observation"] = observation_id
    return item


def layer_message(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": LAYER_MESSAGE_TYPE, "events": items}


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def event_emit(
    *, type: str, data: dict[str, Any], groups: Iterable[str], observation: Observation | int | None = None
) -> Event:
    """Writes the event for these groups and publishes it after the surrounding transaction commits.

    `observation`: the observation the event is about (its text, its dispatch): the event is then deleted
    with it by the retention purge, whatever the shape of `data`."""
    targets = sorted(set(groups))
    observation_id = observation.pk if isinstance(observation, Observation) else observation
    event = Event(type=type, data=_json_safe(data), observation_id=observation_id)
    if connection.vendor == "postgresql" and targets:
        _insert_with_targets(event, targets)
    else:
        event.save(force_insert=True)
        EventTarget.objects.bulk_create([EventTarget(event=event, group=group) for group in targets])
    payload = event_payload(event)
    transaction.on_commit(lambda: publish(payload, targets, observation_id=observation_id))
    return event


_EVENT_WITH_TARGETS_SQL = """
WITH event AS (
    INSERT INTO "{event}" ("at", "type", "data", "observation_id") VALUES (%s, %s, %s, %s) RETURNING "id"
), targets AS (
    INSERT INTO "{target}" ("event_id", "group") SELECT event."id", name FROM event, UNNEST(%s::text[]) AS name
)
SELECT "id" FROM event
"""


def _insert_with_targets(event: Event, targets: list[str]) -> None:
    """PostgreSQL: the event row and its target groups in one statement (a round trip less in the
    transaction of the change, which may hold a lock that other requests wait for)."""
    sql = _EVENT_WITH_TARGETS_SQL.format(event=Event._meta.db_table, target=EventTarget._meta.db_table)
    data = Event._meta.get_field("data").get_db_prep_save(event.data, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.at, event.type, data, event.observation_id, targets])
        row = cursor.fetchone()
    event.pk = row[0]
    event._state.adding = False
    event._state.db = connection.alias


def publish(payload: dict[str, Any], groups: Iterable[str], *, observation_id: int | None = None) -> None:
    """Pushes the event to its groups. Called after commit, in the thread of the request: under ASGI the
    sends are handed to the server's event loop without waiting (the request answers at once), in order
    (one queue per loop, drained by one task: a group sees its events in the order they were committed).
    Without a running server loop (worker, management commands, WSGI), it sends and waits. Never for a
    server whose loop has stopped (shutting down): the event is not pushed, consoles replay its row."""
    layer = get_channel_layer()
    if layer is None:
        return
    item = layer_item(payload, observation_id=observation_id)
    targets = list(groups)
    loop = server_loop()
    if loop is not None:
        try:
            loop.call_soon_threadsafe(_enqueue, loop, _Pending(layer, targets, item))
            return
        except RuntimeError:  # the loop closed meanwhile: send as below
            pass
    if server_loop_stopped():
        logger.warning(
            "event %s not pushed to %s: the server's event loop has stopped (consoles replay it)",
            payload.get("id"),
            targets,
        )
        return
    for group in targets:
        try:
            async_to_sync(layer.group_send)(group, layer_message([item]))
        except Exception:  # best-effort: the row is the truth, consoles replay what they miss
            logger.exception("could not publish event %s to %s", payload.get("id"), group)


# Per event loop: the sends waiting for their turn, and the task that drains them (loop thread only).
_queues: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopQueue]" = weakref.WeakKeyDictionary()


class _Pending(NamedTuple):
    layer: Any
    groups: list[str]
    item: dict[str, Any]


class _LoopQueue:
    def __init__(self) -> None:
        self.pending: deque[_Pending] = deque()
        self.task: asyncio.Task[None] | None = None


def _enqueue(loop: asyncio.AbstractEventLoop, pending: _Pending) -> None:
    queue = _queues.get(loop)
    if queue is None:
        queue = _queues[loop] = _LoopQueue()
    queue.pending.append(pending)
    if queue.task is None or queue.task.done():
        queue.task = loop.create_task(_drain(queue))


def _batches(pending: deque[_Pending]) -> list[tuple[Any, str, list[dict[str, Any]]]]:
    """Everything waiting, as (layer, group, events) messages in commit order. Under load, events pile up
    while a send is in flight; consecutive events for the same groups then travel together (one PUBLISH
    and one consumer wake-up per group instead of one per event). An event for other groups starts a new
    batch, so a console in several groups still receives the events in the order they were committed."""
    runs: list[tuple[Any, list[str], list[dict[str, Any]]]] = []
    while pending:
        event = pending.popleft()
        if runs and runs[-1][0] is event.layer and runs[-1][1] == event.groups:
            runs[-1][2].append(event.item)
        else:
            runs.append((event.layer, event.groups, [event.item]))
    return [(layer, group, items) for layer, groups, items in runs for group in groups]


async def _drain(queue: _LoopQueue) -> None:
    while queue.pending:
        for layer, group, items in _batches(queue.pending):
            try:
                await layer.group_send(group, layer_message(items))
            except Exception:  # best-effort, as above
                logger.exception("could not publish events %s to %s", [i["id"] for i in items], group)
