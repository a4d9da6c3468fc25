"""/statistiques/ in headless Chromium against a real daphne: the CLSPD coordinator signs in with password +
TOTP, follows the link from /agents/, sees SVG charts that carry a text alternative beside tables of the
same figures, filters without JavaScript, and the page has no serious or critical axe-core violation."""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from alerts.models import Category
from alerts.statistics.models import MonthlyFigure
from alerts.statistics.months import month_add, month_of
from backend.accounts.models import Role
from tests import factories
from tests.alerts.console.test_browser import PASSWORD, staff_login_ready, totp_code
from tests.live import screenshot

pytestmark = pytest.mark.browser


def test_statistics_page_in_chromium(transactional_db: Any, daphne_server: Any, browser: Any) -> None:
    commune = factories.commune()
    nord, sud = commune.sectors.get(slug="nord"), commune.sectors.get(slug="sud")
    burglary, theft = Category.objects.get(slug="cambriolage"), Category.objects.get(slug="vol")
    this_month = month_of(timezone.now())
    last_month = month_add(this_month, -1)
    for month, sector, category, count in [
        (last_month, nord, burglary, 7),
        (this_month, nord, theft, 3),
        (this_month, sud, burglary, 5),
    ]:
        MonthlyFigure.objects.create(
            commune=commune, month=month, sector=sector, category=category, channel="app", outcome="closed",
            count=count, median_moderation_s=1800, delays={"moderation": [1800] * count},
        )  # fmt: skip
    coordinator = factories.user(role=Role.COORDINATOR, commune=commune, password=PASSWORD)
    device = staff_login_ready(coordinator)
    base = daphne_server.url

    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR").new_page()
    page.goto(f"{base}/connexion/")
    page.get_by_label("Téléphone").fill(str(coordinator.phone))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Code de l'application d'authentification").fill(totp_code(device))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/agents/")
    page.get_by_role("link", name="Statistiques de la commune").click()
    page.wait_for_url(f"{base}/statistiques/")

    # Every chart is an image with a name and a description, and a table of the same figures beside it.
    charts = page.locator("svg[role=img]")
    assert charts.count() == 6
    by_sector = page.get_by_role("img", name="Signalements par secteur")
    assert by_sector.count() == 1
    assert page.locator("#secteurs-desc").text_content() == "Nord : 10, Sud : 5"
    table = page.locator("table", has=page.locator("caption", has_text="Signalements par secteur"))
    assert table.locator("tbody tr").all_inner_texts() == ["Nord\t10", "Sud\t5"]
    screenshot(page, "statistics-page")

    results = Axe().run(page)
    bad = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, bad

    # Filters are a plain GET form.
    page.get_by_role("checkbox", name="Sud", exact=True).check()
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(f"{base}/statistiques/?*sector={sud.pk}*")
    assert page.locator("#secteurs-desc").text_content() == "Sud : 5"
