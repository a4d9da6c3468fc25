"""Writes of the messaging backbone. Call these inside the transaction of the change that causes them."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import NotFound
from backend.messaging.models import Delivery, Device, PushReceipt


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
    # Not sent after this moment (a login code); the body blanked once settled (a secret).
    expires_at: datetime | None = None
    redact_when_settled: bool = False
    # CANCELLED writes a row that is never sent: a decoy that keeps a request's database work the same
    # whether a message goes out or not (login codes for unknown numbers).
    status: str = Delivery.Status.QUEUED


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
            expires_at=message.expires_at,
            redact_when_settled=message.redact_when_settled,
            status=message.status,
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


def device_register(
    *,
    user: User,
    token: str,
    platform: str,
    app_version: str = "",
    web_p256dh: str = "",
    web_auth: str = "",
) -> tuple[Device, bool]:
    """Registers or refreshes a push token (a Web Push subscription: its endpoint and keys) for `user`;
    returns (device, created).

    A token seen again moves to its newest owner (a phone handed over, another account on the app): the
    former owner gets nothing more on it, even pushes of theirs already being sent. Posting the same token
    again only refreshes it (idempotent); an invalidated token that the app sends again is reactivated.
    """
    now = timezone.now()
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(token=token).first()
        if device is None:
            try:
                with transaction.atomic():
                    device = Device.objects.create(
                        user=user,
                        token=token,
                        platform=platform,
                        app_version=app_version,
                        web_p256dh=web_p256dh,
                        web_auth=web_auth,
                        created_at=now,
                        last_seen_at=now,
                    )
            except IntegrityError:  # registered by a parallel request in the meantime
                device = Device.objects.select_for_update().get(token=token)
            else:
                audit_record(
                    actor=user, action="device.registered", target=device, extra={"platform": platform}
                )
                return device, True
        previous_owner = device.user_id
        changed = []
        if previous_owner != user.pk:
            device.user = user
            changed.append("user")
            # Receipts not yet sent belong to the former owner's messages: never to the new owner's phone.
            PushReceipt.objects.filter(device=device, status=PushReceipt.Status.PENDING).update(
                status=PushReceipt.Status.FAILED, error="device moved to another user", updated_at=now
            )
        if not device.is_active:
            device.is_active = True
            device.deactivated_reason = ""
            changed += ["is_active", "deactivated_reason"]
        for name, value in (
            ("platform", platform),
            ("app_version", app_version),
            ("web_p256dh", web_p256dh),
            ("web_auth", web_auth),
        ):
            if getattr(device, name) != value:
                setattr(device, name, value)
                changed.append(name)
        device.last_seen_at = now
        device.save(update_fields=[*changed, "last_seen_at"])
        if "user" in changed:
            audit_record(
                actor=user,
                action="device.moved",
                target=device,
                extra={"from_user": previous_owner, "to_user": user.pk},
            )
        elif "is_active" in changed:
            audit_record(actor=user, action="device.reactivated", target=device)
    return device, False


def device_unregister(*, user: User, token: str) -> None:
    """Forgets the caller's token (logout); someone else's or an unknown token is not found."""
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(token=token, user=user).first()
        if device is None:
            raise NotFound(_("Appareil inconnu."), field="token")
        audit_record(actor=user, action="device.unregistered", target=device)
        device.delete()


def devices_remove_all(*, user: User) -> int:
    """Every push address of the user (account erased)."""
    deleted, _counts = Device.objects.filter(user=user).delete()
    return deleted
