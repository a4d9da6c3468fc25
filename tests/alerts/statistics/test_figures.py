"""The aggregates: a refresh counts what the live rows say, the purge never changes the figures (the
months it touches are computed one last time and frozen first), medians of the delays."""

from datetime import date, timedelta
from typing import Any

import pytest

from alerts import services
from alerts.models import Observation
from alerts.statistics.models import MonthlyFigure, StatisticsMonth
from alerts.statistics.selectors import statistics_figures
from alerts.statistics.services import statistics_refresh, statistics_refresh_recent
from backend.core.retention import retention_purge
from tests.alerts import factories as alerts_factories
from tests.alerts.statistics.world import FEBRUARY, JANUARY, populate, world

pytestmark = pytest.mark.django_db

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)

# Counted by hand from world.PLAN.
BY_SECTOR_AND_CATEGORY = [
    ("Nord", "cambriolage", 16),
    ("Nord", "vol", 4),
    ("Sud", "cambriolage", 2),
    ("Sud", "vol", 6),
    ("Est", "suspect", 6),
    ("Est", "degradation", 3),
]
BY_MONTH_AND_OUTCOME = [
    ("2026-01", "pending", 6),
    ("2026-01", "rejected", 8),
    ("2026-01", "closed", 4),
    ("2026-02", "pending", 4),
    ("2026-02", "rejected", 2),
    ("2026-02", "transmitted", 6),
    ("2026-02", "closed", 7),
]


def _by_sector_and_category(commune_id: int) -> list[tuple[str, str, int]]:
    rows = statistics_figures(
        commune_id=commune_id, month_from=JAN, month_to=FEB, group_by=("sector", "category")
    )
    return [(row["sector_name"], row["category"], row["count"]) for row in rows]


def _by_month_and_outcome(commune_id: int) -> list[tuple[str, str, int]]:
    rows = statistics_figures(
        commune_id=commune_id, month_from=JAN, month_to=FEB, group_by=("month", "outcome")
    )
    order = ["pending", "rejected", "merged", "transmitted", "closed"]
    return sorted(((row["month"], row["outcome"], row["count"]) for row in rows),
                  key=lambda row: (row[0], order.index(row[1])))  # fmt: skip


def test_a_refresh_counts_the_live_observations(commune: Any, time_machine: Any) -> None:
    populate(world(commune, time_machine), time_machine)
    assert Observation.objects.filter(commune=commune).count() == 37

    assert statistics_refresh(commune=commune, months=[JAN, FEB]) == [JAN, FEB]

    assert _by_sector_and_category(commune.pk) == BY_SECTOR_AND_CATEGORY
    assert _by_month_and_outcome(commune.pk) == BY_MONTH_AND_OUTCOME
    total = statistics_figures(commune_id=commune.pk, month_from=JAN, month_to=FEB, group_by=())
    assert [row["count"] for row in total] == [37]


def test_a_second_refresh_replaces_a_month_with_what_changed(commune: Any, time_machine: Any) -> None:
    w = world(commune, time_machine)
    populate(w, time_machine)
    statistics_refresh(commune=commune, months=[JAN, FEB])
    waiting = Observation.objects.filter(commune=commune, status="pending", created_at__lt=FEBRUARY).first()
    assert waiting is not None
    services.observation_reject(observation=waiting, actor=w.moderator, reason="other")

    statistics_refresh(commune=commune, months=[JAN])

    january = [row for row in _by_month_and_outcome(commune.pk) if row[0] == "2026-01"]
    assert january == [("2026-01", "pending", 5), ("2026-01", "rejected", 9), ("2026-01", "closed", 4)]


def test_the_purge_deletes_the_observations_and_the_figures_stay(commune: Any, time_machine: Any) -> None:
    populate(world(commune, time_machine), time_machine)
    statistics_refresh(commune=commune, months=[JAN, FEB])
    # Past every period: finished ones (365 days) and never finished ones (548 days).
    after = FEBRUARY + timedelta(days=600)
    time_machine.move_to(after, tick=False)

    counts = retention_purge(now=after)

    assert counts["alerts.observations_finished"] == 21  # rejected and closed
    assert counts["alerts.observations_unfinished"] == 16  # pending and transmitted
    assert not Observation.objects.filter(commune=commune).exists()
    assert _by_sector_and_category(commune.pk) == BY_SECTOR_AND_CATEGORY
    assert _by_month_and_outcome(commune.pk) == BY_MONTH_AND_OUTCOME
    assert set(StatisticsMonth.objects.filter(frozen_at__isnull=False).values_list("month", flat=True)) == {
        JAN,
        FEB,
    }
    # Frozen: neither the nightly job nor a backfill recomputes them from what is left (nothing).
    assert statistics_refresh(commune=commune, months=[JAN, FEB]) == []
    statistics_refresh_recent(now=JANUARY + timedelta(days=20))
    assert _by_month_and_outcome(commune.pk) == BY_MONTH_AND_OUTCOME


def test_a_purge_that_takes_part_of_a_month_freezes_it_whole(commune: Any, time_machine: Any) -> None:
    """A month's rejected observations go a year after, its pending ones later: the month is frozen at the
    first purge, computed from every row, before any is deleted; nothing was computed before."""
    populate(world(commune, time_machine), time_machine)
    first = JANUARY + timedelta(days=366)
    time_machine.move_to(first, tick=False)

    retention_purge(now=first)

    assert Observation.objects.filter(commune=commune, created_at__lt=FEBRUARY).count() == 6  # the pending
    january = [row for row in _by_month_and_outcome(commune.pk) if row[0] == "2026-01"]
    assert january == [("2026-01", "pending", 6), ("2026-01", "rejected", 8), ("2026-01", "closed", 4)]
    assert StatisticsMonth.objects.get(month=JAN).frozen_at == first
    assert not StatisticsMonth.objects.filter(month=FEB).exists()  # nothing of February went


def test_medians_of_the_delays(commune: Any, time_machine: Any) -> None:
    w = world(commune, time_machine)
    # Decided 60 s, 120 s and 600 s after receipt; acknowledged 30 s and 90 s after transmission.
    plan = [(60, None), (120, 30), (600, 90)]
    for index, (decide, acknowledge) in enumerate(plan):
        start = JANUARY + timedelta(hours=index)
        time_machine.move_to(start, tick=False)
        row = alerts_factories.observation(w.author)
        time_machine.move_to(start + timedelta(seconds=decide), tick=False)
        if acknowledge is None:
            services.observation_reject(observation=row, actor=w.moderator, reason="other")
            continue
        services.observation_approve(observation=row, actor=w.moderator, agencies=[w.agency])
        time_machine.move_to(start + timedelta(seconds=decide + acknowledge), tick=False)
        services.dispatch_acknowledge(dispatch=row.dispatches.get(), actor=w.operator)
    statistics_refresh(commune=commune, months=[JAN])

    (total,) = statistics_figures(commune_id=commune.pk, month_from=JAN, month_to=JAN, group_by=())
    assert total["count"] == 3
    assert total["median_moderation_s"] == 120
    # Two groups (rejected: 60 s, no acknowledgement; transmitted: 120 s and 600 s → 360 s, 30 s and 90 s
    # → 60 s), each stored with its own medians.
    stored = {row.outcome: row for row in MonthlyFigure.objects.all()}
    assert stored["rejected"].median_moderation_s == 60
    assert stored["rejected"].median_acknowledgement_s is None
    assert stored["rejected"].median_close_s == 60
    assert stored["transmitted"].median_moderation_s == 360
    assert stored["transmitted"].median_acknowledgement_s == 60
    assert stored["transmitted"].median_close_s is None


def test_by_month_unfiltered_reads_the_months_medians_and_they_equal_the_groups(
    commune: Any, time_machine: Any
) -> None:
    populate(world(commune, time_machine), time_machine)
    statistics_refresh(commune=commune, months=[JAN, FEB])
    fast = statistics_figures(commune_id=commune.pk, month_from=JAN, month_to=FEB, group_by=("month",))
    # Every sector named (and « hors secteur »): the same observations, read from the groups' delays.
    every_sector = [*commune.sectors.values_list("pk", flat=True), 0]
    exact = statistics_figures(
        commune_id=commune.pk, month_from=JAN, month_to=FEB, sectors=every_sector, group_by=("month",)
    )
    assert fast == exact
    assert [row["median_moderation_s"] is not None for row in fast] == [True, True]
    assert StatisticsMonth.objects.get(month=JAN).median_moderation_s == fast[0]["median_moderation_s"]
