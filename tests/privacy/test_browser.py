"""The privacy notice and a third party's request in a real browser: the request goes through without
JavaScript, and every page is free of serious or critical axe-core violations (axe runs as a script, in
a second context with JavaScript on). Real daphne, Debian's Chromium."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from alerts.privacy.models import RightsRequest
from tests.live import screenshot


def _serious_violations(browser, url: str) -> list[str]:
    context = browser.new_context(locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(url)
        result = Axe().run(page)
        return [v["id"] for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
    finally:
        context.close()


@pytest.mark.browser
def test_notice_and_third_party_request_without_javascript(transactional_db, daphne_server, browser, commune):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(f"{daphne_server.url}/")
        page.get_by_role("link", name="Données personnelles").click()
        assert "/confidentialite/" in page.url
        notice_url = page.url
        assert page.get_by_role("heading", name="Combien de temps").is_visible()
        assert page.get_by_role("table", name="Durées de conservation en vigueur").is_visible()
        screenshot(page, "privacy-notice")

        page.get_by_role("link", name="Faire une demande").click()
        form_url = page.url
        page.get_by_label("Vous êtes").select_option("third_party")
        page.get_by_label("Vous demandez").select_option("objection")
        page.get_by_label("Nom et prénom").fill("Jean Martin")
        page.get_by_label("Votre demande").fill("Je pense être décrit dans un signalement du marché.")
        page.get_by_label("Faits à partir du").fill("2026-11-01")
        page.get_by_role("radio", name="courriel").check()
        page.locator("#id_email").fill("jean.martin@example.org")
        page.get_by_label("Justificatif d'identité").fill("Carte d'identité, présentée en mairie")
        page.get_by_label("Je déclare sur l'honneur").check()
        screenshot(page, "privacy-request")
        page.get_by_role("button", name="Envoyer la demande").click()

        row = RightsRequest.objects.get()
        assert row.requester == "third_party"
        assert row.kind == "objection"
        assert row.channel == "email"
        assert row.reference in page.get_by_role("main").inner_text()
    finally:
        context.close()
    assert _serious_violations(browser, notice_url) == []
    assert _serious_violations(browser, form_url) == []
