"""alerts.events.publish never waits for a server loop that has stopped (a plain daphne on SIGTERM stops
its loop, then joins the request threads: a publish waiting on that loop kept the process alive forever).
"""

import asyncio
import logging
import os
import threading
from typing import Any

from asgiref.sync import SyncToAsync
from channels.layers import InMemoryChannelLayer

from alerts import events

PAYLOAD = {"id": 7, "type": "observation.pending", "at": "2026-11-27T08:00:00+01:00", "data": {}}


def publish_in_a_request_thread(loop: asyncio.AbstractEventLoop) -> threading.Event:
    """publish() in a thread that asgiref marked as serving `loop` (as it does for a sync view); the event
    is set when publish() returns. Daemon: a thread stuck there must not keep pytest alive."""
    returned = threading.Event()

    def request_thread() -> None:
        SyncToAsync.threadlocal.main_event_loop = loop
        SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()
        events.publish(PAYLOAD, ["agency.1", "moderation.1"])
        returned.set()

    threading.Thread(target=request_thread, daemon=True).start()
    return returned


def test_a_stopped_server_loop_is_not_waited_for_and_the_skip_is_logged(
    monkeypatch: Any, caplog: Any
) -> None:
    layer = InMemoryChannelLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    stopped = asyncio.new_event_loop()  # not running, not closed: a server's loop after its stop
    try:
        with caplog.at_level(logging.WARNING, logger="alerts.events"):
            returned = publish_in_a_request_thread(stopped)
            assert returned.wait(timeout=30), "publish() waits for a loop that will never run again"
        assert "event 7 not pushed to ['agency.1', 'moderation.1']" in caplog.text
        assert "stopped" in caplog.text
    finally:
        stopped.close()


def test_a_closed_server_loop_still_publishes_on_a_loop_of_its_own(monkeypatch: Any) -> None:
    layer = InMemoryChannelLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    sent: list[str] = []

    async def group_send(group: str, message: dict[str, Any]) -> None:
        sent.append(group)

    monkeypatch.setattr(layer, "group_send", group_send)
    closed = asyncio.new_event_loop()
    closed.close()
    assert publish_in_a_request_thread(closed).wait(timeout=30)
    assert sent == ["agency.1", "moderation.1"]
