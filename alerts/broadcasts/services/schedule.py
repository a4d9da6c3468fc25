"""The worker's periodic job: scheduled broadcasts sent when their time comes, broadcasts past their expiry
expired (what has not left is held back)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from alerts.broadcasts.models import Broadcast
from alerts.broadcasts.services.delivery import broadcast_send
from backend.audit.services import audit_record
from backend.messaging.services import deliveries_cancel


def broadcasts_run_due(*, now: datetime | None = None, limit: int = 20) -> int:
    """Sends the scheduled broadcasts whose time has come and expires the ones past their expiry.

    Safe in several workers at once: each broadcast is claimed by a conditional UPDATE."""
    now = now or timezone.now()
    done = 0
    expired_ids = list(
        Broadcast.objects.filter(
            state__in=[Broadcast.State.SCHEDULED, Broadcast.State.SENT, Broadcast.State.DRAFT],
            expires_at__lte=now,
        ).values_list("id", flat=True)[:limit]
    )
    for broadcast_id in expired_ids:
        with transaction.atomic():
            broadcast = Broadcast.objects.get(pk=broadcast_id)
            if not Broadcast.objects.filter(pk=broadcast_id, state=broadcast.state).update(
                state=Broadcast.State.EXPIRED
            ):
                continue
            cancelled = deliveries_cancel(source=broadcast.source)
            audit_record(
                actor=None,
                action="broadcast.expire",
                target=broadcast,
                extra={"deliveries_cancelled": cancelled},
            )
            done += 1
    due_ids = list(
        Broadcast.objects.filter(state=Broadcast.State.SCHEDULED, send_at__lte=now)
        .order_by("send_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for broadcast_id in due_ids:
        with transaction.atomic():
            broadcast = Broadcast.objects.select_related("commune").get(pk=broadcast_id)
            if broadcast.state == Broadcast.State.SCHEDULED:
                broadcast_send(broadcast, now=now)
                done += 1
    return done
