"""/ws/console/: the live console's socket (operators, moderators).

Connect (optionally with `?last_event_id=N`):
1. the socket joins exactly the groups its user may see (alerts.console.selectors.console_groups);
2. it is accepted, and a `hello` message tells the client its groups;
3. with `last_event_id`, the replay: every event after N these groups may see, plus a grace window
   before N (ids are not commit order), in id order — or a `resync` event when N is older than the
   retention window (the client reloads its state);
4. then live events. channels hands a socket its messages one at a time, so events that arrive from the
   channel layer while the replay runs wait in the socket's queue and come after it, those already
   replayed skipped (`seen`): nothing twice, nothing lost.

Every CONSOLE_HEARTBEAT_SECONDS a `heartbeat` carries the newest event id this console may see: a client
whose newest id is smaller missed a live event (the layer is best-effort) and sends
`{"action": "replay", "last_event_id": <newest it has>}`, which runs the same replay.

Other messages are actions (alerts.console.actions) answered by `ack` or `error`.
"""

import asyncio
import contextlib
import logging
import random
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from alerts import access
from alerts.console.actions import console_action_run
from alerts.console.selectors import Replay, events_replay, newest_event_id
from alerts.console.services import (
    console_connection_close,
    console_connection_open,
    console_connection_touch,
)
from alerts.events import LAYER_MESSAGE_TYPE, layer_item
from alerts.models import ObservationRead
from alerts.read_log import observation_reads_record_ids
from backend.accounts.models import User
from backend.core.parsers import message_decode
from backend.core.websocket import CLOSE_UNAUTHENTICATED

logger = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
SEEN_MEMORY = 5000  # ids remembered to drop duplicates (replays overlap live events by design)


class ConsoleConsumer(AsyncJsonWebsocketConsumer):
    groups: list[str]

    async def connect(self) -> None:
        self.groups = []
        self.seen: OrderedDict[int, None] = OrderedDict()
        # Observations sent since the last flush to the officers' read log (each heartbeat, and at close).
        self.served: set[int] = set()
        self.heartbeat_task: asyncio.Task[None] | None = None
        self.registered = False
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accepted then closed, so that the client reads the code (a refused handshake shows none).
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await database_sync_to_async(access.console_allowed)(user, self.scope):
            # Staff without the second factor sign in again (password + TOTP); anyone else may not.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED if access.is_staff(user) else CLOSE_FORBIDDEN)
            return
        self.user = user
        groups = await database_sync_to_async(access.console_groups)(user)
        # Joined before the replay is read: whatever commits meanwhile is either in the replay or
        # arrives live (or both: deduplicated).
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups = groups
        await self.accept()
        await self.send_json({"type": "hello", "user": user.pk, "groups": groups})
        last_event_id = _int_or_none(
            (parse_qs(self.scope.get("query_string", b"").decode()).get("last_event_id") or [None])[0]
        )
        if last_event_id is not None:
            await self.replay(last_event_id)
        await database_sync_to_async(console_connection_open)(user=user, channel_name=self.channel_name)
        self.registered = True
        self.heartbeat_task = asyncio.create_task(self.heartbeat_loop())

    async def disconnect(self, code: int) -> None:
        if self.heartbeat_task is not None:
            self.heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.heartbeat_task
        # channels' websocket_disconnect has already left self.groups.
        if self.served:
            served, self.served = self.served, set()
            await database_sync_to_async(self.served_flush)(served)
        if self.registered:
            self.registered = False
            await database_sync_to_async(console_connection_close)(
                user=self.user, channel_name=self.channel_name
            )

    # --- replay and live events ------------------------------------------------------------------

    async def replay(self, last_event_id: int) -> None:
        replay: Replay = await database_sync_to_async(events_replay)(
            groups=self.groups, after_id=last_event_id
        )
        if replay.resync:
            await self.send_json(
                {
                    "type": "resync",
                    "reason": replay.reason,
                    "at": timezone.now().isoformat(),
                    "data": {"last_event_id": last_event_id},
                }
            )
        for event, observation_id in zip(replay.events, replay.observation_ids, strict=True):
            await self.send_event(layer_item(event, observation_id=observation_id))
        await self.send_json(
            {"type": "replayed", "last_event_id": last_event_id, "count": len(replay.events)}
        )

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Live events touch no database: skip channels' close_old_connections() before each message, a
        # thread hop per event and socket (20 consoles × 50 events/s = 1,000 hops a second). The handlers
        # that do use the database go through database_sync_to_async, which closes stale connections.
        if message.get("type") == LAYER_MESSAGE_TYPE:
            await self.vigie_events(message)
            return
        await super().dispatch(message)

    async def vigie_events(self, message: dict[str, Any]) -> None:
        """Live events from the channel layer (alerts.events.publish), in commit order."""
        for item in message["events"]:
            await self.send_event(item)

    async def send_event(self, item: dict[str, Any]) -> None:
        """Sends an event's JSON text ({"id", "text"}: alerts.events.layer_item) unless already sent."""
        event_id = int(item["id"])
        if event_id in self.seen:
            return
        self.seen[event_id] = None
        if item.get("observation"):
            self.served.add(int(item["observation"]))
        while len(self.seen) > SEEN_MEMORY:
            self.seen.popitem(last=False)
        await self.send(text_data=item["text"])

    # --- heartbeat -----------------------------------------------------------------------------

    async def heartbeat_loop(self) -> None:
        interval = float(settings.CONSOLE_HEARTBEAT_SECONDS)
        # The first one comes after a random part of the interval: consoles that connected together
        # (after a restart, a network cut) would otherwise all hit the database at the same instant.
        delay = interval * random.uniform(0.5, 1.0)  # noqa: S311  (spreading load, not security)
        while True:
            await asyncio.sleep(delay)
            delay = interval
            try:
                if not await self.heartbeat():
                    return
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("console heartbeat failed")

    async def heartbeat(self) -> bool:
        """Re-checks the credentials, follows group changes, sends the newest id; False once closed."""
        served, self.served = self.served, set()
        checked = await database_sync_to_async(self.heartbeat_read)(served)
        if checked is None:
            # Logged out, deactivated, no longer staff, or the access token expired: the client signs
            # in again (the page goes to the login, an API client gets a fresh token) and reconnects.
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return False
        groups, newest = checked
        await self.groups_update(groups)
        await self.send_json(
            {"type": "heartbeat", "newest_event_id": newest, "at": timezone.now().isoformat()}
        )
        return True

    def heartbeat_read(self, served: set[int]) -> tuple[list[str], int] | None:
        """The heartbeat's database work in one thread hop: credentials, groups, newest id, presence row,
        and the read log of what was sent since the last one."""
        self.served_flush(served)
        groups = self.credentials_recheck()
        if groups is None:
            return None
        newest = newest_event_id(groups=groups)
        console_connection_touch(channel_name=self.channel_name)
        return groups, newest

    def served_flush(self, served: set[int]) -> None:
        """Writes the observations this socket sent (since the last flush) to the officers' read log."""
        view = access.View.MODERATION if access.moderated_commune(self.user) else access.View.POLICE
        observation_reads_record_ids(
            actor=self.user, observation_ids=served, door=ObservationRead.Door.SOCKET, view=view
        )

    def credentials_recheck(self) -> list[str] | None:
        """The groups the user may see now, or None when the socket's credentials no longer hold."""
        user = User.objects.filter(pk=self.user.pk).first()
        if user is None or not access.console_allowed(user, {**self.scope, "user": user}):
            return None
        if self.scope.get("auth_method") == "session":
            session = self.scope.get("session")
            key = getattr(session, "session_key", None)
            if session is None or not key or not session.exists(key):
                return None
        elif self.scope.get("auth_method") == "token":
            raw = (parse_qs(self.scope.get("query_string", b"").decode()).get("token") or [""])[0]
            try:
                AccessToken(raw)
            except TokenError:
                return None
        self.user = user
        return access.console_groups(user)

    async def groups_update(self, groups: list[str]) -> None:
        """Membership changed (an operator moved to another agency): follow it at once."""
        for group in set(self.groups) - set(groups):
            await self.channel_layer.group_discard(group, self.channel_name)
        for group in set(groups) - set(self.groups):
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups = groups

    # --- messages from the client --------------------------------------------------------------

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.send_json(
                {
                    "type": "error",
                    "detail": _('Message illisible : envoyez un objet JSON, par exemple {"action": "ping"}.'),
                    "errors": {},
                }
            )
            return
        action = content.get("action")
        if action == "replay":
            last_event_id = _int_or_none(content.get("last_event_id"))
            if last_event_id is None:
                await self.send_json(
                    {
                        "type": "error",
                        "action": "replay",
                        "request_id": content.get("request_id"),
                        "detail": _("Champ « last_event_id » : un entier est requis."),
                        "errors": {"last_event_id": [_("Un entier est requis.")]},
                    }
                )
                return
            await self.replay(last_event_id)
            return
        if action == "ping":
            await self.heartbeat()
            return
        reply = await database_sync_to_async(console_action_run)(user=self.user, message=content)
        await self.send_json(reply)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        return message_decode(text_data)  # None (an error answered) when not JSON or nested too deep


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None
