"""alerts.events.publish from a request thread: handed to the server's loop, batched per group, in order.

Under ASGI, a sync view runs in a worker thread while the server's event loop carries the sockets; the
publish after commit must not wait for the channel layer, and events committed close together travel as
one layer message per group, still in commit order.
"""

import asyncio
import json
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer

from alerts import events


class RecordingLayer(InMemoryChannelLayer):
    """The in-memory layer, recording each group_send and pausing the first one until released."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.release = asyncio.Event()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.sent.append((group, message))
        if len(self.sent) == 1:
            await self.release.wait()  # the first send is slow: the next events pile up meanwhile
        await super().group_send(group, message)


def _payload(event_id: int) -> dict[str, Any]:
    return {"id": event_id, "type": "observation.pending", "at": "2026-11-27T08:00:00+01:00", "data": {}}


def _publish(*sends: tuple[int, list[str]]) -> None:
    for event_id, groups in sends:
        events.publish(_payload(event_id), groups)


async def _publish_from_a_view(*sends: tuple[int, list[str]]) -> None:
    """As a sync view does it, in a worker thread: publish() returns at once, the loop sends later."""
    await sync_to_async(_publish, thread_sensitive=False)(*sends)


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0.01)


def _sent(layer: RecordingLayer) -> list[tuple[str, list[int]]]:
    return [(group, [item["id"] for item in message["events"]]) for group, message in layer.sent]


async def test_publish_from_a_request_thread_batches_per_group_in_commit_order(monkeypatch: Any) -> None:
    layer = RecordingLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    channel = await layer.new_channel()
    await layer.group_add("moderation.1", channel)

    both = ["moderation.1", "user.9"]
    await _publish_from_a_view((1, both))
    await _until(lambda: bool(layer.sent))  # the drain starts and stops in the first, slow, send
    await _publish_from_a_view((2, both), (3, both))  # committed while it is in flight
    layer.release.set()
    await _until(lambda: len(layer.sent) >= 4)

    # The first event went alone; the two that arrived while it was in flight went together, per group.
    assert _sent(layer) == [
        ("moderation.1", [1]),
        ("user.9", [1]),
        ("moderation.1", [2, 3]),
        ("user.9", [2, 3]),
    ]
    first = await layer.receive(channel)
    second = await layer.receive(channel)
    assert first["type"] == second["type"] == events.LAYER_MESSAGE_TYPE
    texts = [item["text"] for item in first["events"] + second["events"]]
    assert [json.loads(text)["id"] for text in texts] == [1, 2, 3]


def test_publish_without_a_server_loop_sends_and_waits(monkeypatch: Any) -> None:
    layer = InMemoryChannelLayer()
    sent: list[tuple[str, dict[str, Any]]] = []

    async def group_send(group: str, message: dict[str, Any]) -> None:
        sent.append((group, message))

    monkeypatch.setattr(layer, "group_send", group_send)
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    events.publish(_payload(7), ["agency.2"])
    assert [(group, [i["id"] for i in message["events"]]) for group, message in sent] == [("agency.2", [7])]


async def test_a_console_in_several_groups_still_gets_the_events_in_commit_order(monkeypatch: Any) -> None:
    layer = RecordingLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    channel = await layer.new_channel()
    await layer.group_add("moderation.1", channel)
    await layer.group_add("agency.4", channel)

    await _publish_from_a_view((1, ["moderation.1"]))
    await _until(lambda: bool(layer.sent))
    # While the first send is in flight: two events for the agency between two for the moderation.
    await _publish_from_a_view(
        (2, ["moderation.1"]), (3, ["agency.4"]), (4, ["agency.4"]), (5, ["moderation.1"])
    )
    layer.release.set()
    await _until(lambda: len(layer.sent) >= 4)

    assert _sent(layer) == [
        ("moderation.1", [1]),
        ("moderation.1", [2]),
        ("agency.4", [3, 4]),
        ("moderation.1", [5]),
    ]
    received = []
    for _ in range(4):
        message = await layer.receive(channel)
        received += [item["id"] for item in message["events"]]
    assert received == [1, 2, 3, 4, 5]
