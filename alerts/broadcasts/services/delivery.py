"""Sending a broadcast: its recipients, their inbox rows and the outbox deliveries.

Who gets what: the audiences (alerts/registry.py: "referents" from neighbours, "shopkeepers" from
commerces) of the commune, of the sectors (widened to their adjacent sectors when asked). Each recipient
gets one channel: a push when push is asked and they have an active device in the app, otherwise an SMS
when SMS is asked and they have a phone, otherwise only the inbox row. Push preferences (the registry's
push_decisions): an opt-out leaves only the inbox row; quiet hours hold back `prevention` pushes and
never an alert. Updates and cancels reach exactly the recipients of the original, on the same channel.

`broadcast_release` and `broadcast_send` run inside their caller's transaction."""

from datetime import datetime

from django.utils.translation import gettext as _

from alerts.broadcasts.models import Broadcast, BroadcastRecipient
from alerts.broadcasts.selectors import broadcast_area_sectors
from alerts.broadcasts.services.common import HIGH_PRIORITY_KINDS, QUIET_HOURS_KINDS
from alerts.events import commune_staff_group, event_emit
from alerts.models import Notification
from alerts.registry import AudienceQuery, audience_provider, push_decisions
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.messaging.models import Delivery, Device
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


# (user, channel, not_before)
Planned = list[tuple[User, str, datetime | None]]


def _expand(broadcast: Broadcast, *, now: datetime) -> Planned:
    query = AudienceQuery(
        commune=broadcast.commune,
        sectors=tuple(broadcast_area_sectors(broadcast)),
        trades=tuple(broadcast.trades),
    )
    users: dict[int, User] = {}
    for name in broadcast.audiences:
        provider = audience_provider(name)
        if provider is None:  # the app that owned it is gone: nobody of it is reached
            continue
        for user in provider(query):
            users.setdefault(user.pk, user)
    with_device = set(
        Device.objects.filter(user_id__in=list(users), is_active=True).values_list("user_id", flat=True)
    )
    decisions = push_decisions(user_ids=sorted(with_device), kind=broadcast.kind, at=now)
    planned: Planned = []
    for user_id in sorted(users):
        user = users[user_id]
        if "push" in broadcast.channels and user_id in with_device:
            decision = decisions[user_id]
            if not decision.send:
                planned.append((user, BroadcastRecipient.Channel.NONE, None))
                continue
            held = decision.not_before if broadcast.kind in QUIET_HOURS_KINDS else None
            planned.append((user, BroadcastRecipient.Channel.PUSH, held))
        elif "sms" in broadcast.channels and user.phone:
            planned.append((user, BroadcastRecipient.Channel.SMS, None))
        else:
            planned.append((user, BroadcastRecipient.Channel.NONE, None))
    return planned


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
    return [(row.user, row.channel, held.get(row.user_id)) for row in rows]


def _sms_text(broadcast: Broadcast) -> str:
    prefixes: dict[str, str] = {
        Broadcast.MsgType.UPDATE: _("Mise à jour"),
        Broadcast.MsgType.CANCEL: _("Annulation"),
    }
    prefix = prefixes.get(broadcast.msg_type, "")
    head = f"{broadcast.commune.name} – {broadcast.title}"
    return f"{prefix} : {head}\n{broadcast.body}" if prefix else f"{head}\n{broadcast.body}"


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
            for user, _channel, _held in planned
        ],
        batch_size=1000,
    )
    BroadcastRecipient.objects.bulk_create(
        [
            BroadcastRecipient(broadcast=broadcast, user=user, channel=channel, notification=notification)
            for (user, channel, _held), notification in zip(planned, notifications, strict=True)
        ],
        batch_size=1000,
    )
    priority = Delivery.Priority.HIGH if broadcast.kind in HIGH_PRIORITY_KINDS else Delivery.Priority.NORMAL
    sms_text = _sms_text(broadcast)
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
        for (user, channel, held), notification in zip(planned, notifications, strict=True)
        if channel != BroadcastRecipient.Channel.NONE
    )
    return len(planned)
