"""Reads of the emergency watch cell: the open activation, whether it covers a place, its dated timeline, its
closing report (police view only: never a reporter), and the activations of a period (the monthly cell's
pack)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from alerts import access
from alerts.broadcasts.models import Broadcast
from alerts.models import (
    EmergencyActivation,
    EmergencyCallout,
    EmergencyLogEntry,
    EmergencyRosterMember,
    Observation,
)
from backend.accounts.models import User


def activation_open(*, commune_id: int) -> EmergencyActivation | None:
    return EmergencyActivation.objects.filter(commune_id=commune_id, closed_at=None).first()


def emergency_sector_covers(*, commune_id: int, sector_id: int | None) -> bool:
    """Whether the open activation covers this sector: every sector when none was chosen; an observation
    without a sector only then. Asked only while the commune's switch is on: a switch set before
    activations existed (no open one) covers the whole commune, as it did."""
    activation = activation_open(commune_id=commune_id)
    if activation is None:
        return True
    chosen = set(activation.sectors.values_list("pk", flat=True))
    return not chosen or sector_id in chosen


def activation_readable(*, user: User, activation_id: int) -> EmergencyActivation | None:
    """An activation this user may read (its commune's moderators and roster), else None."""
    row = activations_of_all().filter(pk=activation_id).first()
    if row is None or not access.may_read_emergency(user, row.commune_id):
        return None
    return row


def activations_of_all() -> QuerySet[EmergencyActivation]:
    return EmergencyActivation.objects.select_related("commune", "opened_by", "closed_by")


def activations_of(*, commune_id: int) -> QuerySet[EmergencyActivation]:
    return activations_of_all().filter(commune_id=commune_id)


def emergency_activations(commune_id: int, month_from: date, month_to: date) -> list[dict[str, Any]]:
    """The activations that were open at some time between the first day of `month_from` and the end of
    `month_to` (months given by any day in them), oldest first: for the monthly watch cell's pack."""
    zone = timezone.get_current_timezone()
    start = datetime(month_from.year, month_from.month, 1, tzinfo=zone)
    end_year, end_month = month_to.year + month_to.month // 12, month_to.month % 12 + 1
    end = datetime(end_year, end_month, 1, tzinfo=zone)
    rows = (
        activations_of(commune_id=commune_id)
        .filter(opened_at__lt=end)
        .filter(Q(closed_at=None) | Q(closed_at__gte=start))
        .prefetch_related("categories", "sectors", "renewals")
        .order_by("opened_at")
    )
    return [activation_summary(row) for row in rows]


def activation_summary(activation: EmergencyActivation) -> dict[str, Any]:
    return {
        "id": activation.pk,
        "requested_by": {
            "quality": activation.requested_by_quality,
            "quality_label": str(activation.get_requested_by_quality_display()),
            "name": activation.requested_by_name,
        },
        "reason": activation.reason,
        "categories": sorted(category.slug for category in activation.categories.all()),
        "sectors": sorted(sector.name for sector in activation.sectors.all()),
        "opened_at": activation.opened_at,
        "review_at": activation.review_at,
        "closed_at": activation.closed_at,
        "ending": activation.ending,
        "renewals": len(activation.renewals.all()),
    }


def roster_of(*, commune_id: int) -> QuerySet[EmergencyRosterMember]:
    return EmergencyRosterMember.objects.filter(commune_id=commune_id).select_related("member", "deputy")


def roster_people(*, commune_id: int) -> set[int]:
    """The accounts on the commune's roster, as members or deputies."""
    people: set[int] = set()
    for member_id, deputy_id in roster_of(commune_id=commune_id).values_list("member_id", "deputy_id"):
        people.add(member_id)
        if deputy_id is not None:
            people.add(deputy_id)
    return people


def callout_pending(*, activation: EmergencyActivation, user: User) -> EmergencyCallout | None:
    return EmergencyCallout.objects.filter(activation=activation, person=user, confirmed_at=None).first()


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str
    kind_label: str
    actor: str
    text: str


def _window(activation: EmergencyActivation) -> Q:
    until = activation.closed_at or timezone.now()
    return Q(at__gte=activation.opened_at, at__lte=until)


def broadcasts_during(activation: EmergencyActivation) -> QuerySet[Broadcast]:
    """The commune's broadcasts sent while the activation was open."""
    until = activation.closed_at or timezone.now()
    return Broadcast.objects.filter(
        commune_id=activation.commune_id, sent_at__gte=activation.opened_at, sent_at__lte=until
    ).order_by("sent_at", "pk")


def activation_timeline(activation: EmergencyActivation) -> list[TimelineItem]:
    """The dated log, with the broadcasts sent meanwhile, in time order."""
    items = [
        TimelineItem(
            at=entry.at,
            kind=entry.kind,
            kind_label=str(entry.get_kind_display()),
            actor=entry.actor.display_name if entry.actor else "",
            text=entry.text,
        )
        for entry in EmergencyLogEntry.objects.filter(activation=activation).select_related("actor")
    ]
    items += [
        TimelineItem(
            at=broadcast.sent_at,
            kind=EmergencyLogEntry.Kind.BROADCAST,
            kind_label=str(EmergencyLogEntry.Kind.BROADCAST.label),
            actor="",
            text=f"{broadcast.get_kind_display()} : {broadcast.title}",
        )
        for broadcast in broadcasts_during(activation)
        if broadcast.sent_at is not None
    ]
    return sorted(items, key=lambda item: item.at)


def observations_unmoderated(activation: EmergencyActivation) -> QuerySet[Observation]:
    """Exactly the observations of the commune sent to the police without moderation because the cell was
    open: received while this activation was open, and auto-approved by the emergency rule."""
    until = activation.closed_at or timezone.now()
    return (
        Observation.objects.filter(
            commune_id=activation.commune_id,
            auto_approved="emergency",
            created_at__gte=activation.opened_at,
            created_at__lte=until,
        )
        .select_related("category", "sector")
        .order_by("created_at", "pk")
    )


def activation_report(activation: EmergencyActivation) -> dict[str, Any]:
    """The closing report (also readable while open): the activation, its renewals, the observations routed
    without moderation in the police view (reference, category, sector, time: never the reporter), the
    broadcasts sent and the timeline."""
    return {
        "activation": activation_summary(activation),
        "renewals": [
            {
                "at": renewal.at,
                "by": renewal.actor.display_name if renewal.actor else "",
                "reason": renewal.reason,
                "previous_review_at": renewal.previous_review_at,
                "review_at": renewal.review_at,
            }
            for renewal in activation.renewals.select_related("actor")
        ],
        "observations": [
            {
                "reference": observation.reference,
                "category": observation.category.label,
                "sector": observation.sector.name if observation.sector else "",
                "received_at": observation.created_at,
            }
            for observation in observations_unmoderated(activation)
        ],
        "broadcasts": [
            {"sent_at": broadcast.sent_at, "kind": broadcast.kind, "title": broadcast.title}
            for broadcast in broadcasts_during(activation)
        ],
        "timeline": [vars(item) for item in activation_timeline(activation)],
    }
