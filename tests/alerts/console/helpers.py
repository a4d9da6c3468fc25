"""Helpers for the console tests: a commune with two police agencies, sockets through the real ASGI stack."""

import json
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from alerts.models import Agency
from alerts.services import categories_seed_defaults
from backend.accounts.models import User
from backend.asgi import application
from backend.territory.models import Commune
from tests import factories
from tests.alerts import factories as f
from tests.live import token_for
from tests.neighbours import factories as nf


@dataclass
class Town:
    commune: Commune
    moderator: User
    pm_operator: User
    pn_operator: User
    referent: User
    pm: Agency
    pn: Agency


def town() -> Town:
    """Les Pennes-Mirabeau: a moderator, a police municipale and a police nationale with one operator each;
    routing sends everything to the police municipale by default."""
    categories_seed_defaults()  # transactional tests flush the rows the migration seeded
    commune = factories.commune()
    moderator = f.moderator(commune)
    pm_operator = f.operator(commune)
    pn_operator = f.operator(commune)
    pm = f.agency(commune=commune, name="Police municipale", members=(pm_operator,))
    pn = f.agency(
        commune=commune, name="Commissariat", kind=Agency.Kind.POLICE_NATIONALE, members=(pn_operator,)
    )
    f.routing(commune, pm)
    nf.ready_commune(commune)
    return Town(commune, moderator, pm_operator, pn_operator, nf.referent(commune).user, pm, pn)


async def connect(
    user: User | None, *, last_event_id: int | None = None, headers: list[tuple[bytes, bytes]] | None = None
) -> WebsocketCommunicator:
    """A socket authenticated by `?token=` (no Origin), already past its `hello`."""
    query = []
    if user is not None:
        query.append(f"token={await sync_to_async(token_for)(user)}")
    if last_event_id is not None:
        query.append(f"last_event_id={last_event_id}")
    path = "/ws/console/" + ("?" + "&".join(query) if query else "")
    communicator = WebsocketCommunicator(application, path, headers=headers or [])
    connected, _code = await communicator.connect(timeout=10)
    assert connected
    hello = await communicator.receive_json_from(timeout=10)
    assert hello["type"] == "hello"
    communicator.hello = hello
    return communicator


async def drain(
    communicator: WebsocketCommunicator, *, quiet: float = 0.3, skip: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Every message until the socket stays quiet for `quiet` seconds."""
    messages: list[dict[str, Any]] = []
    while not await communicator.receive_nothing(timeout=quiet):
        message = json.loads(await communicator.receive_from(timeout=5))
        if message.get("type") not in skip:
            messages.append(message)
    return messages


async def until(communicator: WebsocketCommunicator, type_: str, *, timeout: float = 5) -> dict[str, Any]:
    """The next message of this type (others are skipped)."""
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message.get("type") == type_:
            return message
