"""Requests and pass logs go N days after the return (frozen clock, the retention purge); the statistics'
monthly counts are aggregates by sector."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from alerts.statistics.selectors import statistics_counters
from alerts.statistics.services import statistics_refresh
from backend.core.retention import retention_purge, retention_report
from neighbours.holiday_watch.models import PatrolPass, WatchRequest
from neighbours.holiday_watch.selectors import monthly_counts
from neighbours.holiday_watch.services import patrol_pass_record
from tests.neighbours.holiday_watch.factories import FRIDAY, patrol, watch

pytestmark = pytest.mark.django_db


def test_requests_and_passes_are_gone_n_days_after_the_return(
    commune: Any, settings: Any, time_machine: Any
) -> None:
    settings.HOLIDAY_WATCH_RETENTION_DAYS = 30
    time_machine.move_to(FRIDAY, tick=False)
    officer, _agency = patrol(commune)
    home = watch(commune, start=-5, end=-1)  # back yesterday
    running = watch(commune, start=-1, end=20)
    patrol_pass_record(request=home, officer=officer, outcome="ras", at=timezone.now() - timedelta(days=2))

    time_machine.move_to(FRIDAY + timedelta(days=29), tick=False)  # 30 days after the day of return
    assert retention_report()["holiday_watch.requests"] == 0
    retention_purge()
    assert WatchRequest.objects.filter(pk=home.pk).exists()

    time_machine.move_to(FRIDAY + timedelta(days=30), tick=False)  # the day after: gone
    assert retention_report()["holiday_watch.passes"] == 1
    retention_purge()
    assert not WatchRequest.objects.filter(pk=home.pk).exists()
    assert not PatrolPass.objects.exists()
    assert WatchRequest.objects.filter(pk=running.pk).exists()


def test_monthly_counts_are_requests_passes_and_anomalies_by_sector(commune: Any, time_machine: Any) -> None:
    time_machine.move_to(FRIDAY, tick=False)
    officer, _agency = patrol(commune)
    north = watch(commune, sector="nord", start=-1, end=5)
    watch(commune, sector="nord", start=3, end=5)
    south = watch(commune, sector="sud", start=-1, end=5)
    patrol_pass_record(request=north, officer=officer, outcome="ras")
    patrol_pass_record(request=north, officer=officer, outcome="anomaly", note="Porte ouverte.")
    patrol_pass_record(request=south, officer=officer, outcome="ras")

    counts = set(monthly_counts(commune.pk, date(2026, 7, 1)))

    assert counts == {
        (north.sector_id, "holiday_watch.requests", 2),
        (south.sector_id, "holiday_watch.requests", 1),
        (north.sector_id, "holiday_watch.passes", 2),
        (north.sector_id, "holiday_watch.anomalies", 1),
        (south.sector_id, "holiday_watch.passes", 1),
    }
    assert monthly_counts(commune.pk, date(2026, 6, 1)) == []


def test_the_towns_statistics_keep_the_holiday_watch_after_its_purge(
    commune: Any, settings: Any, time_machine: Any
) -> None:
    """The statistics registry counts requests and passes, and freezes their month before the purge."""
    settings.HOLIDAY_WATCH_RETENTION_DAYS = 30
    time_machine.move_to(FRIDAY, tick=False)
    officer, _agency = patrol(commune)
    home = watch(commune, sector="nord", start=-5, end=-1)
    watch(commune, sector="sud", start=2, end=9)
    patrol_pass_record(request=home, officer=officer, outcome="ras")
    july = date(2026, 7, 1)
    wanted = [
        {"key": "holiday_watch.passes", "value": 1},
        {"key": "holiday_watch.requests", "value": 2},
    ]

    time_machine.move_to(FRIDAY + timedelta(days=30), tick=False)  # the first request and its pass go
    retention_purge()
    assert WatchRequest.objects.count() == 1
    assert not PatrolPass.objects.exists()
    assert statistics_counters(commune_id=commune.pk, month_from=july, month_to=july) == wanted
    statistics_refresh(commune=commune, months=[july])  # a frozen month is never computed again
    assert statistics_counters(commune_id=commune.pk, month_from=july, month_to=july) == wanted
