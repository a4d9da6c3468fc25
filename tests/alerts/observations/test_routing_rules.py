"""Routing rules (alerts.selectors.routing_agencies): category × sector × time window → agencies; the highest
matching priority wins (its rules' agencies together); inactive rules and agencies do not count; nothing
matching → the commune's fallback agency. Times are Europe/Paris wall-clock times."""

from collections.abc import Callable
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from alerts import selectors
from alerts.models import Agency, Category, Observation
from tests.alerts import factories as f

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def paris(hour: int, minute: int = 0, *, day: tuple[int, int, int] = (2026, 11, 25)) -> datetime:
    return datetime(*day, hour, minute, tzinfo=PARIS)


class Town:
    """A commune with its two sectors, three agencies and the fallback (the municipal police)."""

    def __init__(self, commune: Any) -> None:
        self.commune = commune
        self.pm = f.agency(commune=commune, name="PM")
        self.pn = f.agency(commune=commune, name="PN", kind=Agency.Kind.POLICE_NATIONALE)
        self.gend = f.agency(commune=commune, name="Brigade", kind=Agency.Kind.GENDARMERIE)
        f.fallback(commune, self.pm)
        self.nord = commune.sectors.get(slug="nord")
        self.sud = commune.sectors.get(slug="sud")

    def routed(self, *, category: str = "cambriolage", sector: str = "nord", at: datetime) -> set[str]:
        observation = Observation(
            commune=self.commune,
            category=Category.objects.get(slug=category),
            sector=getattr(self, sector),
            occurred_at=at,
        )
        return {agency.name for agency in selectors.routing_agencies(observation=observation)}


@pytest.fixture
def town(commune: Any) -> Town:
    return Town(commune)


def test_no_rule_goes_to_the_fallback(town: Town) -> None:
    assert town.routed(at=paris(10)) == {"PM"}


def test_no_rule_and_no_fallback_goes_nowhere(town: Town) -> None:
    town.commune.alert_settings.delete()
    assert town.routed(at=paris(10)) == set()


@pytest.mark.parametrize(
    ("category", "sector", "expected"),
    [
        ("cambriolage", "nord", {"PN", "Brigade"}),  # both rules match, same priority: both
        ("cambriolage", "sud", {"PN"}),  # the category's rule, any sector
        ("suspect", "nord", {"Brigade"}),  # the sector's rule
        ("suspect", "sud", {"PM"}),  # neither: fallback
    ],
)
def test_category_and_sector(town: Town, category: str, sector: str, expected: set[str]) -> None:
    f.routing(town.commune, town.pn, category=Category.objects.get(slug="cambriolage"))
    f.routing(town.commune, town.gend, sector=town.nord)
    assert town.routed(category=category, sector=sector, at=paris(10)) == expected


def test_a_rule_for_category_and_sector_needs_both(town: Town) -> None:
    f.routing(town.commune, town.pn, category=Category.objects.get(slug="vol"), sector=town.sud)
    assert town.routed(category="vol", sector="sud", at=paris(10)) == {"PN"}
    assert town.routed(category="vol", sector="nord", at=paris(10)) == {"PM"}
    assert town.routed(category="cambriolage", sector="sud", at=paris(10)) == {"PM"}


WINDOW_CASES: list[tuple[time | None, time | None, datetime, bool]] = [
    (time(8), time(18), paris(8), True),  # both ends are inside
    (time(8), time(18), paris(18), True),
    (time(8), time(18), paris(12), True),
    (time(8), time(18), paris(7, 59), False),
    (time(8), time(18), paris(18, 1), False),
    (time(22), time(6), paris(23), True),  # the window passes midnight
    (time(22), time(6), paris(0), True),
    (time(22), time(6), paris(5, 59), True),
    (time(22), time(6), paris(6, 1), False),
    (time(22), time(6), paris(12), False),
    (time(22), time(6), paris(21, 59), False),
    (time(20), None, paris(23, 30), True),  # open-ended: until the end of the day
    (time(20), None, paris(19), False),
    (None, time(7), paris(0, 30), True),  # from the start of the day
    (None, time(7), paris(7, 30), False),
]


@pytest.mark.parametrize(("starts_at", "ends_at", "at", "inside"), WINDOW_CASES)
def test_time_window(
    town: Town, starts_at: time | None, ends_at: time | None, at: datetime, inside: bool
) -> None:
    f.routing(town.commune, town.pn, starts_at=starts_at, ends_at=ends_at)
    assert town.routed(at=at) == ({"PN"} if inside else {"PM"})


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        # 2026-03-29: Paris goes from 02:00 to 03:00 (UTC+1 → UTC+2); 01:30 UTC is 03:30 local.
        (datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("UTC")), False),
        (datetime(2026, 3, 29, 0, 30, tzinfo=ZoneInfo("UTC")), True),  # 01:30 local
        # 2026-10-25: back from 03:00 to 02:00; 00:30 UTC is 02:30 local (summer), 01:30 UTC 02:30 (winter).
        (datetime(2026, 10, 25, 0, 30, tzinfo=ZoneInfo("UTC")), True),
        (datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("UTC")), True),
        (datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo("UTC")), False),  # 03:30 local
    ],
)
def test_time_window_on_daylight_saving_days_follows_the_local_clock(
    town: Town, at: datetime, inside: bool
) -> None:
    f.routing(town.commune, town.pn, starts_at=time(22), ends_at=time(2, 59))
    assert town.routed(at=at) == ({"PN"} if inside else {"PM"})


def test_the_highest_priority_wins_and_equal_priorities_add_up(town: Town) -> None:
    burglary = Category.objects.get(slug="cambriolage")
    f.routing(town.commune, town.pm, priority=100)
    f.routing(town.commune, town.pn, priority=200, category=burglary)
    assert town.routed(at=paris(10)) == {"PN"}
    f.routing(town.commune, town.gend, priority=200, sector=town.nord)
    assert town.routed(at=paris(10)) == {"PN", "Brigade"}
    assert town.routed(sector="sud", at=paris(10)) == {"PN"}
    assert town.routed(category="vol", sector="sud", at=paris(10)) == {"PM"}


def test_a_higher_priority_outside_its_window_gives_way(town: Town) -> None:
    f.routing(town.commune, town.pn, priority=100)
    f.routing(town.commune, town.gend, priority=300, starts_at=time(22), ends_at=time(6))
    assert town.routed(at=paris(23)) == {"Brigade"}
    assert town.routed(at=paris(10)) == {"PN"}


def _rule_off(town: Town, rule: Any) -> None:
    rule.is_active = False
    rule.save()


def _agency_off(town: Town, rule: Any) -> None:
    Agency.objects.filter(pk=town.gend.pk).update(is_active=False)


@pytest.mark.parametrize(
    ("disable", "expected"),
    [(_rule_off, {"PN"}), (_agency_off, {"PM"})],
    ids=["inactive rule: the next priority", "winning rule with only inactive agencies: fallback"],
)
def test_inactive_rules_and_agencies_do_not_count(
    town: Town, disable: Callable[[Town, Any], Any], expected: set[str]
) -> None:
    f.routing(town.commune, town.pn, priority=100)
    winner = f.routing(town.commune, town.gend, priority=200)
    assert town.routed(at=paris(10)) == {"Brigade"}
    disable(town, winner)
    assert town.routed(at=paris(10)) == expected


def test_inactive_fallback_goes_nowhere(town: Town) -> None:
    Agency.objects.filter(pk=town.pm.pk).update(is_active=False)
    assert town.routed(at=paris(10)) == set()


def test_another_communes_rules_do_not_apply(town: Town, other_commune: Any) -> None:
    theirs = f.agency(commune=other_commune, name="Ailleurs")
    f.routing(other_commune, theirs, priority=900)
    assert town.routed(at=paris(10)) == {"PM"}
