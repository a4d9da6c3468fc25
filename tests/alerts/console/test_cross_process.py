"""Two daphne processes sharing Redis: an approval made through process A reaches a console on process B.

Redis: tests/live.py's `redis_url` (REDIS_URL when set, else a throwaway redis-server). Never skipped.
The token in the socket's query string must not reach daphne's access log.
"""

import asyncio
import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from alerts.models import Observation
from tests.alerts import factories as f
from tests.alerts.console.helpers import town
from tests.live import start_daphne, token_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def post_json(url: str, token: str, payload: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(  # noqa: S310  (local daphne)
        url,
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
        return response.status, json.load(response)


async def receive_until(ws: Any, type_: str, timeout: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        message = await asyncio.wait_for(ws.receive_json(), timeout=max(0.1, deadline - time.monotonic()))
        if message.get("type") == type_:
            return dict(message)


def test_an_approval_through_process_a_reaches_a_console_on_process_b(tmp_path: Path, redis_url: str) -> None:
    import aiohttp

    place = town()
    observation = f.observation(place.referent)
    env = {"REDIS_URL": redis_url, "MEDIA_ROOT": str(tmp_path / "media")}
    a = start_daphne(tmp_path, env)
    b = start_daphne(tmp_path, env)
    operator_token = token_for(place.pm_operator)
    moderator_token = token_for(place.moderator)
    try:

        async def scenario() -> dict[str, Any]:
            async with (
                aiohttp.ClientSession() as session,
                session.ws_connect(f"{b.ws_url}/ws/console/?token={operator_token}") as ws,
            ):
                hello = await ws.receive_json(timeout=15)
                assert hello["type"] == "hello"
                status, body = await asyncio.to_thread(
                    post_json,
                    f"{a.url}/api/v1/moderation/{observation.pk}/approve/",
                    moderator_token,
                    {"agencies": [place.pm.pk], "redacted_description": "Portail forcé."},
                )
                assert status == 200, body
                return await receive_until(ws, "dispatch.created")

        created = asyncio.run(scenario())
        assert created["data"]["observation"]["id"] == observation.pk
        assert created["data"]["observation"]["description"] == "Portail forcé."
        assert Observation.objects.get(pk=observation.pk).status == Observation.Status.DISPATCHED
    finally:
        a.stop()
        b.stop()
    for server in (a, b):
        log = server.log.read_text()
        assert operator_token not in log, "the socket's token reached daphne's log"
    # daphne's access log (on by default) writes the socket's path without its query string.
    lines = [line for line in b.log.read_text().splitlines() if "WSCONNECT /ws/console/" in line]
    assert lines
    assert all("token" not in line and "?" not in line for line in lines)
