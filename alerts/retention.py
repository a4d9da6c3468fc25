"""What alerts keeps, and for how long (registered with the kernel's retention registry).

An observation goes with everything that hangs from it, found by key, never by matching texts: photos (and
their files), transitions, follow-ups, dispatches and their notes, notifications and events (cascades),
and the outbox rows it caused (`ObservationDelivery`). Finished observations (closed, rejected, merged)
go after their commune's `retention_days` (OBSERVATION_RETENTION_DAYS for a commune without its own),
the others after OBSERVATION_MAX_AGE_DAYS from their receipt; the sender's IP address goes earlier.
Only the audit trail (ids, no personal values) and the statistics the town keeps remain.
"""

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from alerts.models import (
    CommuneAlertSettings,
    EmergencyActivation,
    Event,
    Notification,
    Observation,
    ObservationPhoto,
    ObservationRead,
)
from backend.core.retention import register_retention
from backend.messaging.models import Delivery

OBSERVATION_RULES = ("alerts.observations_unfinished", "alerts.observations_finished")


def finished_observations_expired(now: datetime) -> QuerySet[Observation]:
    """Finished observations past their commune's period (the setting's for communes without one)."""
    own = dict(CommuneAlertSettings.objects.values_list("commune_id", "retention_days"))
    by_days: dict[int, list[int]] = {}
    for commune_id, days in own.items():
        by_days.setdefault(days, []).append(commune_id)
    default_limit = now - timedelta(days=settings.OBSERVATION_RETENTION_DAYS)
    past = Q(finished_at__lt=default_limit) & ~Q(commune_id__in=list(own))
    for days, communes in by_days.items():
        past |= Q(commune_id__in=communes, finished_at__lt=now - timedelta(days=days))
    return Observation.objects.filter(status__in=Observation.Status.FINISHED).filter(past)


def observations_erase(rows: QuerySet[Observation]) -> int:
    """Deletes the observations and what hangs from them; photo files go once the transaction commits."""
    ids = list(rows.values_list("pk", flat=True))
    files = list(ObservationPhoto.objects.filter(observation_id__in=ids).values_list("file", flat=True))
    # The outbox rows they caused (status messages, agency webhooks, duty-phone SMS), by key; their push
    # receipts and links go with them.
    Delivery.objects.filter(observation_link__observation_id__in=ids).delete()
    # Cascades: photos, transitions, follow-ups, dispatches and notes, notifications, events, links;
    # duplicates merged into one of them lose the link, not their own life.
    Observation.objects.filter(pk__in=ids).delete()
    transaction.on_commit(partial(_delete_files, files))
    return len(ids)


def _delete_files(names: list[str]) -> None:
    storage = ObservationPhoto._meta.get_field("file").storage
    for name in names:
        if name and storage.exists(name):
            storage.delete(name)


def _events_expired(now: datetime) -> QuerySet[Event]:
    # As console.events_prune (which runs every 10 minutes): the replay window plus an hour.
    return Event.objects.filter(
        at__lt=now - timedelta(hours=float(settings.CONSOLE_EVENT_RETENTION_HOURS) + 1)
    )


def register() -> None:
    """Called from AlertsConfig.ready(). Rows that hang from an observation come first, so that each rule's
    count is its own (retention_report tells what the purge does)."""
    register_retention(
        "alerts.events",
        label=_("Événements temps réel"),
        model=Event,
        setting="CONSOLE_EVENT_RETENTION_HOURS",
        age_field="at",
        since=_("at, plus une heure (comme console.events_prune)"),
        expired=_events_expired,
    )
    register_retention(
        "alerts.notifications",
        label=_("Boîtes de réception (notifications)"),
        model=Notification,
        setting="NOTIFICATION_RETENTION_DAYS",
        age_field="created_at",
    )
    register_retention(
        "alerts.observation_reads",
        label=_("Journal des lectures de signalements par les agents"),
        model=ObservationRead,
        setting="READ_LOG_RETENTION_DAYS",
        age_field="at",
    )
    register_retention(
        "alerts.emergency_activations",
        label=_("Activations de la cellule d'urgence (journal, renouvellements, appels)"),
        model=EmergencyActivation,
        setting="EMERGENCY_ACTIVATION_RETENTION_DAYS",
        age_field="closed_at",
        scope=Q(closed_at__isnull=False),
    )
    register_retention(
        "alerts.observation_ip",
        label=_("Adresse IP des signalements"),
        model=Observation,
        setting="OBSERVATION_IP_RETENTION_DAYS",
        age_field="created_at",
        scope=Q(ip__isnull=False),
        anonymise={"ip": None},
    )
    register_retention(
        "alerts.observations_unfinished",
        label=_("Signalements jamais terminés"),
        model=Observation,
        setting="OBSERVATION_MAX_AGE_DAYS",
        age_field="created_at",
        scope=~Q(status__in=Observation.Status.FINISHED) | Q(finished_at__isnull=True),
        erase=observations_erase,
    )
    register_retention(
        "alerts.observations_finished",
        label=_("Signalements terminés (clôturés, non retenus, fusionnés)"),
        model=Observation,
        setting="OBSERVATION_RETENTION_DAYS",
        age_field="finished_at",
        since=_("finished_at ; durée de la commune (retention_days) quand elle en a une"),
        scope=Q(status__in=Observation.Status.FINISHED),
        erase=observations_erase,
        expired=finished_observations_expired,
    )
