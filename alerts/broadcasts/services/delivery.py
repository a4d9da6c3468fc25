"""Sending a broadcast: its recipients, their inbox rows and the outbox deliveries.

Who gets what: `selectors.recipients_plan` (the one function the preview counts with too): the audiences
(alerts/registry.py: "referents" from neighbours, "shopkeepers" from commerces) of the commune, of the
sectors (widened to their adjacent sectors when asked), one channel each (push, else SMS, else the inbox
row); quiet hours hold back `prevention` pushes and never an alert. Updates and cancels reach exactly the
recipients of the original, on the same channel. With SMS asked, numbers that other apps add
(registry.sms_recipients: residents on holiday watch) are texted too, once, unless they belong to someone
already reached; an update or a cancel texts the numbers its original texted.

`broadcast_release` and `broadcast_send` run inside their caller's transaction."""

from datetime import datetime

from alerts.broadcasts.models import Broadcast, BroadcastRecipient
from alerts.broadcasts.selectors import PlannedRecipient, area_sectors, recipients_plan
from alerts.broadcasts.services.common import HIGH_PRIORITY_KINDS, QUIET_HOURS_KINDS, sms_text_of
from alerts.events import commune_staff_group, event_emit
from alerts.models import Notification
from alerts.registry import AudienceQuery, push_decisions, sms_recipients
from backend.audit.services import audit_record
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue


def broadcast_release(broadcast: Broadcast, *, now: datetime) -> None:
    """Scheduled if its sending time is still to come, else sent now."""
    if broadcast.send_at is not None and broadcast.send_at > now:
        Broadcast.objects.filter(pk=broadcast.pk).update(state=Broadcast.State.SCHEDULED)
        broadcast.state = Broadcast.State.SCHEDULED
        return
    broadcast_send(broadcast, now=now)


def broadcast_send(broadcast: Broadcast, *, now: datetime) -> None:
    """Claims the broadcast (one sender wins), expands it into recipients, inbox rows and deliveries."""
    won = Broadcast.objects.filter(
        pk=broadcast.pk, state__in=[Broadcast.State.DRAFT, Broadcast.State.SCHEDULED]
    ).update(state=Broadcast.State.SENT, sent_at=now)
    if not won:
        return
    broadcast.refresh_from_db()
    if broadcast.original_id is None:
        planned = _expand(broadcast, now=now)
    else:
        planned = _same_recipients(broadcast, now=now)
    count = _deliver(broadcast, planned)
    _deliver_extra_sms(broadcast, planned)
    Broadcast.objects.filter(pk=broadcast.pk).update(recipients_count=count)
    broadcast.recipients_count = count
    audit_record(
        actor=None,
        action="broadcast.sent",
        target=broadcast,
        extra={"recipients": count, "msg_type": broadcast.msg_type},
    )
    event_emit(
        type="broadcast.sent",
        data={
            "id": broadcast.pk,
            "kind": broadcast.kind,
            "msg_type": broadcast.msg_type,
            "original": broadcast.original_id,
            "title": broadcast.title,
            "recipients": count,
        },
        groups=[commune_staff_group(broadcast.commune_id)],
    )


Planned = list[PlannedRecipient]


def _expand(broadcast: Broadcast, *, now: datetime) -> Planned:
    return recipients_plan(
        commune=broadcast.commune,
        sectors=broadcast.sectors.all(),
        include_adjacent=broadcast.include_adjacent,
        audiences=broadcast.audiences,
        trades=broadcast.trades,
        channels=broadcast.channels,
        kind=broadcast.kind,
        quiet_hours=broadcast.kind in QUIET_HOURS_KINDS,
        at=now,
    )


def _same_recipients(broadcast: Broadcast, *, now: datetime) -> Planned:
    """An update or a cancel: the recipients of the original, on the same channel."""
    rows = list(
        BroadcastRecipient.objects.filter(broadcast_id=broadcast.original_id or 0)
        .select_related("user")
        .order_by("user_id")
    )
    held: dict[int, datetime | None] = {}
    if broadcast.kind in QUIET_HOURS_KINDS and broadcast.msg_type == Broadcast.MsgType.UPDATE:
        pushed = [row.user_id for row in rows if row.channel == BroadcastRecipient.Channel.PUSH]
        held = {
            user_id: decision.not_before
            for user_id, decision in push_decisions(user_ids=pushed, kind=broadcast.kind, at=now).items()
        }
    return [PlannedRecipient(row.user, row.channel, held.get(row.user_id), "") for row in rows]


def _deliver(broadcast: Broadcast, planned: Planned) -> int:
    data = {
        "kind": broadcast.kind,
        "broadcast_id": broadcast.pk,
        "msg_type": broadcast.msg_type,
        "original_id": broadcast.original_id or "",
        "link": f"vigie://broadcasts/{broadcast.pk}",
    }
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                user=user, kind=broadcast.kind, title=broadcast.title, body=broadcast.body, data=data
            )
            for user, *_rest in planned
        ],
        batch_size=1000,
    )
    BroadcastRecipient.objects.bulk_create(
        [
            BroadcastRecipient(broadcast=broadcast, user=user, channel=channel, notification=notification)
            for (user, channel, *_rest), notification in zip(planned, notifications, strict=True)
        ],
        batch_size=1000,
    )
    priority = Delivery.Priority.HIGH if broadcast.kind in HIGH_PRIORITY_KINDS else Delivery.Priority.NORMAL
    sms_text = sms_text_of(
        commune=broadcast.commune.name,
        msg_type=broadcast.msg_type,
        title=broadcast.title,
        body=broadcast.body,
    )
    deliveries_enqueue(
        Outgoing(
            channel=channel,
            kind=broadcast.kind,
            title=broadcast.title if channel == BroadcastRecipient.Channel.PUSH else "",
            body=broadcast.body if channel == BroadcastRecipient.Channel.PUSH else sms_text,
            recipient=user,
            data={**data, "notification_id": notification.pk},
            source=broadcast.source,
            priority=priority,
            not_before=held,
        )
        for (user, channel, held, _audience), notification in zip(planned, notifications, strict=True)
        if channel != BroadcastRecipient.Channel.NONE
    )
    return len(planned)


def _extra_numbers(broadcast: Broadcast, planned: Planned) -> list[str]:
    if "sms" not in broadcast.channels:
        return []
    if broadcast.original_id is not None:
        original = Broadcast.objects.get(pk=broadcast.original_id)
        return sorted(
            set(
                Delivery.objects.filter(
                    source=original.source, channel=Delivery.Channel.SMS, recipient=None
                ).values_list("address", flat=True)
            )
            - {""}
        )
    query = AudienceQuery(
        commune=broadcast.commune,
        sectors=tuple(area_sectors(broadcast.sectors.all(), broadcast.include_adjacent)),
        trades=tuple(broadcast.trades),
    )
    reached = {user.phone for user, *_rest in planned if user.phone}
    return [phone for phone in sms_recipients(query, broadcast.kind) if phone not in reached]


def _deliver_extra_sms(broadcast: Broadcast, planned: Planned) -> None:
    """Numbers without an account among the recipients: an SMS each, no inbox row."""
    numbers = _extra_numbers(broadcast, planned)
    if not numbers:
        return
    priority = Delivery.Priority.HIGH if broadcast.kind in HIGH_PRIORITY_KINDS else Delivery.Priority.NORMAL
    text = sms_text_of(
        commune=broadcast.commune.name,
        msg_type=broadcast.msg_type,
        title=broadcast.title,
        body=broadcast.body,
    )
    deliveries_enqueue(
        Outgoing(
            channel=Delivery.Channel.SMS,
            kind=broadcast.kind,
            body=text,
            address=phone,
            data={"broadcast_id": broadcast.pk},
            source=broadcast.source,
            priority=priority,
        )
        for phone in numbers
    )
    audit_record(actor=None, action="broadcast.sms_extra", target=broadcast, extra={"numbers": len(numbers)})
