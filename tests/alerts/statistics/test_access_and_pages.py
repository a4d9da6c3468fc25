"""Who reads the statistics (CLSPD coordinator and commune admins, their own commune, with the second
factor), what the page, the exports, the annual report and the commands give, and the 400s."""

import io
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from odf.opendocument import load
from odf.table import Table

from alerts.broadcasts.models import Broadcast
from alerts.statistics.models import MonthlyCounter, StatisticsMonth
from alerts.statistics.services import statistics_refresh
from backend.accounts.models import Role
from backend.audit.models import AuditEvent
from tests import factories
from tests.alerts.statistics.world import JANUARY, observation, world
from tests.helpers import api_client_for, signed_in

pytestmark = pytest.mark.django_db

JAN = date(2026, 1, 1)
API = "/api/v1/statistics/?from=2026-01&to=2026-01"


@pytest.fixture
def figures(commune: Any, other_commune: Any, time_machine: Any) -> Any:
    """Two observations of `commune` in January 2026 and one of the other commune, computed."""
    w = world(commune, time_machine)
    time_machine.move_to(JANUARY, tick=False)
    for _index in range(2):
        observation(w, sector="nord", category="cambriolage", channel="app", outcome="rejected")
    statistics_refresh(commune=commune, months=[JAN])
    other = world(other_commune, time_machine)
    time_machine.move_to(JANUARY, tick=False)
    observation(other, sector="est", category="vol", channel="sms", outcome="pending")
    statistics_refresh(commune=other_commune, months=[JAN])
    time_machine.move_to(JANUARY.replace(day=20), tick=False)
    return w


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_the_coordinator_and_the_commune_admin_read_their_own_commune_only(
    figures: Any, commune: Any, role: str
) -> None:
    reader = factories.user(role=role, commune=commune)
    response = api_client_for(reader, second_factor=True).get(API)
    assert response.status_code == 200
    assert [row["count"] for row in response.json()["figures"]] == [2]  # never the other commune's 1
    page = signed_in(reader).get("/statistiques/?from=2026-01&to=2026-01")
    assert page.status_code == 200
    assert "Est" not in [row[0] for section in page.context["sections"] for row in section.rows]


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.MODERATOR, Role.REFERENT, Role.CSU, Role.DPO])
def test_other_roles_are_refused(figures: Any, commune: Any, role: str) -> None:
    someone = factories.user(role=role, commune=commune)
    assert api_client_for(someone, second_factor=True).get(API).status_code == 403
    client = signed_in(someone)
    for url in ("/statistiques/", "/statistiques/export.csv?from=2026-01&to=2026-01",
                "/statistiques/rapport-annuel/2026.pdf"):  # fmt: skip
        assert client.get(url).status_code == 403


def test_without_the_second_factor_nothing(figures: Any, commune: Any) -> None:
    coordinator = factories.user(role=Role.COORDINATOR, commune=commune)
    assert api_client_for(coordinator, second_factor=False).get(API).status_code == 403
    assert signed_in(coordinator, verified=False).get("/statistiques/").status_code == 302


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13&to=2026-01", "from"),
        ("from=2026-02&to=2026-01", "to"),
        ("to=2026-01", "from"),
        ("from=2026-01&to=2026-01&group_by=agent", "group_by"),
        ("from=2026-01&to=2026-01&channel=fax", "channel"),
        ("from=2000-01&to=2026-01", "to"),
    ],
)
def test_bad_parameters_are_a_400_with_the_field_in_french(
    figures: Any, commune: Any, query: str, field: str
) -> None:
    coordinator = factories.user(role=Role.COORDINATOR, commune=commune)
    response = api_client_for(coordinator, second_factor=True).get(f"/api/v1/statistics/?{query}")
    assert response.status_code == 400
    assert field in {name.split(".")[0] for name in response.json()["errors"]}  # group_by.0: its first item
    if "from=" in query:  # the page's form gives the last twelve months when no period is given
        page = signed_in(coordinator).get(f"/statistiques/?{query}")
        assert page.status_code == 200
        assert field in page.context["errors"]


def test_filters_and_groups(figures: Any, commune: Any) -> None:
    coordinator = factories.user(role=Role.COORDINATOR, commune=commune)
    client = api_client_for(coordinator, second_factor=True)
    nord = commune.sectors.get(slug="nord").pk
    body = client.get(f"{API}&group_by=outcome,channel&sector={nord}&category=cambriolage").json()
    assert [(row["outcome"], row["channel"], row["count"]) for row in body["figures"]] == [
        ("rejected", "app", 2)
    ]
    assert client.get(f"{API}&sector=0").json()["figures"][0]["count"] == 0
    assert client.get(f"{API}&channel=sms").json()["figures"][0]["count"] == 0


def test_the_page_shows_svg_charts_with_tables_and_links_from_the_staff_home(
    figures: Any, commune: Any
) -> None:
    coordinator = factories.user(role=Role.COORDINATOR, commune=commune)
    client = signed_in(coordinator)
    html = client.get("/statistiques/?from=2026-01&to=2026-01").content.decode()
    assert html.count('role="img" aria-labelledby=') == 6
    assert '<desc id="secteurs-desc">Nord : 2</desc>' in html
    assert "<caption>Signalements par secteur" in html
    assert 'href="/statistiques/"' in client.get("/agents/").content.decode()


def test_ods_export_and_its_audit_row(figures: Any, commune: Any) -> None:
    coordinator = factories.user(role=Role.COORDINATOR, commune=commune)
    response = signed_in(coordinator).get("/statistiques/export.ods?from=2026-01&to=2026-01&group_by=sector")
    assert response.status_code == 200
    document = load(io.BytesIO(response.content))
    (table,) = document.spreadsheet.getElementsByType(Table)
    text = str(table)
    assert "secteur" in text
    assert "Nord" in text
    event = AuditEvent.objects.get(action="statistics.exported")
    assert event.actor_id == coordinator.pk
    assert event.extra["format"] == "ods"


def test_annual_report_pdf_ods_and_command(figures: Any, commune: Any, tmp_path: Path) -> None:
    coordinator = factories.user(role=Role.COORDINATOR, commune=commune)
    client = signed_in(coordinator)
    page = client.get("/statistiques/rapport-annuel/2026/").content.decode()
    assert "< 5" in page  # two observations: below the publication threshold
    assert "2 " not in page.split("Signalements reçus")[1][:80]
    pdf = client.get("/statistiques/rapport-annuel/2026.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    ods = client.get("/statistiques/rapport-annuel/2026.ods")
    assert ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert len(load(io.BytesIO(ods.content)).spreadsheet.getElementsByType(Table)) == 6
    target = tmp_path / "rapport.ods"
    call_command("statistics_annual_report", commune=commune.slug, year=2026, format="ods", output=str(target),
                 stdout=StringIO())  # fmt: skip
    assert target.read_bytes().startswith(b"PK")


def test_backfill_command_computes_past_months_and_leaves_frozen_ones(figures: Any, commune: Any) -> None:
    StatisticsMonth.objects.filter(commune=commune).delete()
    out = StringIO()
    call_command("statistics_backfill", commune=commune.slug, first="2025-12", stdout=out)
    assert "[2/2] 2026-01 : calculé" in out.getvalue()
    StatisticsMonth.objects.filter(commune=commune).update(frozen_at=timezone.now())
    out = StringIO()
    call_command("statistics_backfill", commune=commune.slug, first="2026-01", stdout=out)
    assert "2026-01 : figé, laissé tel quel" in out.getvalue()


def test_broadcasts_sent_are_counted(figures: Any, commune: Any) -> None:
    for kind in (Broadcast.Kind.SHOP_ALERT, Broadcast.Kind.SHOP_ALERT, Broadcast.Kind.BURGLARY_ALERT,
                 Broadcast.Kind.PREVENTION):  # fmt: skip
        Broadcast.objects.create(commune=commune, kind=kind, state=Broadcast.State.SENT, title="Alerte",
                                 body="Texte.", sent_at=timezone.now())  # fmt: skip
    statistics_refresh(commune=commune, months=[JAN])
    counters = dict(MonthlyCounter.objects.filter(commune=commune).values_list("key", "value"))
    assert counters == {"broadcasts.shop_alert": 2, "broadcasts.burglary_alert": 1}
    coordinator = factories.user(role=Role.COORDINATOR, commune=commune)
    body = api_client_for(coordinator, second_factor=True).get(API).json()
    assert {row["label"]: row["value"] for row in body["counters"]} == {
        "Alertes cambriolage envoyées": 1,
        "Alertes commerces envoyées": 2,
    }


def test_the_page_shows_a_month_computed_again_at_once(figures: Any, commune: Any, time_machine: Any) -> None:
    """The page's figures are cached until a month of the period is computed again (its revision)."""
    client = signed_in(factories.user(role=Role.COORDINATOR, commune=commune))

    def by_sector() -> list[list[Any]]:
        page = client.get("/statistiques/?from=2026-01&to=2026-01")
        return next(section.rows for section in page.context["sections"] if section.name == "secteurs")

    assert by_sector() == [["Nord", 2]]
    time_machine.move_to(JANUARY, tick=False)  # the clock as when it was computed: only the revision moves
    observation(figures, sector="nord", category="vol", channel="app", outcome="pending")
    statistics_refresh(commune=commune, months=[JAN])
    assert by_sector() == [["Nord", 3]]
