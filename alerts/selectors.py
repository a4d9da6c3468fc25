"""Reads of the observations domain, and the dicts that consoles and events carry."""

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.models import (
    Agency,
    AgencyToken,
    Category,
    Channel,
    CommuneAlertSettings,
    Dispatch,
    DispatchNote,
    Observation,
    ObservationAddition,
    ObservationTransition,
    RoutingRule,
)
from alerts.models.agency_tokens import PoliceActor
from alerts.registry import reporter_places
from backend.accounts.models import User
from backend.territory.models import Commune, Sector
from backend.territory.nearest_sql import haversine_m

# --- categories, settings, agencies ------------------------------------------------------------


def category_list(*, commune: Commune | None) -> list[Category]:
    """The commune's active categories: its own, and the platform's defaults it does not override."""
    rows = (
        Category.objects.filter(Q(commune=None) | Q(commune=commune))
        if commune
        else Category.objects.filter(commune=None)
    )
    by_slug: dict[str, Category] = {}
    for category in rows.order_by("position", "label", "id"):
        current = by_slug.get(category.slug)
        if current is None or (current.commune_id is None and category.commune_id is not None):
            by_slug[category.slug] = category
    return sorted(
        (category for category in by_slug.values() if category.is_active),
        key=lambda category: (category.position, category.label),
    )


def category_by_slug(*, commune: Commune, slug: str) -> Category | None:
    """The commune's own row of that slug wins over the default (an inactive own row hides it)."""
    candidates = list(Category.objects.filter(Q(commune=None) | Q(commune=commune), slug=slug))
    own = [category for category in candidates if category.commune_id == commune.pk]
    chosen = own[0] if own else (candidates[0] if candidates else None)
    return chosen if chosen is not None and chosen.is_active else None


def commune_settings(*, commune: Commune) -> CommuneAlertSettings:
    settings_row, _created = CommuneAlertSettings.objects.get_or_create(commune=commune)
    return settings_row


def agencies_serving(*, commune: Commune) -> QuerySet[Agency]:
    return Agency.objects.filter(communes=commune, is_active=True)


def _in_window(rule: RoutingRule, moment: time) -> bool:
    if rule.starts_at is None and rule.ends_at is None:
        return True
    start = rule.starts_at or time.min
    end = rule.ends_at or time.max
    if start <= end:
        return start <= moment <= end
    return moment >= start or moment <= end  # the window passes midnight


def routing_agencies(*, observation: Observation, at: datetime | None = None) -> list[Agency]:
    """Agencies of the highest-priority matching rules; none → the commune's fallback agency."""
    moment = timezone.localtime(at or observation.occurred_at).time()
    rules = (
        RoutingRule.objects.filter(commune_id=observation.commune_id, is_active=True)
        .filter(Q(category=None) | Q(category_id=observation.category_id))
        .filter(Q(sector=None) | Q(sector_id=observation.sector_id))
        .prefetch_related(Prefetch("agencies", queryset=Agency.objects.filter(is_active=True)))
        .order_by("-priority", "id")
    )
    matching = [rule for rule in rules if _in_window(rule, moment)]
    if matching:
        best = matching[0].priority
        agencies: dict[int, Agency] = {}
        for rule in matching:
            if rule.priority != best:
                break
            for agency in rule.agencies.all():
                agencies.setdefault(agency.pk, agency)
        if agencies:
            return list(agencies.values())
    fallback = CommuneAlertSettings.objects.filter(commune_id=observation.commune_id).select_related(
        "fallback_agency"
    )
    row = fallback.first()
    if row and row.fallback_agency and row.fallback_agency.is_active:
        return [row.fallback_agency]
    return []


# --- statuses in the author's words ------------------------------------------------------------


def agency_kinds_label(kinds: list[str]) -> str:
    labels = []
    for kind in kinds:
        label = _("la %(agency)s") % {"agency": Agency.Kind(kind).label}
        if label not in labels:
            labels.append(label)
    return _(" et ").join(labels) if labels else _("la police")


def author_status_label(observation: Observation) -> str:
    return str(Observation.Status(observation.status).label)


# --- querysets ---------------------------------------------------------------------------------


def observation_base_queryset() -> QuerySet[Observation]:
    return Observation.objects.select_related("category", "sector", "commune", "claimed_by", "author")


def observation_list_for_author(*, author: User, status: str | None = None) -> QuerySet[Observation]:
    queryset = (
        Observation.objects.filter(author=author)
        .select_related("category", "sector")
        .prefetch_related("photos", "transitions")
        .order_by("-created_at", "-id")
    )
    return queryset.filter(status=status) if status else queryset


def moderation_queue(*, user: User) -> QuerySet[Observation]:
    """Pending items of the commune this user moderates: in progress first, then urgent, then oldest."""
    return (
        observation_base_queryset()
        .filter(pk__in=access.observations_moderated(user).values("pk"))
        .filter(status=Observation.Status.PENDING, quarantined=False)
        .prefetch_related("photos", "additions")
        .annotate(
            _progress=Case(
                When(in_progress=True, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("_progress", "-urgent", "created_at", "id")
    )


def observation_for_moderator(*, user: User, observation_id: int) -> Observation | None:
    return (
        observation_base_queryset()
        .filter(pk=observation_id, pk__in=access.observations_moderated(user).values("pk"))
        .prefetch_related("photos", "additions", "transitions__actor", "dispatches__agency")
        .first()
    )


def dispatch_list_for_operator(*, user: PoliceActor, status: str | None = None) -> QuerySet[Dispatch]:
    queryset = (
        Dispatch.objects.filter(pk__in=access.dispatches_policed(user).values("pk"))
        .select_related(
            "agency",
            "assignee",
            "observation",
            "observation__category",
            "observation__sector",
            "observation__commune",
        )
        .prefetch_related(
            "observation__photos",
            Prefetch(
                "observation__additions",
                queryset=ObservationAddition.objects.filter(status=ObservationAddition.Status.VISIBLE),
                to_attr="visible_additions",
            ),
            Prefetch("notes", queryset=DispatchNote.objects.select_related("author", "agency_token")),
        )
        .order_by(
            Case(
                When(status=Dispatch.Status.SENT, then=Value(0)),
                When(status=Dispatch.Status.ACKNOWLEDGED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            "-observation__in_progress",
            "-observation__urgent",
            "-created_at",
            "-id",
        )
    )
    return queryset.filter(status=status) if status else queryset


def dispatch_for_operator(*, user: PoliceActor, dispatch_id: int) -> Dispatch | None:
    return dispatch_list_for_operator(user=user).filter(pk=dispatch_id).first()


def observation_for_operator(*, user: User, observation_id: int) -> Observation | None:
    """An observation that reached this user's police work (never a pending or quarantined one)."""
    return (
        observation_base_queryset()
        .filter(pk=observation_id, pk__in=access.observations_policed(user).values("pk"))
        .first()
    )


def transitions_for_author(observation: Observation) -> list[dict[str, Any]]:
    """The history an author may see: statuses and dates, no actor, no internal note."""
    return [
        {
            "status": transition.to_status,
            "status_label": str(Observation.Status(transition.to_status).label),
            "at": iso(transition.at),
        }
        for transition in observation.transitions.all()
    ]


def transitions_for_staff(observation: Observation) -> list[dict[str, Any]]:
    rows: list[ObservationTransition] = list(observation.transitions.all())
    return [
        {
            "from_status": transition.from_status,
            "status": transition.to_status,
            "status_label": str(Observation.Status(transition.to_status).label),
            "actor": _person(transition.actor),
            "reason": transition.reason,
            "note": transition.note,
            "at": iso(transition.at),
        }
        for transition in rows
    ]


# --- console dicts (events and console APIs) ---------------------------------------------------


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name or _("Utilisateur #%(id)s") % {"id": user.pk}}


def iso(value: datetime | None) -> str | None:
    """Aware datetimes in the local time zone (Europe/Paris), ISO 8601."""
    return timezone.localtime(value).isoformat() if value else None


def _sector(sector: Sector | None) -> dict[str, Any] | None:
    return {"id": sector.pk, "slug": sector.slug, "name": sector.name} if sector else None


def _coordinate(value: float) -> str:
    return f"{value:.6f}"


def map_links(latitude: float | None, longitude: float | None) -> dict[str, str | None]:
    """A `geo:` URI (the phone's or the desktop's map application) and the web map of CONSOLE_WEB_MAP_URL."""
    if latitude is None or longitude is None:
        return {"geo_uri": None, "map_url": None}
    lat, lon = _coordinate(latitude), _coordinate(longitude)
    template = settings.CONSOLE_WEB_MAP_URL
    return {
        "geo_uri": f"geo:{lat},{lon}",
        "map_url": template.replace("{lat}", lat).replace("{lon}", lon) if template else None,
    }


def observation_for_console(observation: Observation, *, audience: str = "moderation") -> dict[str, Any]:
    """What a console draws without another request. `audience` "police" gets the redacted text and never
    the author; "moderation" gets the original, the redaction and the claim."""
    category = observation.category
    data: dict[str, Any] = {
        "id": observation.pk,
        "reference": observation.reference,
        "commune_id": observation.commune_id,
        "category": {"slug": category.slug, "label": category.label, "urgent": category.urgent},
        "urgent": observation.urgent,
        "in_progress": observation.in_progress,
        "status": observation.status,
        "status_label": str(Observation.Status(observation.status).label),
        "channel": observation.channel,
        "channel_label": str(Channel(observation.channel).label),
        "sector": _sector(observation.sector),
        "latitude": observation.latitude,
        "longitude": observation.longitude,
        "accuracy": observation.accuracy,
        "address": observation.address,
        "address_distance": observation.address_distance,
        **map_links(observation.latitude, observation.longitude),
        "occurred_at": iso(observation.occurred_at),
        "created_at": iso(observation.created_at),
        "photo_count": len(observation.photos.all()) if _prefetched(observation, "photos") else None,
    }
    if audience == "police":
        data["description"] = observation.police_text
        data["place"] = observation.police_place
    else:
        if hasattr(observation, "pending_additions"):
            data["pending_additions"] = observation.pending_additions
        data["description"] = observation.description
        data["redacted_description"] = observation.redacted_description
        data["place"] = observation.place
        data["redacted_place"] = observation.redacted_place
        data["author"] = _person(observation.author)
        data["claimed_by"] = _person(observation.claimed_by) if observation.claimed_by_id else None
        data["claim_expires_at"] = iso(observation.claim_expires_at)
        data["auto_approved"] = observation.auto_approved
    return data


def _prefetched(instance: Any, name: str) -> bool:
    return name in getattr(instance, "_prefetched_objects_cache", {})


def dispatch_for_console(dispatch: Dispatch) -> dict[str, Any]:
    return {
        "id": dispatch.pk,
        "status": dispatch.status,
        "status_label": str(Dispatch.Status(dispatch.status).label),
        "agency": {"id": dispatch.agency_id, "name": dispatch.agency.name, "kind": dispatch.agency.kind},
        "assignee": _person(dispatch.assignee) if dispatch.assignee_id else None,
        "created_at": iso(dispatch.created_at),
        "ack_deadline": iso(dispatch.ack_deadline),
        "acknowledged_at": iso(dispatch.acknowledged_at),
        "escalated": dispatch.escalated_at is not None,
        "escalated_at": iso(dispatch.escalated_at),
        "closed_at": iso(dispatch.closed_at),
        "outcome": dispatch.outcome,
        "observation": observation_for_console(dispatch.observation, audience="police"),
    }


# --- likely duplicates (the moderation console and the moderation API suggest them) ----------------

DUPLICATE_DISTANCE_M = 300
DUPLICATE_WINDOW = timedelta(hours=2)
NOT_DUPLICATED = (Observation.Status.REJECTED, Observation.Status.MERGED)


def _point(observation: Observation) -> tuple[float, float] | None:
    if observation.latitude is None or observation.longitude is None:
        return None
    return (observation.latitude, observation.longitude)


def observation_duplicates(*, observations: list[Observation]) -> dict[int, list[dict[str, Any]]]:
    """For each pending observation given, the earlier reports it likely repeats: same category within
    DUPLICATE_DISTANCE_M and DUPLICATE_WINDOW (of the facts), or from the same place (a shop's keepers)
    within the same window. Rejected and merged reports are never suggested; nearest first.

    The earlier one is the original: merging the pending item into it keeps the first reference."""
    pending = [row for row in observations if row.status == Observation.Status.PENDING]
    found: dict[int, list[dict[str, Any]]] = {row.pk: [] for row in pending}
    if not pending:
        return found
    communes = {row.commune_id for row in pending}
    candidates = list(
        Observation.objects.filter(
            commune_id__in=communes,
            quarantined=False,
            occurred_at__gte=min(row.occurred_at for row in pending) - DUPLICATE_WINDOW,
            occurred_at__lte=max(row.occurred_at for row in pending) + DUPLICATE_WINDOW,
            created_at__lte=max(row.created_at for row in pending),
        )
        .exclude(status__in=NOT_DUPLICATED)
        .select_related("category")
    )
    authors = {row.author_id for row in [*pending, *candidates] if row.author_id}
    places = reporter_places(user_ids=sorted(authors))
    for row in pending:
        point, place = _point(row), places.get(row.author_id or 0)
        for other in candidates:
            earlier = (other.created_at, other.pk) < (row.created_at, row.pk)
            gap = abs(other.occurred_at - row.occurred_at)
            if not earlier or other.commune_id != row.commune_id or gap > DUPLICATE_WINDOW:
                continue
            other_point = _point(other)
            metres = haversine_m(*point, *other_point) if point and other_point else None
            nearby = (
                other.category_id == row.category_id and metres is not None and metres <= DUPLICATE_DISTANCE_M
            )
            same_place = place is not None and places.get(other.author_id or 0) == place
            if not (nearby or same_place):
                continue
            found[row.pk].append(
                {
                    "id": other.pk,
                    "reference": other.reference,
                    "status": other.status,
                    "category": other.category.label,
                    "distance_m": round(metres) if metres is not None else None,
                    "minutes": round(gap.total_seconds() / 60),
                    "reason": "nearby" if nearby else "same_place",
                }
            )
        found[row.pk].sort(key=lambda entry: (entry["distance_m"] is None, entry["distance_m"] or 0))
    return found


# --- agency tokens ---------------------------------------------------------------------------------


def agency_for_tokens(*, user: User, agency_id: int) -> Agency | None:
    """An agency whose tokens this user may list (alerts/access.py), or None."""
    return access.agency_tokens_visible(user).filter(pk=agency_id).first()


def agency_tokens_of(agency: Agency) -> QuerySet[AgencyToken]:
    return AgencyToken.objects.filter(agency=agency).select_related("created_by", "revoked_by")
