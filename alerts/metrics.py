"""Alerts' gauges on /metrics (backend/core/metrics.py), registered from AlertsConfig.ready().

- vigie_moderation_queue: observations waiting for a moderator, by commune (quarantined ones never reach
  the queue and are not counted);
- vigie_dispatches_unacknowledged: dispatches sent to an agency and not acknowledged yet, by commune;
- vigie_dispatches_overdue: those of them whose acknowledgement deadline has passed;
- vigie_moderation_oldest_pending_age_seconds: how long the oldest pending observation has waited.
"""

from django.db.models import Count, Min
from django.utils import timezone

from backend.core.metrics import register_gauge


def _by_commune(rows: list[tuple[str, int]]) -> list[tuple[dict[str, str], int]]:
    return [({"commune": slug}, count) for slug, count in rows]


def moderation_queue() -> list[tuple[dict[str, str], int]]:
    from alerts.models import Observation

    rows = (
        Observation.objects.filter(status=Observation.Status.PENDING, quarantined=False)
        .order_by()
        .values_list("commune__slug")
        .annotate(n=Count("id"))
        .values_list("commune__slug", "n")
    )
    return _by_commune(list(rows))


def moderation_oldest_pending_age() -> float:
    from alerts.models import Observation

    oldest = Observation.objects.filter(status=Observation.Status.PENDING, quarantined=False).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    return max((timezone.now() - oldest).total_seconds(), 0.0) if oldest else 0.0


def dispatches_unacknowledged() -> list[tuple[dict[str, str], int]]:
    from alerts.models import Dispatch

    rows = (
        Dispatch.objects.filter(status=Dispatch.Status.SENT)
        .order_by()
        .values_list("observation__commune__slug")
        .annotate(n=Count("id"))
        .values_list("observation__commune__slug", "n")
    )
    return _by_commune(list(rows))


def dispatches_overdue() -> int:
    from alerts.models import Dispatch

    return Dispatch.objects.filter(status=Dispatch.Status.SENT, ack_deadline__lt=timezone.now()).count()


def register() -> None:
    register_gauge(
        "vigie_moderation_queue",
        "Observations waiting for moderation, by commune.",
        moderation_queue,
    )
    register_gauge(
        "vigie_moderation_oldest_pending_age_seconds",
        "Age of the oldest observation waiting for moderation (0 when none).",
        moderation_oldest_pending_age,
    )
    register_gauge(
        "vigie_dispatches_unacknowledged",
        "Dispatches sent to an agency and not acknowledged yet, by commune.",
        dispatches_unacknowledged,
    )
    register_gauge(
        "vigie_dispatches_overdue",
        "Unacknowledged dispatches past their acknowledgement deadline.",
        dispatches_overdue,
    )
