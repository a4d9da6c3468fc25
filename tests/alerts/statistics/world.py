"""The statistics' fixture: 37 observations of one commune across January and February 2026, three
sectors, four categories, three channels, every outcome, made through the services on a frozen clock."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from alerts import services
from alerts.models import Agency, Observation
from backend.accounts.models import Role, User
from backend.territory.models import Commune, Sector
from tests import factories
from tests.alerts import factories as alerts_factories
from tests.neighbours import factories as neighbours_factories

JANUARY = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 16, 9, 0, tzinfo=UTC)

# (when, sector, category, channel, outcome, how many): 37 in all.
PLAN = [
    (JANUARY, "nord", "cambriolage", "app", "rejected", 5),
    (JANUARY, "nord", "cambriolage", "app", "closed", 4),
    (JANUARY, "sud", "vol", "sms", "pending", 6),
    (JANUARY, "est", "degradation", "web", "rejected", 3),
    (FEBRUARY, "nord", "cambriolage", "app", "closed", 7),
    (FEBRUARY, "sud", "cambriolage", "app", "rejected", 2),
    (FEBRUARY, "est", "suspect", "sms", "transmitted", 6),
    (FEBRUARY, "nord", "vol", "web", "pending", 4),
]


@dataclass
class World:
    commune: Commune
    author: User
    moderator: User
    operator: User
    agency: Agency


def world(commune: Commune, time_machine: Any) -> World:
    """A commune whose referents may report since before January 2026, with a third sector `est`."""
    time_machine.move_to(JANUARY - timedelta(days=1), tick=False)
    neighbours_factories.ready_commune(commune)
    Sector.objects.create(commune=commune, name="Est", slug="est")
    operator = factories.user(role=Role.OPERATOR, commune=commune)
    return World(
        commune=commune,
        author=neighbours_factories.referent(commune).user,
        moderator=factories.user(role=Role.MODERATOR, commune=commune),
        operator=operator,
        agency=alerts_factories.agency(commune=commune, members=(operator,)),
    )


def observation(w: World, *, sector: str, category: str, channel: str, outcome: str) -> Observation:
    """One observation taken to `outcome` through the services, each step a minute after the last."""
    assert w.commune.boundary is not None
    corners = w.commune.boundary["coordinates"][0]
    longitude = (min(c[0] for c in corners) + max(c[0] for c in corners)) / 2  # inside, whatever the commune
    row = alerts_factories.observation(w.author, category=category, latitude=43.415, longitude=longitude)
    Observation.objects.filter(pk=row.pk).update(
        channel=channel, sector=Sector.objects.get(commune=w.commune, slug=sector)
    )
    row.refresh_from_db()
    if outcome == "rejected":
        return services.observation_reject(observation=row, actor=w.moderator, reason="private_dispute")
    if outcome in ("transmitted", "closed"):
        services.observation_approve(observation=row, actor=w.moderator, agencies=[w.agency])
        if outcome == "closed":
            dispatch = row.dispatches.get()
            services.dispatch_acknowledge(dispatch=dispatch, actor=w.operator)
            services.dispatch_close(dispatch=row.dispatches.get(), actor=w.operator, outcome="intervention")
    return row


def populate(w: World, time_machine: Any) -> None:
    for when, sector, category, channel, outcome, count in PLAN:
        for index in range(count):
            time_machine.move_to(when + timedelta(hours=index), tick=False)
            observation(w, sector=sector, category=category, channel=channel, outcome=outcome)
