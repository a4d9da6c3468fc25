"""Retention: what is past a commune's period is erased — observations, their photos (files too), their
texts and notes; only the audit trail (ids, no personal values) and anonymous counters remain."""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from alerts.models import (
    CommuneAlertSettings,
    Dispatch,
    Event,
    IdempotencyRecord,
    Notification,
    Observation,
    ObservationPhoto,
)
from backend.audit.services import audit_record
from backend.messaging.models import Delivery
from backend.territory.models import Commune

DEFAULT_RETENTION_DAYS = 365
FINISHED = (Observation.Status.CLOSED, Observation.Status.REJECTED, Observation.Status.MERGED)


def expired_observations(*, commune: Commune, now: datetime | None = None) -> list[int]:
    row = CommuneAlertSettings.objects.filter(commune=commune).first()
    days = row.retention_days if row else DEFAULT_RETENTION_DAYS
    limit = (now or timezone.now()) - timedelta(days=days)
    return list(
        Observation.objects.filter(commune=commune, status__in=FINISHED, finished_at__lt=limit)
        .order_by("id")
        .values_list("id", flat=True)
    )


def observations_purge(*, say: Callable[[str], None] = lambda _line: None, batch: int = 200) -> int:
    """Deletes expired observations commune by commune, in batches; returns how many were deleted.
    Idempotent: a second run finds nothing."""
    total = 0
    for commune in Commune.objects.order_by("id"):
        ids = expired_observations(commune=commune)
        if not ids:
            continue
        say(f"{commune.name} : {len(ids)} signalement(s) à effacer")
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            files = list(
                ObservationPhoto.objects.filter(observation_id__in=chunk).values_list("file", flat=True)
            )
            with transaction.atomic():
                # Duplicates that point at a purged observation lose the link, not their own life.
                Observation.objects.filter(merged_into_id__in=chunk).update(merged_into=None)
                notifications = list(
                    Notification.objects.filter(observation_id__in=chunk).values_list("id", flat=True)
                )
                dispatches = list(
                    Dispatch.objects.filter(observation_id__in=chunk).values_list("id", flat=True)
                )
                sources = [f"alerts.notification:{pk}" for pk in notifications] + [
                    f"alerts.dispatch:{pk}" for pk in dispatches
                ]
                Delivery.objects.filter(source__in=sources).delete()
                Notification.objects.filter(pk__in=notifications).delete()
                # Realtime events and replayable responses carry texts too.
                Event.objects.filter(data__id__in=chunk).delete()
                Event.objects.filter(data__observation__id__in=chunk).delete()
                Event.objects.filter(data__observation_id__in=chunk).delete()
                IdempotencyRecord.objects.filter(response_body__id__in=chunk).delete()
                deleted, _detail = Observation.objects.filter(pk__in=chunk).delete()
                audit_record(
                    actor=None,
                    action="observations.purged",
                    extra={"commune": commune.pk, "count": len(chunk), "rows": deleted},
                )
                transaction.on_commit(partial(_delete_files, files))
            total += len(chunk)
            say(f"  {min(start + batch, len(ids))}/{len(ids)}")
    return total


def _delete_files(names: list[str]) -> None:
    storage = ObservationPhoto._meta.get_field("file").storage
    for name in names:
        if name and storage.exists(name):
            storage.delete(name)
