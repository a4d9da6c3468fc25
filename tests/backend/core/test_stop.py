"""What lets a plain daphne stop: a request that the server cancels still ends as usual, and the reactor's
stop waits for it (tests/deploy/test_sigterm_plain_daphne.py is the whole scenario)."""

import asyncio
from typing import Any

from backend.core import middleware


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b""}


async def test_a_cancelled_request_still_finishes_and_is_waited_for():
    release = asyncio.Event()
    finished: list[str] = []

    async def django(scope: Any, receive: Any, send: Any) -> None:
        await release.wait()  # the view, still running when the server cancels the instance
        await send({"type": "http.response.start", "status": 201, "headers": []})
        finished.append("answered")

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    instance = asyncio.ensure_future(middleware.FinishWhenCancelled(django)({"type": "http"}, receive, send))
    await asyncio.sleep(0)
    instance.cancel()  # what daphne does to every application instance on SIGTERM
    await asyncio.gather(instance, return_exceptions=True)
    assert instance.cancelled()
    assert len(middleware._finishing) == 1  # hold_stop_while_busy waits for it
    release.set()
    for _ in range(10):
        await asyncio.sleep(0)
    assert finished == ["answered"]
    assert sent[0]["status"] == 201
    assert middleware._finishing == set()


async def test_other_scopes_pass_through_unshielded():
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    async def send(message: dict[str, Any]) -> None:
        pass

    await middleware.FinishWhenCancelled(app)({"type": "websocket"}, receive, send)
    assert seen == ["websocket"]
