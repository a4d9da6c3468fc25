"""The outbox worker: claims due deliveries with a lease, sends them, records the outcome.

A claim is a conditional UPDATE (healthchecks' sendalerts pattern): of several workers, one wins a row.
A row whose lease ran out while still `sending` belongs to a worker that died: it is claimed again, and
only the messages that were in flight then can be sent twice (providers take no idempotency key).
Push receipts are written after each provider call, so a restart resends only the unconfirmed devices.
"""

import logging
import uuid
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from backend.messaging.backends import get_push_backend, get_sms_backend
from backend.messaging.backends.base import (
    InvalidAddress,
    PermanentError,
    PushMessage,
    PushOutcome,
    TransientError,
)
from backend.messaging.models import Delivery, Device, PushReceipt
from backend.messaging.services import device_deactivate
from backend.messaging.webhook import post_webhook

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600


def backoff_seconds(attempts: int) -> float:
    """Exponential: base, 2×base, 4×base … capped at an hour."""
    return float(min(settings.DELIVERY_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def _due() -> Q:
    now = timezone.now()
    queued = Q(status=Delivery.Status.QUEUED, not_before__lte=now)
    abandoned = Q(status=Delivery.Status.SENDING, lease_until__lt=now)
    return queued | abandoned


def claim_due(*, limit: int) -> list[Delivery]:
    ids = list(
        Delivery.objects.filter(_due())
        # High priority first ("high" < "normal" as text: an explicit rank, not the column's order).
        .order_by(
            Case(When(priority=Delivery.Priority.HIGH, then=Value(0)), default=Value(1)), "not_before", "id"
        )
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return []
    token = uuid.uuid4().hex
    now = timezone.now()
    Delivery.objects.filter(_due(), id__in=ids).update(
        status=Delivery.Status.SENDING,
        attempts=F("attempts") + 1,
        claim_token=token,
        lease_until=now + timedelta(seconds=settings.DELIVERY_LEASE_SECONDS),
    )
    return list(
        Delivery.objects.filter(claim_token=token, status=Delivery.Status.SENDING).select_related("recipient")
    )


def _finish(delivery: Delivery, status: str, *, error: str = "", provider_id: str = "") -> None:
    delivery.status = status
    delivery.last_error = error[:2000]
    delivery.lease_until = None
    fields = ["status", "last_error", "lease_until"]
    if status == Delivery.Status.SENT:
        delivery.sent_at = timezone.now()
        fields.append("sent_at")
    if provider_id:
        delivery.provider_id = provider_id[:100]
        fields.append("provider_id")
    Delivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token).update(
        **{name: getattr(delivery, name) for name in fields}
    )


def _retry_or_fail(delivery: Delivery, error: str, *, retry_after: float | None = None) -> None:
    if delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS:
        logger.warning("delivery %s dead after %s attempts: %s", delivery.pk, delivery.attempts, error)
        _finish(delivery, Delivery.Status.FAILED, error=error)
        return
    wait = max(backoff_seconds(delivery.attempts), retry_after or 0)
    Delivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token).update(
        status=Delivery.Status.QUEUED,
        last_error=error[:2000],
        lease_until=None,
        not_before=timezone.now() + timedelta(seconds=wait),
    )


def _send_sms(delivery: Delivery) -> None:
    address = delivery.address or (
        str(delivery.recipient.phone) if delivery.recipient and delivery.recipient.phone else ""
    )
    if not address:
        _finish(delivery, Delivery.Status.INVALID, error="no phone number")
        return
    try:
        provider_id = get_sms_backend().send(
            address, delivery.body, sender=str(delivery.data.get("sender", ""))
        )
    except TransientError as exc:
        _retry_or_fail(delivery, str(exc), retry_after=exc.retry_after)
    except InvalidAddress as exc:
        _finish(delivery, Delivery.Status.INVALID, error=str(exc))
    except PermanentError as exc:
        _finish(delivery, Delivery.Status.FAILED, error=str(exc))
    else:
        _finish(delivery, Delivery.Status.SENT, provider_id=provider_id)


def _pending_receipts(deliveries: list[Delivery]) -> list[PushReceipt]:
    """Receipts still to send: one per active device of the recipient, made on the first attempt."""
    fresh = [d for d in deliveries if not d.receipts_made]
    devices = Device.objects.filter(
        user_id__in={d.recipient_id for d in fresh if d.recipient_id}, is_active=True
    )
    by_user: dict[int, list[Device]] = defaultdict(list)
    for device in devices:
        by_user[device.user_id].append(device)
    with transaction.atomic():
        PushReceipt.objects.bulk_create(
            [
                PushReceipt(delivery=delivery, device=device)
                for delivery in fresh
                for device in by_user.get(delivery.recipient_id or 0, [])
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        Delivery.objects.filter(pk__in=[d.pk for d in fresh]).update(receipts_made=True)
    # A device deactivated since (its token was refused for another delivery) is not tried again.
    return list(
        PushReceipt.objects.filter(
            delivery__in=deliveries, status=PushReceipt.Status.PENDING, device__is_active=True
        ).select_related("device")
    )


def _note_transient(
    transient: dict[int, tuple[str, float | None]], delivery_id: int, error: str, retry_after: float | None
) -> None:
    """Several devices of one delivery may fail transiently: retry after the longest Retry-After asked."""
    previous = transient.get(delivery_id)
    if (
        previous is not None
        and previous[1] is not None
        and (retry_after is None or previous[1] > retry_after)
    ):
        retry_after = previous[1]
    transient[delivery_id] = (error, retry_after)


def _send_push(deliveries: list[Delivery]) -> None:
    backend = get_push_backend()
    receipts = _pending_receipts(deliveries)
    by_id = {delivery.pk: delivery for delivery in deliveries}
    transient: dict[int, tuple[str, float | None]] = {}
    # A backend may send several of its batches at once (FCM: chunks of 500 in flight together); the
    # receipts are written after each call, so a killed worker resends at most one call's messages.
    per_call = backend.batch_size * max(int(getattr(backend, "chunks_in_flight", 1)), 1)
    for start in range(0, len(receipts), per_call):
        chunk = [r for r in receipts[start : start + per_call] if r.device is not None]
        messages = []
        for receipt in chunk:
            delivery = by_id[receipt.delivery_id]
            assert receipt.device is not None
            messages.append(
                PushMessage(
                    token=receipt.device.token,
                    title=delivery.title,
                    body=delivery.body,
                    data={key: str(value) for key, value in delivery.data.items()},
                    priority=delivery.priority,
                )
            )
        try:
            results = backend.send_many(messages)
        except TransientError as exc:
            for receipt in chunk:
                _note_transient(transient, receipt.delivery_id, str(exc), exc.retry_after)
            continue
        now = timezone.now()
        for receipt, result in zip(chunk, results, strict=True):
            receipt.updated_at = now
            receipt.provider_id = result.provider_id[:200]
            receipt.error = result.error[:2000]
            if result.outcome == PushOutcome.SENT:
                receipt.status = PushReceipt.Status.SENT
            elif result.outcome == PushOutcome.INVALID:
                receipt.status = PushReceipt.Status.INVALID
                assert receipt.device is not None
                device_deactivate(receipt.device, reason=result.error or "invalid token")
            elif result.outcome == PushOutcome.TRANSIENT:
                _note_transient(transient, receipt.delivery_id, result.error, result.retry_after)
            else:
                receipt.status = PushReceipt.Status.FAILED
        _save_receipts(chunk)
    _settle_push(deliveries, transient)


def _save_receipts(receipts: list[PushReceipt]) -> None:
    """One prepared UPDATE run for every row (executemany): Django's bulk_update builds a CASE per row
    and field, which cost more than the 500 HTTP calls of a chunk."""
    table = connection.ops.quote_name(PushReceipt._meta.db_table)
    columns = ", ".join(
        f"{connection.ops.quote_name(name)} = %s" for name in ("status", "provider_id", "error", "updated_at")
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {columns} WHERE id = %s",  # noqa: S608 (names from the model, values bound)
            [
                (
                    receipt.status,
                    receipt.provider_id,
                    receipt.error,
                    connection.ops.adapt_datetimefield_value(receipt.updated_at),
                    receipt.pk,
                )
                for receipt in receipts
            ],
        )


def _finish_many(deliveries: list[Delivery], status: str, *, error: str = "") -> None:
    """_finish() for many rows at once: one UPDATE per claim (a fan-out settles 500 rows per batch)."""
    by_claim: dict[str, list[int]] = defaultdict(list)
    for delivery in deliveries:
        by_claim[delivery.claim_token].append(delivery.pk)
    values: dict[str, object] = {"status": status, "last_error": error[:2000], "lease_until": None}
    if status == Delivery.Status.SENT:
        values["sent_at"] = timezone.now()
    for claim_token, ids in by_claim.items():
        Delivery.objects.filter(pk__in=ids, claim_token=claim_token).update(**values)


def _settle_push(deliveries: list[Delivery], transient: dict[int, tuple[str, float | None]]) -> None:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for delivery_id, status in PushReceipt.objects.filter(delivery__in=deliveries).values_list(
        "delivery_id", "status"
    ):
        counts[delivery_id][status] += 1
    settled: dict[tuple[str, str], list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        if delivery.pk in transient:
            error, retry_after = transient[delivery.pk]
            _retry_or_fail(delivery, error, retry_after=retry_after)
            continue
        outcome = counts.get(delivery.pk, {})
        if outcome.get(PushReceipt.Status.SENT):
            settled[(Delivery.Status.SENT, "")].append(delivery)
        elif outcome.get(PushReceipt.Status.FAILED):
            settled[(Delivery.Status.FAILED, "every device failed")].append(delivery)
        else:
            settled[(Delivery.Status.INVALID, "no active device")].append(delivery)
    for (status, error), rows in settled.items():
        _finish_many(rows, status, error=error)


def _send_webhook(delivery: Delivery) -> None:
    try:
        post_webhook(delivery.address, delivery.data)
    except TransientError as exc:
        _retry_or_fail(delivery, str(exc), retry_after=exc.retry_after)
    except PermanentError as exc:
        _finish(delivery, Delivery.Status.FAILED, error=str(exc))
    else:
        _finish(delivery, Delivery.Status.SENT)


def _lease_ending(delivery: Delivery) -> bool:
    """True when the claim is about to lapse: another worker may then claim the row, so don't send it."""
    margin = min(10.0, settings.DELIVERY_LEASE_SECONDS / 4)
    return delivery.lease_until is None or timezone.now() >= delivery.lease_until - timedelta(seconds=margin)


def _release(deliveries: list[Delivery]) -> None:
    """Gives back unsent claimed rows (slow provider): queued again, the claim not counted as a try."""
    for delivery in deliveries:
        Delivery.objects.filter(
            pk=delivery.pk, claim_token=delivery.claim_token, status=Delivery.Status.SENDING
        ).update(status=Delivery.Status.QUEUED, lease_until=None, attempts=F("attempts") - 1)


def process_batch(*, limit: int = 500) -> int:
    """Sends one batch of due deliveries; returns how many were handled."""
    deliveries = claim_due(limit=limit)
    push = [d for d in deliveries if d.channel == Delivery.Channel.PUSH]
    others = [d for d in deliveries if d.channel != Delivery.Channel.PUSH]
    for index, delivery in enumerate(others):
        if _lease_ending(delivery):
            _release(others[index:])
            break
        if delivery.channel == Delivery.Channel.SMS:
            _send_sms(delivery)
        elif delivery.channel == Delivery.Channel.WEBHOOK:
            _send_webhook(delivery)
    if push:
        if any(_lease_ending(delivery) for delivery in push):
            _release(push)
        else:
            _send_push(push)
    return len(deliveries)


def drain(*, limit: int = 500) -> int:
    """Sends until nothing is due (tests, one-shot runs)."""
    total = 0
    while handled := process_batch(limit=limit):
        total += handled
    return total
