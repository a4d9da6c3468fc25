"""Writes of the messaging backbone. Call these inside the transaction of the change that causes them."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from backend.accounts.models import User
from backend.messaging.models import Delivery, Device


@dataclass(frozen=True)
class Outgoing:
    """A message to queue: to a user (their devices for push, their phone for SMS) or to a bare address."""

    channel: str
    kind: str
    body: str
    recipient: User | None = None
    address: str = ""
    title: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    priority: str = Delivery.Priority.NORMAL
    not_before: datetime | None = None


def deliveries_enqueue(messages: Iterable[Outgoing]) -> list[Delivery]:
    """Writes one outbox row per message; the worker sends them after the caller's transaction commits."""
    now = timezone.now()
    rows = [
        Delivery(
            channel=message.channel,
            kind=message.kind,
            body=message.body,
            title=message.title,
            data=dict(message.data),
            recipient=message.recipient,
            address=message.address,
            source=message.source,
            priority=message.priority,
            created_at=now,
            not_before=message.not_before or now,
        )
        for message in messages
    ]
    return Delivery.objects.bulk_create(rows, batch_size=1000)


def delivery_enqueue(message: Outgoing) -> Delivery:
    return deliveries_enqueue([message])[0]


def deliveries_cancel(*, source: str) -> int:
    """Cancels what of a source has not left yet (a broadcast cancelled before its time)."""
    return Delivery.objects.filter(source=source, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.CANCELLED
    )


def device_deactivate(device: Device, *, reason: str) -> None:
    device.is_active = False
    device.deactivated_reason = reason[:200]
    device.save(update_fields=["is_active", "deactivated_reason"])
