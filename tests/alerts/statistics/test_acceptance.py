"""Issue 15's acceptance: on 37 observations across two months, three sectors and four categories, the
JSON of GET /api/v1/statistics/ and the CSV export equal counts written by hand, and still do after the
retention purge deleted every observation."""

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from alerts.models import Observation
from backend.accounts.models import Role
from backend.core.periodic import periodic_jobs
from backend.core.retention import retention_purge
from tests import factories
from tests.alerts.statistics.world import FEBRUARY, populate, world
from tests.helpers import api_client_for, signed_in

pytestmark = pytest.mark.django_db

QUERY = "from=2026-01&to=2026-02&group_by=sector,category"
# Counted by hand from world.PLAN: (sector, category, count).
JSON_BY_HAND = [
    ("Nord", "cambriolage", 16),
    ("Nord", "vol", 4),
    ("Sud", "cambriolage", 2),
    ("Sud", "vol", 6),
    ("Est", "suspect", 6),
    ("Est", "degradation", 3),
]
CSV_BY_HAND = [
    ["Nord", "cambriolage ou tentative", "16"],
    ["Nord", "vol (étalage, à l'arraché)", "4"],
    ["Sud", "cambriolage ou tentative", "2"],
    ["Sud", "vol (étalage, à l'arraché)", "6"],
    ["Est", "individu ou véhicule suspect", "6"],
    ["Est", "dégradation", "3"],
]
# The same for publication: counts below 5 hidden, and their delays with them.
PUBLICATION_BY_HAND = [
    ["Nord", "cambriolage ou tentative", "16"],
    ["Nord", "vol (étalage, à l'arraché)", "< 5"],
    ["Sud", "cambriolage ou tentative", "< 5"],
    ["Sud", "vol (étalage, à l'arraché)", "6"],
    ["Est", "individu ou véhicule suspect", "6"],
    ["Est", "dégradation", "< 5"],
]


def _json(coordinator: Any) -> list[tuple[str, str, int]]:
    response = api_client_for(coordinator, second_factor=True).get(f"/api/v1/statistics/?{QUERY}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from"], body["to"], body["group_by"]) == ("2026-01", "2026-02", ["sector", "category"])
    assert sum(row["count"] for row in body["figures"]) == 37
    return [(row["sector_name"], row["category"], row["count"]) for row in body["figures"]]


def _csv(client: Any, *, publication: bool = False) -> list[list[str]]:
    response = client.get(f"/statistiques/export.csv?{QUERY}" + ("&publication=1" if publication else ""))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:3] == ["secteur", "catégorie", "nombre de signalements"]
    if publication:
        hidden = [line for line in lines[1:] if line[2] == "< 5"]
        assert hidden
        assert all(cell == "" for line in hidden for cell in line[3:])
    return [line[:3] for line in lines[1:]]


def test_json_and_csv_equal_the_hand_count_before_and_after_the_purge(
    commune: Any, time_machine: Any
) -> None:
    populate(world(commune, time_machine), time_machine)
    coordinator = factories.user(role=Role.COORDINATOR, commune=commune)
    # The nightly job computes the recent months.
    time_machine.move_to(FEBRUARY + timedelta(days=20), tick=False)
    next(job for job in periodic_jobs() if job.name == "statistics.refresh").func()
    client = signed_in(coordinator)

    assert _json(coordinator) == JSON_BY_HAND
    assert _csv(client) == CSV_BY_HAND
    assert _csv(client, publication=True) == PUBLICATION_BY_HAND

    after = FEBRUARY + timedelta(days=600)
    time_machine.move_to(after, tick=False)
    retention_purge(now=after)
    assert not Observation.objects.filter(commune=commune).exists()

    client = signed_in(coordinator)  # the session of 600 days ago has expired
    assert _json(coordinator) == JSON_BY_HAND
    assert _csv(client) == CSV_BY_HAND
    assert _csv(client, publication=True) == PUBLICATION_BY_HAND
