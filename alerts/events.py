"""The one entry point for realtime events: services call event_emit() inside their transaction.

The row (and its target groups) commits with the change; after commit the event is pushed to the groups
on the channel layer, best-effort: a console that misses it catches up by replaying rows
(Zulip's send_event_on_commit is the model).
"""

import json
import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from alerts.models import Event, EventTarget

logger = logging.getLogger(__name__)

# The consumer method that receives events: {"type": "vigie.event", "event": {...}} → vigie_event().
LAYER_MESSAGE_TYPE = "vigie.event"


def agency_group(agency_id: int) -> str:
    return f"agency.{agency_id}"


def moderation_group(commune_id: int) -> str:
    return f"moderation.{commune_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def commune_staff_group(commune_id: int) -> str:
    """Every staff console of a commune (emergency mode, broadcasts)."""
    return f"commune.{commune_id}"


def event_payload(event: Event) -> dict[str, Any]:
    """The JSON that clients receive: {"id", "type", "at", "data"}."""
    return {"id": event.pk, "type": event.type, "at": event.at.isoformat(), "data": event.data}


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def event_emit(*, type: str, data: dict[str, Any], groups: Iterable[str]) -> Event:
    """Writes the event for these groups and publishes it after the surrounding transaction commits."""
    targets = sorted(set(groups))
    event = Event.objects.create(type=type, data=_json_safe(data))
    EventTarget.objects.bulk_create([EventTarget(event=event, group=group) for group in targets])
    payload = event_payload(event)
    transaction.on_commit(lambda: publish(payload, targets))
    return event


def publish(payload: dict[str, Any], groups: Iterable[str]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, {"type": LAYER_MESSAGE_TYPE, "event": payload})
        except Exception:  # best-effort: the row is the truth, consoles replay what they miss
            logger.exception("could not publish event %s to %s", payload.get("id"), group)
