"""Issue 12's retention acceptance test: with a frozen clock, a row in every registered table; the clock
moves to one day after each period and the worker's daily job runs; no row older than its period remains
in any registered table, the pre-purge hooks ran before anything was purged, and the town's statistics
(computed by the nightly job before the first run) are the same after every run.

The check is generic over the registry: a new `register_retention` needs a row maker in rows.py (the first
test fails until it has one), and is then covered here.
"""

from datetime import datetime, timedelta
from typing import Any

import pytest

from alerts.statistics.months import month_of
from alerts.statistics.selectors import statistics_figures
from alerts.statistics.services import statistics_refresh_recent
from backend.core.models import RetentionState
from backend.core.periodic import periodic_jobs
from backend.core.retention import RetentionRule, retention_report, retention_rules
from tests.retention.conftest import T0
from tests.retention.rows import MAKERS, MARGIN, world

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def _daily_job() -> Any:
    return next(job for job in periodic_jobs() if job.name == "core.retention")


def _due(rule: RetentionRule) -> datetime:
    """When a row written at T0 is past its rule's period."""
    return T0 + rule.period() + MARGIN.get(rule.name, timedelta())


def _older_than_period(rule: RetentionRule, now: datetime) -> int:
    """Rows of the rule's scope whose age field is older than its period, counted without the rule's own
    query (for the rules that have one)."""
    limit = now - rule.period() - MARGIN.get(rule.name, timedelta())
    rows = rule.model._default_manager.filter(rule.scope)
    return rows.filter(**{f"{rule.age_field}__lt": limit}).count()


def _figures(commune_id: int) -> list[dict[str, Any]]:
    month = month_of(T0)
    return statistics_figures(
        commune_id=commune_id,
        month_from=month,
        month_to=month,
        group_by=("sector", "category", "channel", "outcome"),
    )


def test_every_registered_table_has_a_row_maker() -> None:
    assert set(MAKERS) == {rule.name for rule in retention_rules()}


def test_one_day_after_each_period_no_row_older_than_its_period_remains(
    commune: Any, time_machine: Any, pre_purge_calls: list[dict[str, Any]]
) -> None:
    time_machine.move_to(T0, tick=False)
    w = world(commune)
    purged = {name: make(w) for name, make in MAKERS.items()}
    rules = retention_rules()
    assert not any(check() for check in purged.values())
    statistics_refresh_recent(now=T0)
    figures = _figures(commune.pk)
    assert sum(row["count"] for row in figures) >= 1

    last_run: datetime | None = None
    for due in sorted({_due(rule) for rule in rules}):
        if last_run is not None and due < last_run:
            continue  # went with an earlier run (checked then)
        at = due + DAY
        if last_run is not None and at < last_run + timedelta(hours=24):
            at = last_run + timedelta(hours=24)  # the job runs once a day
        time_machine.move_to(at, tick=False)
        calls_before = len(pre_purge_calls)
        before = {name: check() for name, check in purged.items()}

        assert _daily_job().func() >= 1  # the worker's periodic job, as run_worker calls it

        assert RetentionState.objects.get().last_run_at == at
        # The hooks ran once, first: they saw every row that this run then purged.
        assert len(pre_purge_calls) == calls_before + 1
        seen = pre_purge_calls[-1]["expired"]
        for rule in rules:
            if not before[rule.name] and purged[rule.name]():
                assert seen[rule.name] >= 1, f"{rule.name}: purged before the hooks saw it"
        for rule in rules:
            assert _older_than_period(rule, at) == 0, f"{rule.name}: rows older than its period remain"
            assert not rule.expired(at).exists(), rule.name
            if _due(rule) < at:
                assert purged[rule.name](), f"{rule.name}: the row written at T0 is still there"
            else:
                assert not purged[rule.name](), f"{rule.name}: purged before its period"
        assert _figures(commune.pk) == figures, "the purge changed the town's statistics"
        last_run = at

    # Everything went; a day later, the next run finds nothing more.
    assert all(check() for check in purged.values())
    assert last_run is not None
    time_machine.move_to(last_run + DAY, tick=False)
    assert sum(retention_report().values()) == 0
    assert _daily_job().func() == 0
