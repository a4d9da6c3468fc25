"""The outbox worker: claims due deliveries with a lease, sends them, records the outcome.

A claim is a conditional UPDATE (healthchecks' sendalerts pattern): of several workers, one wins a row.
A row whose lease ran out while still `sending` belongs to a worker that died: it is claimed again, and
only the messages that were in flight then can be sent twice (providers take no idempotency key).
Push receipts are written after each provider call, so a restart resends only the unconfirmed devices.
"""

import gc
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Model, Q, TextField, Value, When, prefetch_related_objects
from django.db.models.constants import OnConflict
from django.utils import timezone

from backend.messaging.backends import get_push_backend, get_sms_backend, get_webpush_backend
from backend.messaging.backends.base import (
    InvalidAddress,
    PermanentError,
    PushBackend,
    PushMessage,
    PushOutcome,
    TransientError,
)
from backend.messaging.models import Delivery, Device, PushReceipt
from backend.messaging.services import device_deactivate
from backend.messaging.webhook import post_webhook

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600

# The cyclic garbage collector's thresholds in a worker process (Python's defaults: 700, 10, 10). A push
# call keeps 2,000 requests in flight, each a few hundred objects (the SDK's Message and JSON, httpx's
# request and response, aiohttp's): at 700 allocations a young collection ran every few messages and
# rescanned them all, a third of the sending CPU (py-spy and gc.callbacks on FcmPushBackend.send_many).
GC_THRESHOLDS = (10_000, 50, 100)


def gc_tune() -> None:
    """Collections less often in a long-running worker (the objects of a batch die with it: refcounting
    frees them, the collector only looks for cycles)."""
    gc.set_threshold(*GC_THRESHOLDS)


def backoff_seconds(attempts: int) -> float:
    """Exponential: base, 2×base, 4×base … capped at an hour."""
    return float(min(settings.DELIVERY_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def _due() -> Q:
    now = timezone.now()
    queued = Q(status=Delivery.Status.QUEUED, not_before__lte=now)
    abandoned = Q(status=Delivery.Status.SENDING, lease_until__lt=now)
    return queued | abandoned


def _claim_order() -> tuple[Any, ...]:
    # High priority first ("high" < "normal" as text: an explicit rank, not the column's order).
    return (Case(When(priority=Delivery.Priority.HIGH, then=Value(0)), default=Value(1)), "not_before", "id")


def claim_due(*, limit: int) -> list[Delivery]:
    ids = list(Delivery.objects.filter(_due()).order_by(*_claim_order()).values_list("id", flat=True)[:limit])
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
    claimed = list(
        Delivery.objects.filter(claim_token=token, status=Delivery.Status.SENDING).order_by(*_claim_order())
    )
    # SMS reads the recipient's phone; a push needs only recipient_id (no User row per device of a fan-out).
    prefetch_related_objects(
        [d for d in claimed if d.channel != Delivery.Channel.PUSH and d.recipient_id], "recipient"
    )
    return claimed


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
        **{name: getattr(delivery, name) for name in fields}, body=_settled_body()
    )


def _settled_body() -> Case:
    """A settled delivery's body: blanked when it was a secret (a login code), else kept."""
    return Case(When(redact_when_settled=True, then=Value("")), default=F("body"), output_field=TextField())


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
    if delivery.expires_at is not None and timezone.now() >= delivery.expires_at:
        # A login code that could not leave in time is worthless: never send it late.
        _finish(delivery, Delivery.Status.FAILED, error="expired before it could be sent")
        return
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


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _in(column: str, values: Sequence[int]) -> tuple[str, list[Any]]:
    """`column` IN values: one array parameter on PostgreSQL (a fan-out's 2,000 ids are one value to
    bind, not 2,000), a list of placeholders elsewhere."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


@dataclass(slots=True)
class _Pending:
    """A receipt to send: its row, its delivery, its device and the device's token and Web Push keys (no
    ORM objects: a fan-out handles 2,000 of them per round)."""

    id: int
    delivery_id: int
    device_id: int
    token: str
    web_p256dh: str
    web_auth: str


def _pending_receipts(deliveries: list[Delivery]) -> list[_Pending]:
    """Receipts still to send: one per active device of the recipient, made on the first attempt (one
    INSERT … SELECT in the database), then those still pending on an active device."""
    fresh = [d.pk for d in deliveries if not d.receipts_made]
    if fresh:
        receipt, device, delivery = _table(PushReceipt), _table(Device), _table(Delivery)
        where, params = _in("d.id", fresh)
        insert = connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)
        suffix = connection.ops.on_conflict_suffix_sql(
            [], OnConflict.IGNORE, [], ["delivery_id", "device_id"]
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"{insert} {receipt} (delivery_id, device_id, status, provider_id, error, updated_at) "  # noqa: S608 (names from the models, values bound)
                f"SELECT d.id, v.id, %s, '', '', %s FROM {delivery} d "
                f"JOIN {device} v ON v.user_id = d.recipient_id AND v.is_active "
                f"WHERE {where} ORDER BY d.id, v.id {suffix}",
                [
                    PushReceipt.Status.PENDING,
                    connection.ops.adapt_datetimefield_value(timezone.now()),
                    *params,
                ],
            )
            Delivery.objects.filter(pk__in=fresh).update(receipts_made=True)
    # A device deactivated since (its token was refused for another delivery) is not tried again.
    where, params = _in("r.delivery_id", [d.pk for d in deliveries])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id, r.delivery_id, r.device_id, v.token, v.web_p256dh, v.web_auth "  # noqa: S608
            f"FROM {_table(PushReceipt)} r "
            f"JOIN {_table(Device)} v ON v.id = r.device_id "
            f"WHERE {where} AND r.status = %s AND v.is_active ORDER BY r.id",
            [*params, PushReceipt.Status.PENDING],
        )
        return [_Pending(*row) for row in cursor.fetchall()]


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
    receipts = _pending_receipts(deliveries)
    # One payload per delivery, shared by its devices' messages (a broadcast: one per recipient).
    payloads = {
        delivery.pk: (
            delivery.title,
            delivery.body,
            {key: str(value) for key, value in delivery.data.items()},
            delivery.priority,
        )
        for delivery in deliveries
    }
    transient: dict[int, tuple[str, float | None]] = {}
    # FCM tokens through PUSH_BACKEND, Web Push subscriptions (a device with the browser's keys) through
    # Web Push: the same receipts, retries and pruning for both.
    web = [receipt for receipt in receipts if receipt.web_p256dh]
    apps = [receipt for receipt in receipts if not receipt.web_p256dh]
    if apps:
        _send_receipts(get_push_backend(), apps, payloads, transient)
    if web:
        _send_receipts(get_webpush_backend(), web, payloads, transient)
    _settle_push(deliveries, transient)


def _send_receipts(
    backend: PushBackend,
    receipts: list[_Pending],
    payloads: dict[int, tuple[str, str, dict[str, str], str]],
    transient: dict[int, tuple[str, float | None]],
) -> None:
    # A backend may send several of its batches at once (FCM: chunks of 500 in flight together); the
    # receipts are written after each call, so a killed worker resends at most one call's messages.
    per_call = backend.batch_size * max(int(getattr(backend, "chunks_in_flight", 1)), 1)
    for start in range(0, len(receipts), per_call):
        chunk = receipts[start : start + per_call]
        messages = []
        for receipt in chunk:
            title, body, data, priority = payloads[receipt.delivery_id]
            messages.append(
                PushMessage(
                    token=receipt.token,
                    title=title,
                    body=body,
                    data=data,
                    priority=priority,
                    web_p256dh=receipt.web_p256dh,
                    web_auth=receipt.web_auth,
                )
            )
        try:
            results = backend.send_many(messages)
        except TransientError as exc:
            for receipt in chunk:
                _note_transient(transient, receipt.delivery_id, str(exc), exc.retry_after)
            continue
        rows: list[tuple[int, str, str, str]] = []
        invalid: dict[int, str] = {}
        for receipt, result in zip(chunk, results, strict=True):
            if result.outcome == PushOutcome.SENT:
                status = PushReceipt.Status.SENT
            elif result.outcome == PushOutcome.INVALID:
                status = PushReceipt.Status.INVALID
                invalid[receipt.device_id] = result.error or "invalid token"
            elif result.outcome == PushOutcome.TRANSIENT:
                status = PushReceipt.Status.PENDING
                _note_transient(transient, receipt.delivery_id, result.error, result.retry_after)
            else:
                status = PushReceipt.Status.FAILED
            rows.append((receipt.id, status, result.provider_id[:200], result.error[:2000]))
        for device in Device.objects.filter(pk__in=invalid):
            device_deactivate(device, reason=invalid[device.pk])
        _save_receipts(rows, timezone.now())


def _save_receipts(rows: list[tuple[int, str, str, str]], now: datetime) -> None:
    """The receipts of one call, (id, status, provider_id, error) each, in one statement on PostgreSQL
    (UPDATE … FROM unnest of four arrays); elsewhere one prepared UPDATE run for every row
    (executemany). Django's bulk_update builds a CASE per row and field, which cost more than the HTTP."""
    if not rows:
        return
    table = _table(PushReceipt)
    updated_at = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids, statuses, provider_ids, errors = (list(column) for column in zip(*rows, strict=True))
            cursor.execute(
                f"UPDATE {table} AS r SET status = v.status, provider_id = v.provider_id, "  # noqa: S608
                "error = v.error, updated_at = %s "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS v(id, status, provider_id, error) "
                "WHERE r.id = v.id",
                [updated_at, ids, statuses, provider_ids, errors],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, provider_id = %s, error = %s, updated_at = %s WHERE id = %s",  # noqa: S608
                [(status, provider_id, error, updated_at, pk) for pk, status, provider_id, error in rows],
            )


def _finish_many(deliveries: list[Delivery], status: str, *, error: str = "") -> None:
    """_finish() for many rows at once: one UPDATE per claim (a fan-out settles 500 rows per batch)."""
    by_claim: dict[str, list[int]] = defaultdict(list)
    for delivery in deliveries:
        by_claim[delivery.claim_token].append(delivery.pk)
    values: dict[str, object] = {
        "status": status,
        "last_error": error[:2000],
        "lease_until": None,
        "body": _settled_body(),
    }
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
        post_webhook(delivery)  # checks the address again, signs with the owner's current key
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
