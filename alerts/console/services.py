"""Writes of the live console: presence (one row per open socket, whichever process holds it) and each
user's sound and notification choices."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alerts.console.models import ConsoleConnection, ConsolePreference
from alerts.console.selectors import (
    console_agencies,
    is_moderator,
    online_users,
    presence_stale_before,
)
from alerts.events import agency_group, event_emit, moderation_group
from alerts.models import Event
from backend.accounts.models import User

PRESENCE_EVENT = "presence"


def _is_online(user: User) -> bool:
    return ConsoleConnection.objects.filter(user=user, seen_at__gte=presence_stale_before()).exists()


def presence_emit(*, user: User) -> None:
    """A `presence` event per agency of the user (and for the moderation of their commune): who is on."""
    commune_groups = [moderation_group(user.commune_id)] if user.commune_id else []
    if is_moderator(user):
        event_emit(
            type=PRESENCE_EVENT,
            data={
                "scope": "moderation",
                "commune": user.commune_id,
                "users": online_users(commune_id=user.commune_id),
            },
            groups=commune_groups,
        )
    for agency in console_agencies(user=user):
        groups = [agency_group(agency.pk)]
        groups += [
            moderation_group(commune_id) for commune_id in agency.communes.values_list("id", flat=True)
        ]
        event_emit(
            type=PRESENCE_EVENT,
            data={
                "scope": "agency",
                "agency": {"id": agency.pk, "name": agency.name, "kind": agency.kind},
                "users": online_users(agency=agency),
            },
            groups=groups,
        )


def console_connection_open(*, user: User, channel_name: str) -> ConsoleConnection:
    """Records an open socket; the user's first one announces them online."""
    with transaction.atomic():
        was_online = _is_online(user)
        connection, _created = ConsoleConnection.objects.update_or_create(
            channel_name=channel_name, defaults={"user": user, "seen_at": timezone.now()}
        )
        if not was_online:
            presence_emit(user=user)
    return connection


def console_connection_close(*, user: User, channel_name: str) -> None:
    """Forgets a socket; the user's last one announces them offline."""
    with transaction.atomic():
        deleted, _ = ConsoleConnection.objects.filter(channel_name=channel_name).delete()
        if deleted and not _is_online(user):
            presence_emit(user=user)


def console_connection_touch(*, channel_name: str) -> None:
    """Called on every heartbeat: the row stays fresh while the socket lives."""
    ConsoleConnection.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def console_connections_prune(*, now: datetime | None = None) -> int:
    """Drops the rows of sockets whose process died, and announces who went offline with them."""
    stale = ConsoleConnection.objects.filter(seen_at__lt=presence_stale_before(now))
    user_ids = set(stale.values_list("user_id", flat=True))
    if not user_ids:
        return 0
    with transaction.atomic():
        count, _ = stale.delete()
        for user in User.objects.filter(pk__in=user_ids):
            if not _is_online(user):
                presence_emit(user=user)
    return count


def events_prune(*, now: datetime | None = None, batch: int = 5000) -> int:
    """Deletes event rows older than the replay's retention window (plus an hour): no console may ask
    for them any more (it gets `resync`). The audit trail, not this log, is the record of changes."""
    horizon = (now or timezone.now()) - timedelta(hours=float(settings.CONSOLE_EVENT_RETENTION_HOURS) + 1)
    total = 0
    while True:
        ids = list(Event.objects.filter(at__lt=horizon).order_by("id").values_list("id", flat=True)[:batch])
        if not ids:
            return total
        Event.objects.filter(pk__in=ids).delete()
        total += len(ids)


def console_preference_set(
    *, user: User, sound: bool | None = None, notifications: bool | None = None
) -> ConsolePreference:
    """Partial update of a console user's choices: only what is given changes."""
    with transaction.atomic():
        row, _created = ConsolePreference.objects.select_for_update().get_or_create(user=user)
        changed = ["updated_at"]
        if sound is not None:
            row.sound = sound
            changed.append("sound")
        if notifications is not None:
            row.notifications = notifications
            changed.append("notifications")
        row.updated_at = timezone.now()
        row.save(update_fields=changed)
    return row
