"""Reads of the live console: which groups a user's socket joins, replays, presence, the initial state."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from alerts import access
from alerts.broadcasts.models import Broadcast
from alerts.broadcasts.services import APPROVED_OBSERVATION
from alerts.broadcasts.services import CHANNELS as BROADCAST_CHANNELS
from alerts.console.models import ConsolePreference
from alerts.console.timeline import observation_history
from alerts.emergency_selectors import activation_open, callout_pending, roster_of
from alerts.events import event_payload
from alerts.models import (
    Agency,
    Dispatch,
    EmergencyActivation,
    Event,
    EventTarget,
    Observation,
    ObservationAddition,
    ObservationPhoto,
)
from alerts.personal_data_flags import report_flags
from alerts.registry import audience_names
from alerts.selectors import (
    NOT_DUPLICATED,
    category_list,
    commune_settings,
    dispatch_for_console,
    iso,
    observation_duplicates,
    observation_for_console,
)
from alerts.webhooks import webhook_failures_recent
from backend.accounts.models import Role, User
from backend.territory.models import Sector


def is_moderator(user: User) -> bool:
    return access.moderated_commune(user) is not None


def console_agencies(*, user: User) -> list[Agency]:
    """The agencies whose dispatches this user's console works (the access policy's answer)."""
    return list(access.police_agencies(user).order_by("name", "id"))


def newest_event_id(*, groups: list[str]) -> int:
    """The newest event any of these groups may see (0 when none)."""
    if not groups:
        return 0
    value = EventTarget.objects.filter(group__in=groups).aggregate(newest=Max("event_id"))["newest"]
    return int(value or 0)


@dataclass
class Replay:
    """What a console that reconnects with `last_event_id` gets: events in id order, or a resync."""

    events: list[dict[str, Any]] = field(default_factory=list)
    observation_ids: list[int | None] = field(default_factory=list)  # what each event is about
    resync: bool = False
    reason: str = ""


def _retention() -> timedelta:
    return timedelta(hours=float(settings.CONSOLE_EVENT_RETENTION_HOURS))


def events_replay(*, groups: list[str], after_id: int, now: datetime | None = None) -> Replay:
    """Every event after `after_id` these groups may see, plus a grace window before it.

    Ids come from the database and a transaction that began earlier can commit a smaller id later:
    events up to CONSOLE_REPLAY_GRACE_SECONDS older than event `after_id` are sent again, and clients
    drop ids they have already seen. Older than the retention window → resync (the client reloads).
    """
    now = now or timezone.now()
    horizon = now - _retention()
    anchor = Event.objects.filter(pk=after_id).values_list("at", flat=True).first()
    if anchor is None:
        newest = Event.objects.aggregate(newest=Max("id"))["newest"] or 0
        if after_id < newest:
            # The event was pruned (older than the log keeps): the console missed what came between.
            return Replay(resync=True, reason="unknown_event")
        anchor = now
    if anchor < horizon:
        return Replay(resync=True, reason="too_old")
    since = max(anchor - timedelta(seconds=float(settings.CONSOLE_REPLAY_GRACE_SECONDS)), horizon)
    visible = EventTarget.objects.filter(group__in=groups).values("event_id")
    queryset = (
        Event.objects.filter(pk__in=visible)
        .filter(Q(pk__gt=after_id) | (Q(pk__lt=after_id) & Q(at__gte=since)))
        .filter(at__gte=horizon)
        .order_by("id")
    )
    limit = int(settings.CONSOLE_REPLAY_MAX_EVENTS)
    events = list(queryset[: limit + 1])
    if len(events) > limit:
        return Replay(resync=True, reason="too_many")
    return Replay(
        events=[event_payload(event) for event in events],
        observation_ids=[event.observation_id for event in events],
    )


# --- presence ---------------------------------------------------------------------------------


def presence_stale_before(now: datetime | None = None) -> datetime:
    """Connections not seen for three heartbeats belong to a process that died."""
    now = now or timezone.now()
    return now - timedelta(seconds=3 * float(settings.CONSOLE_HEARTBEAT_SECONDS) + 5)


def _person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "name": str(user)}


def _online() -> QuerySet[User]:
    return User.objects.filter(console_connections__seen_at__gte=presence_stale_before(), is_active=True)


def online_users(*, agency: Agency | None = None, commune_id: int | None = None) -> list[dict[str, Any]]:
    """Who has a console open: the agency's members, or the commune's moderators."""
    users = _online().distinct()
    if agency is not None:
        users = users.filter(agencies=agency)
    elif commune_id is not None:
        users = users.filter(commune_id=commune_id, role__in=Role.MODERATING)
    else:
        return []
    return [_person(user) for user in users.order_by("display_name", "id")]


def _online_by_agency(agency_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """online_users(agency=…) for several agencies in one query."""
    by_agency: dict[int, list[dict[str, Any]]] = {agency_id: [] for agency_id in agency_ids}
    rows = (
        _online()
        .filter(agencies__in=agency_ids)
        .annotate(agency_id=F("agencies"))
        .distinct()
        .order_by("display_name", "id")
    )
    for row in rows:
        by_agency[row.agency_id].append(_person(row))
    return by_agency


def presence_state(*, user: User, own: list[Agency] | None = None) -> list[dict[str, Any]]:
    """The presence blocks this user's console shows (same shape as `presence` events' data). `own`:
    console_agencies(user=user) when the caller already has them."""
    blocks: list[dict[str, Any]] = []
    if is_moderator(user):
        blocks.append(
            {
                "scope": "moderation",
                "commune": user.commune_id,
                "users": online_users(commune_id=user.commune_id),
            }
        )
    agencies = {agency.pk: agency for agency in (console_agencies(user=user) if own is None else own)}
    if is_moderator(user):
        for agency in access.agencies_listed(user):
            agencies.setdefault(agency.pk, agency)
    online = _online_by_agency(list(agencies))
    for agency in sorted(agencies.values(), key=lambda agency: (agency.name, agency.pk)):
        blocks.append(
            {
                "scope": "agency",
                "agency": {"id": agency.pk, "name": agency.name, "kind": agency.kind},
                "users": online[agency.pk],
            }
        )
    return blocks


# --- the items a console shows ----------------------------------------------------------------
# Moderators see observations (the dicts of observation.* events); operators see their agencies'
# dispatches (the dicts of dispatch.* events, observation inside with the police text only).

ACTIVE_OBSERVATION = (
    Observation.Status.PENDING,
    Observation.Status.DISPATCHED,
    Observation.Status.ACKNOWLEDGED,
)
RECENT = timedelta(hours=24)


def console_observations(*, user: User) -> QuerySet[Observation]:
    """A moderator's observations: their commune's active ones, those that changed in the last 24 h and
    those with a follow-up to review (never a blocked sender's), their follow-ups waiting counted."""
    recent = timezone.now() - RECENT
    return (
        access.observations_moderated(user)
        .select_related("category", "sector", "claimed_by", "author")
        .prefetch_related("photos")
        .annotate(
            pending_additions=Count(
                "additions", filter=Q(additions__status=ObservationAddition.Status.PENDING)
            )
        )
        .filter(quarantined=False)
        # Follow-ups waiting for review keep their observation in the queue, however old or finished.
        .filter(Q(status__in=ACTIVE_OBSERVATION) | Q(updated_at__gte=recent) | Q(pending_additions__gt=0))
        .order_by("-in_progress", "-urgent", "-created_at", "-id")
    )


def console_dispatches(*, user: User) -> QuerySet[Dispatch]:
    """The dispatches this console works (an operator's agencies', a commune admin's commune's), open or
    changed in the last 24 h."""
    recent = timezone.now() - RECENT
    return (
        access.dispatches_policed(user)
        .select_related("agency", "assignee", "observation", "observation__category", "observation__sector")
        .prefetch_related("observation__photos")
        .filter(Q(status__in=Dispatch.Status.OPEN) | Q(created_at__gte=recent) | Q(closed_at__gte=recent))
        .order_by("-observation__in_progress", "-observation__urgent", "-created_at", "-id")
    )


def console_observation(*, user: User, observation_id: int) -> tuple[Observation, access.View] | None:
    """An observation this (second-factor) console may open, and the view it gets: the moderation view
    for its commune's moderators, the police view for those it was dispatched to."""
    observation = (
        Observation.objects.select_related("category", "sector", "claimed_by", "author")
        .filter(pk=observation_id, quarantined=False)
        .prefetch_related("photos")
        .first()
    )
    if observation is None:
        return None
    view = access.observation_view(user, observation, second_factor=True)
    if view not in (access.View.MODERATION, access.View.POLICE):
        return None
    return observation, view


def console_photo(*, user: User, photo_id: int) -> tuple[ObservationPhoto, access.View] | None:
    photo = ObservationPhoto.objects.filter(pk=photo_id).first()
    found = console_observation(user=user, observation_id=photo.observation_id) if photo else None
    if photo is None or found is None:
        return None
    return photo, found[1]


def observation_detail(*, user: User, observation: Observation, view: access.View) -> dict[str, Any]:
    """The detail pane: the observation in its view (police text only for the police), the dispatches
    this console may see, the photos and the history (transitions, notes, follow-ups)."""
    moderator = view == access.View.MODERATION
    dispatches = Dispatch.objects.filter(observation=observation).select_related(
        "agency", "assignee", "observation", "observation__category", "observation__sector"
    )
    if not moderator:
        dispatches = dispatches.filter(pk__in=access.dispatches_policed(user).values("pk"))
    extra = {}
    if moderator:
        extra["duplicates"] = observation_duplicates(observations=[observation]).get(observation.pk, [])
        extra["personal_data_flags"] = report_flags(
            description=observation.description,
            place=observation.place,
            additions=[(addition.pk, addition.text) for addition in observation.additions.all()],
        )
    return {
        "observation": observation_for_console(observation, audience="moderation" if moderator else "police"),
        "dispatches": [dispatch_for_console(dispatch) for dispatch in dispatches],
        "photos": [
            {"id": photo.pk, "url": reverse("console-photo", args=[photo.pk])}
            for photo in observation.photos.all()
        ],
        "history": observation_history(observation=observation, dispatches=dispatches, view=view),
        **extra,
    }


def emergency_panel(*, user: User, commune_id: int) -> dict[str, Any]:
    """What the emergency panel shows this user: the open activation and whether they were called and have
    not confirmed yet, for the commune's moderators and the cell's roster (alerts/access.py); the log is
    fetched from the API when the panel opens."""
    reader = access.may_read_emergency(user, commune_id)
    activation = activation_open(commune_id=commune_id) if reader else None
    return {
        "reader": reader,
        "activation": None
        if activation is None
        else {
            "id": activation.pk,
            "review_at": iso(activation.review_at),
            "requested_by": f"{activation.get_requested_by_quality_display()} {activation.requested_by_name}",
            "sectors": [sector.slug for sector in activation.sectors.all()],
            "page": reverse("console-emergency", args=[activation.pk]),
            "log": reverse("alerts-emergency-log", args=[activation.pk]),
            "called": callout_pending(activation=activation, user=user) is not None,
        },
        "qualities": [
            {"value": value, "label": str(label)} for value, label in EmergencyActivation.Quality.choices
        ],
        "list_page": reverse("console-emergency-list") if reader else None,
        # On the roster as a member: called when an activation opens (the console knows it from the event).
        "member": reader and roster_of(commune_id=commune_id).filter(member=user).exists(),
    }


def console_choices(*, user: User, own: list[Agency] | None = None) -> dict[str, Any]:
    """What the action forms offer: categories, agencies serving the commune, reasons, outcomes, the
    agencies' operators (assign) and the emergency switch."""
    commune = user.commune
    agencies = list(access.agencies_listed(user))
    own = console_agencies(user=user) if own is None else own
    # Whose operators the assign form offers: the console's own agencies (a commune admin, who works
    # the commune's dispatches without being a member, gets those of the agencies serving it).
    crews = own or agencies
    prefetch_related_objects(crews, Prefetch("members", queryset=User.objects.filter(is_active=True)))
    emergency = None
    if commune is not None:
        row = commune_settings(commune=commune)
        emergency = {
            "active": row.emergency_active,
            "categories": [category.slug for category in row.emergency_categories.all()],
            "reason": row.emergency_reason,
            **emergency_panel(user=user, commune_id=commune.pk),
        }
    return {
        "categories": [
            {"slug": category.slug, "label": category.label, "urgent": category.urgent}
            for category in category_list(commune=commune)
        ],
        "agencies": [{"id": agency.pk, "name": agency.name, "kind": agency.kind} for agency in agencies],
        "reject_reasons": [
            {"value": value, "label": str(label)} for value, label in Observation.RejectReason.choices
        ],
        "outcomes": [{"value": value, "label": str(label)} for value, label in Dispatch.Outcome.choices],
        "operators": {
            str(agency.pk): [_person(member) for member in agency.members.all()] for agency in crews
        },
        "emergency": emergency,
        "broadcasts": {
            "kinds": [{"value": value, "label": str(label)} for value, label in Broadcast.Kind.choices],
            "audiences": audience_names(),
            "channels": list(BROADCAST_CHANNELS),
        },
        "sectors": [
            {"id": sector.pk, "slug": sector.slug, "name": sector.name}
            for sector in Sector.objects.filter(commune=commune).order_by("name")
        ]
        if commune is not None
        else [],
    }


def console_preference(*, user: User) -> dict[str, bool]:
    """The sound and notification choices of this console user (the defaults until they change one)."""
    row = ConsolePreference.objects.filter(user=user).first() or ConsolePreference(user=user)
    return {"sound": row.sound, "notifications": row.notifications}


def console_webhook_failures(*, own: list[Agency]) -> list[dict[str, Any]]:
    """Per agency of the user with webhook deliveries that failed for good in the last 24 h: the count,
    the time and error of the last one (the page warns; the admin's agency page lists them)."""
    failures = webhook_failures_recent(agency_ids=[agency.pk for agency in own])
    return [
        {"agency": {"id": agency.pk, "name": agency.name}, **failures[agency.pk]}
        for agency in own
        if agency.pk in failures
    ]


def console_state(*, user: User) -> dict[str, Any]:
    """The initial state of a console: its items, presence and the newest event id it may see.

    The newest id is read first: the page then connects with `last_event_id` set to it and the replay
    brings whatever changed in between (twice at worst; the client drops ids it has seen). A replay from
    0 is refused as a resync (the log may hold 24 h of events): clients start from this id.
    """
    # The newest event of the log, visible here or not: an existing row, so the replay that starts from
    # it has an anchor for its grace window (a console that has seen no event yet would otherwise ask
    # from 0). Everything up to it is in the state below.
    newest = int(Event.objects.aggregate(newest=Max("id"))["newest"] or 0)
    own = console_agencies(user=user)
    observations = list(console_observations(user=user))
    return {
        "newest_event_id": newest,
        "user": {"id": user.pk, "name": str(user), "role": user.role, "moderator": is_moderator(user)},
        "commune": {"id": user.commune.pk, "name": user.commune.name, "slug": user.commune.slug}
        if user.commune
        else None,
        "agencies": [{"id": agency.pk, "name": agency.name, "kind": agency.kind} for agency in own],
        "observations": [observation_for_console(row) for row in observations],
        "dispatches": [dispatch_for_console(row) for row in console_dispatches(user=user)],
        "presence": presence_state(user=user, own=own),
        "choices": console_choices(user=user, own=own),
        "webhook_failures": console_webhook_failures(own=own),
        "suggestions": console_suggestions(user=user, observations=observations),
        "preferences": console_preference(user=user),
    }


# --- what helps moderators decide: likely duplicates, series of burglaries ----------------------------

SERIES_WINDOW = timedelta(hours=72)
SERIES_MIN_COUNT = 3
# The burglary categories (the platform's default taxonomy; a commune's override keeps the slug).
BURGLARY_CATEGORIES = ("cambriolage",)


def burglary_series(*, user: User, now: datetime | None = None) -> list[dict[str, Any]]:
    """Series of burglaries this user moderates: SERIES_MIN_COUNT or more, not rejected nor merged, in one
    sector and its neighbours, whose facts fall in the last SERIES_WINDOW. A series inside a bigger one
    is not repeated; biggest first."""
    now = now or timezone.now()
    rows = list(
        access.observations_moderated(user)
        .filter(
            quarantined=False,
            category__slug__in=BURGLARY_CATEGORIES,
            occurred_at__gte=now - SERIES_WINDOW,
            sector__isnull=False,
        )
        .exclude(status__in=NOT_DUPLICATED)
        .select_related("sector")
        .order_by("occurred_at", "id")
    )
    if len(rows) < SERIES_MIN_COUNT:
        return []
    sector_ids = {row.sector_id for row in rows if row.sector_id is not None}
    neighbours: dict[int, set[int]] = {sector_id: {sector_id} for sector_id in sector_ids}
    links = Sector.adjacent.through.objects.filter(from_sector_id__in=sector_ids)
    for from_id, to_id in links.values_list("from_sector_id", "to_sector_id"):
        neighbours[from_id].add(to_id)
    groups: list[list[Observation]] = []
    for sector_id in sorted(sector_ids):
        group = [row for row in rows if row.sector_id in neighbours[sector_id]]
        if len(group) >= SERIES_MIN_COUNT:
            groups.append(group)
    kept: list[list[Observation]] = []
    for group in sorted(groups, key=len, reverse=True):
        ids = {row.pk for row in group}
        if not any(ids <= {row.pk for row in bigger} for bigger in kept):
            kept.append(group)
    series = []
    for group in kept:
        span = group[-1].occurred_at - group[0].occurred_at
        sectors = {row.sector.pk: row.sector.name for row in group if row.sector}
        series.append(
            {
                "count": len(group),
                "hours": max(1, round(span.total_seconds() / 3600)),
                "first_at": group[0].occurred_at,
                "last_at": group[-1].occurred_at,
                "sectors": [
                    {"id": pk, "name": name} for pk, name in sorted(sectors.items(), key=lambda s: s[1])
                ],
                "observations": [{"id": row.pk, "reference": row.reference} for row in group],
                # An alert is made from validated reports only (the broadcasts' rule).
                "alert_observation_ids": [row.pk for row in group if row.status in APPROVED_OBSERVATION],
            }
        )
    return series


def console_suggestions(*, user: User, observations: list[Observation] | None = None) -> dict[str, Any]:
    """What the moderation console suggests: likely duplicates of its pending items (by observation id)
    and the series of burglaries. Empty for a console that moderates nothing."""
    if not is_moderator(user):
        return {"duplicates": {}, "series": []}
    if observations is None:
        observations = list(console_observations(user=user).filter(status=Observation.Status.PENDING))
    duplicates = observation_duplicates(observations=observations)
    return {
        "duplicates": {str(pk): rows for pk, rows in duplicates.items() if rows},
        "series": burglary_series(user=user),
    }
