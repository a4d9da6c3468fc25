"""The watch cell's meeting page and its pack in headless Chromium against a real daphne: a roster member
signs in with password + TOTP, adds an action with the page's own form (no script needed), opens the pack;
both pages show no serious or critical axe-core violation."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from alerts.models import Observation
from alerts.statistics.services import statistics_refresh
from alerts.watch_cell.models import Action
from tests.alerts import factories as f
from tests.alerts.console.test_browser import PASSWORD, staff_login_ready, totp_code
from tests.alerts.watch_cell.helpers import cell, meeting
from tests.live import screenshot

pytestmark = pytest.mark.browser


def axe_clean(page: Any) -> None:
    result = Axe().run(page)
    bad = [v["id"] for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, [
        (v["id"], [n["html"] for n in v["nodes"]]) for v in result.response["violations"] if v["id"] in bad
    ]


def test_the_meeting_page_and_its_pack_in_the_browser(
    transactional_db: Any, daphne_server: Any, browser: Any, csp_violations: list[str]
) -> None:
    place = cell()
    held = meeting(place, date(2026, 11, 5), place.csu, title="Cellule de veille de novembre")
    for _ in range(2):  # two observations in Nord in October, the month the November meeting reviews
        row = f.observation(place.referent, sector="nord", latitude=None, longitude=None)
        Observation.objects.filter(pk=row.pk).update(created_at=datetime(2026, 10, 14, 10, tzinfo=UTC))
    statistics_refresh(commune=place.commune, months=[date(2026, 10, 1)])
    device = staff_login_ready(place.csu)
    base = daphne_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{base}/cellule-de-veille/{held.pk}/")
    assert "/connexion/" in page.url
    page.get_by_label("Téléphone").fill(str(place.csu.phone))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Code de l'application d'authentification").fill(totp_code(device))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/cellule-de-veille/{held.pk}/")
    assert page.get_by_role("heading", name="Cellule de veille de novembre").is_visible()

    page.get_by_label("Action décidée").fill("Rencontrer le bailleur des Amandiers")
    page.locator("#id_action-owner_member").select_option(label=str(place.csu))
    page.get_by_label("Échéance").fill("2026-12-15")
    page.get_by_role("button", name="Ajouter l'action").click()
    page.wait_for_selector("#actions")
    assert "Rencontrer le bailleur des Amandiers" in page.locator("#actions").inner_text()
    assert Action.objects.get().owner_member is not None
    axe_clean(page)
    screenshot(page, "watch-cell-meeting")

    page.get_by_role("link", name="Voir le dossier de la réunion").click()
    page.wait_for_selector("#secteurs")
    assert "Rencontrer le bailleur des Amandiers" in page.locator("#dossier-actions").inner_text()
    assert "téléchargé par Samuel CSU" in page.content()
    # The chart is an image named by its title and described by its figures; the table beside holds them.
    chart = page.locator("figure.graphique svg[role=img]")
    assert chart.get_attribute("aria-labelledby") == "dossier-secteurs-title dossier-secteurs-desc"
    assert page.locator("#dossier-secteurs-title").text_content() == "Signalements par secteur"
    assert "Nord : 2" in (page.locator("#dossier-secteurs-desc").text_content() or "")
    assert page.locator("#secteurs tbody tr").first.inner_text().split("\t")[:2] == ["Nord", "2"]
    axe_clean(page)
    screenshot(page, "watch-cell-pack")
    assert not csp_violations
    context.close()
