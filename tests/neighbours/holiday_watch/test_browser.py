"""A resident on a phone without JavaScript asks for a holiday watch: code by SMS, the form, the answer; and
the patrol's pages. Real daphne (tests/live.py), Debian's Chromium at 390×844; axe-core runs in a separate
JavaScript-enabled context on the same pages (zero serious or critical violations)."""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from alerts.services import categories_seed_defaults
from neighbours.holiday_watch.models import PatrolPass, WatchRequest
from neighbours.holiday_watch.selectors import earliest_start
from tests.helpers import signed_in, sms_code
from tests.live import screenshot
from tests.neighbours.holiday_watch.factories import days, patrol, watch

PHONE = "+33612000078"
VIEWPORT = {"width": 390, "height": 844}


def _axe_clean(browser: Any, url: str, cookies: list[Any] | None = None) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
    try:
        if cookies:
            context.add_cookies(cookies)
        page = context.new_page()
        page.goto(url)
        result = Axe().run(page)
        bad = [v["id"] for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, (url, bad)
    finally:
        context.close()


@pytest.mark.browser
def test_a_resident_asks_for_a_watch_without_javascript(transactional_db, daphne_server, browser, commune):
    categories_seed_defaults()
    base = f"{daphne_server.url}/tranquillite-vacances/"
    context = browser.new_context(
        java_script_enabled=False, viewport=VIEWPORT, locale="fr-FR", is_mobile=True
    )
    page = context.new_page()
    try:
        page.goto(base)
        _axe_clean(browser, base)
        page.get_by_label("Votre numéro de téléphone mobile").fill("06 12 00 00 78")
        page.get_by_role("button", name="Recevoir un code").click()
        code_field = page.get_by_label("Code reçu par SMS")
        code_field.wait_for()
        _axe_clean(browser, page.url, context.cookies())
        code_field.fill(sms_code(PHONE))
        page.get_by_role("button", name="Valider").click()

        assert page.url.endswith("/tranquillite-vacances/demande/")
        _axe_clean(browser, page.url, context.cookies())
        page.get_by_label("Adresse du domicile").fill("3 impasse des Oliviers")
        page.get_by_label("Secteur", exact=True).select_option(label="Les Pennes-Mirabeau : Sud")
        page.get_by_label("Jour du départ").fill(earliest_start().isoformat())
        page.get_by_label("Jour du retour").fill(days(15).isoformat())
        page.get_by_label("Le domicile a une alarme").check()
        page.get_by_label(
            "Recevoir par SMS les alertes cambriolage de mon secteur pendant mon absence"
        ).check()
        screenshot(page, "holiday-watch-request-nojs")
        page.get_by_role("button", name="Envoyer ma demande").click()

        assert "commence le" in page.get_by_role("main").inner_text()
        row = WatchRequest.objects.get()
        assert row.sector is not None
        assert (row.phone, row.sector.slug, row.alarm, row.burglary_alerts) == (PHONE, "sud", True, True)
        page.get_by_role("link", name="Voir, annuler ou écourter mes demandes").click()
        assert "3 impasse des Oliviers" in page.get_by_role("main").inner_text()
        _axe_clean(browser, page.url, context.cookies())
        page.get_by_role("button", name="Annuler cette demande").click()
        assert "annulée" in page.get_by_role("status").inner_text()
        row.refresh_from_db()
        assert row.status == "cancelled"
    finally:
        context.close()


@pytest.mark.browser
def test_a_patrol_logs_an_anomaly_from_a_phone(transactional_db, daphne_server, browser, commune, settings):
    categories_seed_defaults()
    officer, _agency = patrol(commune)
    home = watch(commune, sector="nord", start=-1, end=5, address="8 allée des Cigales")
    # Signed in with the second factor: the session cookie that /connexion/ would have set.
    session = signed_in(officer).cookies[settings.SESSION_COOKIE_NAME].value
    cookies = [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": daphne_server.url}]
    base = f"{daphne_server.url}/tranquillite-vacances/patrouille/"
    context = browser.new_context(
        java_script_enabled=False, viewport=VIEWPORT, locale="fr-FR", is_mobile=True
    )
    context.add_cookies(cookies)
    page = context.new_page()
    try:
        page.goto(base)
        _axe_clean(browser, base, cookies)
        assert "Nord (1)" in page.get_by_role("main").inner_text()
        page.get_by_role("link", name="8 allée des Cigales").click()
        _axe_clean(browser, page.url, cookies)
        page.get_by_role("radio", name="anomalie").check()
        page.get_by_label("Note").fill("Fenêtre de la cuisine entrouverte.")
        screenshot(page, "holiday-watch-pass-nojs")
        page.get_by_role("button", name="Enregistrer le passage").click()
        assert "transmis" in page.get_by_role("status").inner_text()
        assert PatrolPass.objects.get(request=home).observation is not None
    finally:
        context.close()
