"""The ASGI server's event loop, seen from a sync view that it runs in a thread (asgiref internals).

Publishing an event after commit from a sync view could wait on `async_to_sync` (a round trip to the
loop per event); handing the send to the server's loop without waiting lets the request answer at once
(alerts/events.py). asgiref records that loop, for its own use, in the private thread-local
`SyncToAsync.threadlocal` as `main_event_loop` and `main_event_loop_pid`: these functions read them.
"""

import asyncio
import os

from asgiref.sync import SyncToAsync


def _recorded_loop() -> asyncio.AbstractEventLoop | None:
    """The loop asgiref's SyncToAsync recorded for this thread, when this process recorded it."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    return loop


def server_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop of the ASGI server when this thread runs a sync view for it, else None."""
    loop = _recorded_loop()
    if loop is None:
        return None
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # called from async code in this very thread: not the case this path is for
        return None
    return loop if loop.is_running() and not loop.is_closed() else None


def server_loop_stopped() -> bool:
    """Whether this thread runs a sync view for a server whose event loop has stopped without closing (a
    plain daphne on SIGTERM stops its loop, then waits for the request threads). async_to_sync would hand
    the send to that loop (call_soon_threadsafe only refuses a closed loop) and wait forever for it to
    run: the process never exits. A closed loop is no trap: async_to_sync then sends on a loop of its own."""
    loop = _recorded_loop()
    return loop is not None and not loop.is_running() and not loop.is_closed()
