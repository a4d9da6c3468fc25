"""Reads: the console's search (`GET /api/v1/console/observations/?q=…`), over what the console may see.

Moderators (and commune admins, who moderate) search their commune's observations in the moderation view;
operators search their agencies' dispatches, whose observations they read in the police view only: the
text they search is the one they are shown (the redacted text), never the original.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from alerts import access
from alerts.console.selectors import ACTIVE_OBSERVATION
from alerts.models import Dispatch, Observation, ObservationAddition
from backend.accounts.models import User

# The `status` filter: "open" (still to act on), "done", or one status of the items searched.
OPEN = "open"
DONE = "done"


@dataclass(frozen=True)
class SearchFilters:
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    status: str = ""
    sector: int | None = None
    category: str = ""  # an id or a slug
    channel: str = ""
    agency: int | None = None
    assigned_to_me: bool = False
    urgent: bool = False


def search_kind(user: User) -> access.View:
    """What a console searches: observations in the moderation view for those who moderate, dispatches in
    the police view for the others."""
    return access.View.MODERATION if access.moderated_commune(user) is not None else access.View.POLICE


def _day_start(day: date) -> datetime:
    """Midnight of this day in Europe/Paris (the project's time zone)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _observation_filters(filters: SearchFilters, *, prefix: str) -> Q:
    """The filters that bear on the observation (`prefix`: the path from the searched model to it)."""
    condition = Q()
    if filters.date_from is not None:
        condition &= Q(**{f"{prefix}created_at__gte": _day_start(filters.date_from)})
    if filters.date_to is not None:
        condition &= Q(**{f"{prefix}created_at__lt": _day_start(filters.date_to + timedelta(days=1))})
    if filters.sector is not None:
        condition &= Q(**{f"{prefix}sector_id": filters.sector})
    if filters.category:
        field = "category_id" if filters.category.isdigit() else "category__slug"
        condition &= Q(**{f"{prefix}{field}": filters.category})
    if filters.channel:
        condition &= Q(**{f"{prefix}channel": filters.channel})
    if filters.urgent:
        condition &= Q(**{f"{prefix}urgent": True}) | Q(**{f"{prefix}in_progress": True})
    return condition


def observations_search(*, user: User, filters: SearchFilters) -> QuerySet[Observation]:
    """A moderator's search: their commune's observations (never a blocked sender's)."""
    rows = (
        access.observations_moderated(user)
        .filter(quarantined=False)
        .filter(_observation_filters(filters, prefix=""))
    )
    if filters.q:
        rows = rows.filter(Q(reference__istartswith=filters.q) | Q(description__icontains=filters.q))
    if filters.status == OPEN:
        rows = rows.filter(status__in=ACTIVE_OBSERVATION)
    elif filters.status == DONE:
        rows = rows.exclude(status__in=ACTIVE_OBSERVATION)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    dispatches = Dispatch.objects.all()
    if filters.agency is not None:
        dispatches = dispatches.filter(agency_id=filters.agency)
    if filters.assigned_to_me:
        dispatches = dispatches.filter(assignee=user)
    if filters.agency is not None or filters.assigned_to_me:
        rows = rows.filter(pk__in=dispatches.values("observation_id"))
    return (
        rows.select_related("category", "sector", "claimed_by", "author")
        .prefetch_related("photos")
        .annotate(
            pending_additions=Count(
                "additions", filter=Q(additions__status=ObservationAddition.Status.PENDING)
            )
        )
        .order_by("-in_progress", "-urgent", "-created_at", "-id")
    )


def dispatches_search(*, user: User, filters: SearchFilters) -> QuerySet[Dispatch]:
    """The police's search: the dispatches this user works, matched on the police view of their observation."""
    rows = access.dispatches_policed(user).filter(_observation_filters(filters, prefix="observation__"))
    if filters.q:
        rows = rows.filter(
            Q(observation__reference__istartswith=filters.q)
            | Q(observation__redacted_description__icontains=filters.q)
            | (Q(observation__redacted_description="") & Q(observation__description__icontains=filters.q))
        )
    if filters.status == OPEN:
        rows = rows.filter(status__in=Dispatch.Status.OPEN)
    elif filters.status == DONE:
        rows = rows.exclude(status__in=Dispatch.Status.OPEN)
    elif filters.status in Dispatch.Status.values:
        rows = rows.filter(status=filters.status)
    elif filters.status:
        rows = rows.filter(observation__status=filters.status)
    if filters.agency is not None:
        rows = rows.filter(agency_id=filters.agency)
    if filters.assigned_to_me:
        rows = rows.filter(assignee=user)
    return (
        rows.select_related(
            "agency", "assignee", "observation", "observation__category", "observation__sector"
        )
        .prefetch_related("observation__photos")
        .order_by("-observation__in_progress", "-observation__urgent", "-created_at", "-id")
    )
