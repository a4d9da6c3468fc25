"""Reads of the holiday watch: when a watch may start, a resident's requests, the patrols' daily list,
the numbers a burglary alert texts, and the statistics' monthly counts."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from alerts import access
from alerts.models import Category
from alerts.registry import AudienceQuery
from alerts.statistics.registry import rows_months
from backend.accounts.models import User
from backend.core.retention import retention_rule
from backend.territory.models import Sector
from neighbours.holiday_watch.models import ANOMALY_CATEGORIES, PatrolPass, WatchRequest

ACTIVE = WatchRequest.Status.ACTIVE


def earliest_start(*, now: datetime | None = None) -> date:
    """The first day of departure a request made now may ask for: the notice (48 hours by default) runs up
    to the departure day's midnight."""
    moment = timezone.localtime(now or timezone.now()) + timedelta(
        hours=settings.HOLIDAY_WATCH_MIN_NOTICE_HOURS
    )
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment.date() if moment == midnight else moment.date() + timedelta(days=1)


def requests_of_referent(*, user: User) -> QuerySet[WatchRequest]:
    return WatchRequest.objects.filter(requester=user).select_related("sector").order_by("-start", "-pk")


def requests_of_person(user: User) -> QuerySet[WatchRequest]:
    """Every watch a person asked for: through the app (their account), or by the web form with their
    account's number."""
    mine = Q(requester=user)
    if user.phone:
        mine |= Q(phone=user.phone.as_e164)
    return WatchRequest.objects.filter(mine)


def holiday_watch_personal_data(user: User) -> list[dict[str, Any]]:
    """The holiday watch's section of the person's export (GET /api/v1/me/export/): their requests and what
    the patrols noted (never the officer's name)."""
    rows = (
        requests_of_person(user).select_related("sector").prefetch_related("passes").order_by("start", "pk")
    )
    return [
        {
            "address": row.address,
            "sector": row.sector.name if row.sector else None,
            "start": row.start,
            "end": row.end,
            "alarm": row.alarm,
            "contact_name": row.contact_name,
            "contact_phone": row.contact_phone,
            "visitors": row.visitors,
            "keys_left_with": row.keys_left_with,
            "burglary_alerts": row.burglary_alerts,
            "status": row.status,
            "created_at": row.created_at,
            "passes": [
                {"at": item.at, "outcome": item.outcome, "note": item.note}
                for item in sorted(row.passes.all(), key=lambda item: item.at)
            ],
        }
        for row in rows
    ]


def requests_of_phone(*, phone: str, today: date | None = None) -> QuerySet[WatchRequest]:
    """A resident's requests still to come or running (what they may cancel or shorten)."""
    day = today or timezone.localdate()
    return WatchRequest.objects.filter(phone=phone, status=ACTIVE, end__gte=day).order_by("start", "pk")


def watched_on(*, commune_id: int, day: date) -> QuerySet[WatchRequest]:
    return WatchRequest.objects.filter(commune_id=commune_id, status=ACTIVE, start__lte=day, end__gte=day)


def daily_list(*, user: User, commune_id: int, day: date) -> list[tuple[Sector | None, list[WatchRequest]]]:
    """The homes to pass by on `day`, by sector (those without a sector last), for a patrol of the
    commune; each with its passes of the day (prefetched). Nothing for anyone else."""
    if not access.may_patrol(user, commune_id):
        return []
    start, end = _day_bounds(day)
    rows = (
        watched_on(commune_id=commune_id, day=day)
        .select_related("sector")
        .annotate(passes_today=Count("passes", filter=Q(passes__at__gte=start, passes__at__lt=end)))
        .order_by("sector__name", "address", "pk")
    )
    groups: dict[int | None, tuple[Sector | None, list[WatchRequest]]] = {}
    for row in rows:
        groups.setdefault(row.sector_id, (row.sector, []))[1].append(row)
    return sorted(groups.values(), key=lambda group: (group[0] is None, group[0].name if group[0] else ""))


def request_for_patrol(*, user: User, request_id: int) -> WatchRequest | None:
    """A request of a commune this user patrols, else None (a 404: not theirs to see)."""
    return (
        WatchRequest.objects.filter(pk=request_id, commune_id__in=access.patrol_communes(user))
        .select_related("sector", "commune")
        .first()
    )


def passes_of(*, request: WatchRequest) -> QuerySet[PatrolPass]:
    return PatrolPass.objects.filter(request=request).select_related("officer").order_by("-at", "-pk")


def alert_numbers(query: AudienceQuery, kind: str) -> Sequence[str]:
    """The "holiday_watch" SMS recipients (alerts/registry.py): for a burglary alert, the numbers of the
    residents away today from its sectors (the whole commune when it names none) who asked for alerts."""
    if kind != "burglary_alert":
        return []
    rows = watched_on(commune_id=query.commune.pk, day=timezone.localdate()).filter(burglary_alerts=True)
    if query.sectors:
        rows = rows.filter(sector__in=[sector.pk for sector in query.sectors])
    return sorted(set(rows.values_list("phone", flat=True)))


def monthly_counts(commune_id: int, month: date) -> list[tuple[int | None, str, int]]:
    """(sector id, key, count) of a month for the statistics: requests received, passes, anomalies.
    Aggregates of the live rows only (the retention purges them weeks after the return)."""
    first = month.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    start, _end = _day_bounds(first)
    end, _next = _day_bounds(after)
    counts: list[tuple[int | None, str, int]] = []
    requests = (
        WatchRequest.objects.filter(commune_id=commune_id, created_at__gte=start, created_at__lt=end)
        .values("sector_id")
        .annotate(n=Count("pk"))
        .order_by("sector_id")
    )
    counts += [(row["sector_id"], "holiday_watch.requests", row["n"]) for row in requests]
    passes = (
        PatrolPass.objects.filter(request__commune_id=commune_id, at__gte=start, at__lt=end)
        .values("request__sector_id")
        .annotate(n=Count("pk"), anomalies=Count("pk", filter=Q(outcome=PatrolPass.Outcome.ANOMALY)))
        .order_by("request__sector_id")
    )
    for row in passes:
        counts.append((row["request__sector_id"], "holiday_watch.passes", row["n"]))
        if row["anomalies"]:
            counts.append((row["request__sector_id"], "holiday_watch.anomalies", row["anomalies"]))
    return counts


def purged_months(now: datetime) -> set[tuple[int, date]]:
    """The months whose counts the next retention purge touches (requests, and passes with them): the
    statistics freeze them first."""
    requests = retention_rule("holiday_watch.requests").expired(now)
    passes = PatrolPass.objects.filter(
        Q(pk__in=retention_rule("holiday_watch.passes").expired(now).values("pk"))
        | Q(request__in=requests.values("pk"))
    )
    return rows_months(requests, commune="commune_id", at="created_at") | rows_months(
        passes, commune="request__commune_id", at="at"
    )


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    """The day's first instant and the next day's, in the project's time zone."""
    tz = timezone.get_current_timezone()
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    following = day + timedelta(days=1)
    return start, datetime(following.year, following.month, following.day, tzinfo=tz)


def anomaly_category_labels() -> dict[str, str]:
    """The French labels of the categories an anomaly may be filed in (the platform's defaults)."""
    return dict(
        Category.objects.filter(commune=None, slug__in=ANOMALY_CATEGORIES).values_list("slug", "label")
    )
