"""Every HTML page with zero serious or critical axe-core violations, in headless Chromium against a real
daphne (issue 17, item 5), plus the keyboard-only flows and a visible focus. One browser; several pages
per test; signed in through sessions and tokens (the login screens have their own tests)."""

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from tests import factories
from tests.accessibility import assert_accessible, has_visible_focus, violations
from tests.alerts.console.test_browser import arrow_down_until, focused_id, select_value, tab_to

pytestmark = pytest.mark.browser

ERROR_PAGES = ("400.html", "403.html", "403_csrf.html", "404.html", "500.html")


def session_context(browser: Any, base: str, client: Client | None = None, **options: Any) -> Any:
    """A browser context, signed in with the session of a Django test `client` when given."""
    context = browser.new_context(locale="fr-FR", **({"viewport": {"width": 1366, "height": 768}} | options))
    if client is not None:
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    return context


def visit(page: Any, url: str, context: str) -> None:
    response = page.goto(url)
    assert response is not None, url
    assert response.status < 400, f"{url}: {response.status}"
    page.wait_for_load_state("networkidle")
    assert_accessible(page, context=context)


def serve(body: str) -> Any:
    """A route handler that answers with `body` (a page rendered here, its styles served by daphne)."""
    return lambda route, request: route.fulfill(
        status=200, content_type="text/html; charset=utf-8", body=body
    )


def test_public_legal_and_error_pages(transactional_db: Any, daphne_server: Any, browser: Any) -> None:
    factories.commune()
    base = daphne_server.url
    context = session_context(browser, base)
    page = context.new_page()
    try:
        for path in ("/", "/connexion/", "/accessibilite/", "/mentions-legales/", "/commerces/",
                     "/commerces/connexion/", "/commerces/inscription/", "/app/connexion/"):  # fmt: skip
            visit(page, base + path, path)
            footer = page.locator("footer")
            assert "Accessibilité : non conforme" in footer.inner_text()
            assert footer.get_by_role("link", name="Mentions légales").count() == 1
        # Forms sent empty: the pages with their error summaries.
        page.goto(f"{base}/connexion/")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state("networkidle")
        assert_accessible(page, context="/connexion/ with errors")
        # The error pages, as production renders them (daphne runs with DEBUG=1: Django's own pages).
        request = RequestFactory().get("/")
        for name in ERROR_PAGES:
            body = render_to_string(name, request=None if name == "500.html" else request)
            page.route(f"{base}/erreur/{name}", serve(body))
            visit(page, f"{base}/erreur/{name}", name)
        # The check itself can fail: an unlabelled field and an image without text are caught.
        page.set_content('<html lang="fr"><body><main><input><img src="x.png"></main></body></html>')
        assert {found.split(" ")[0] for found in violations(page)} >= {"label", "image-alt"}
        # A visible focus: the first link reached with Tab is outlined (:focus-visible).
        page.goto(f"{base}/accessibilite/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.tagName") == "A"
        assert has_visible_focus(page)
    finally:
        context.close()


def test_shopkeeper_pages_and_report_with_the_keyboard_alone(
    transactional_db: Any, daphne_server: Any, browser: Any, commune: Any
) -> None:
    from alerts.models import Observation
    from alerts.services import categories_seed_defaults
    from tests.commerces import factories as cf

    categories_seed_defaults()  # a transactional test before this one flushed the migration's rows
    keeper = cf.shopkeeper(cf.shop(commune, name="Tabac de la Gare"))
    client = Client()
    client.force_login(keeper.user)
    base = daphne_server.url
    context = session_context(browser, base, client, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        for path in ("/commerces/", "/commerces/signalements/", "/commerces/mon-commerce/"):
            visit(page, base + path, path)
        visit(page, f"{base}/commerces/signaler/", "/commerces/signaler/")
        hint = page.locator("#id_description_helptext").inner_text()
        assert all(word in hint for word in ("nom", "santé", "religion"))  # what not to write
        page.get_by_role("button", name="Envoyer le signalement").click()  # empty: the error summary
        page.wait_for_load_state("networkidle")
        assert_accessible(page, context="/commerces/signaler/ with errors")

        # Keyboard alone: from the top of the page, Tab through the form, type, choose, send.
        page.goto(f"{base}/commerces/signaler/")
        tab_to(page, "#id_category")
        assert has_visible_focus(page)
        arrow_down_until(page, lambda: select_value(page, "id_category") == "escroquerie", 20)
        page.keyboard.press("Tab")
        assert focused_id(page) == "id_description"
        page.keyboard.type("Faux billet de 50 euros, homme pressé, casquette noire.")
        tab_to(page, "button[type=submit]")  # the date and time are now's, already filled
        assert has_visible_focus(page)
        page.keyboard.press("Enter")
        page.wait_for_url("**/commerces/signalements/")
        observation = Observation.objects.get()
        assert observation.channel == "web"
        assert observation.description.startswith("Faux billet")
        assert_accessible(page, context="/commerces/signalements/ after a report")
    finally:
        context.close()


def test_referent_app_pages(transactional_db: Any, daphne_server: Any, browser: Any) -> None:
    from backend.accounts.tokens import tokens_issue
    from tests.alerts.console.helpers import town

    place = town()
    tokens = tokens_issue(user=place.referent)
    base = daphne_server.url
    context = session_context(browser, base, viewport={"width": 390, "height": 844}, is_mobile=True)
    context.add_init_script(
        f"localStorage.setItem('vigie.access', '{tokens['access']}');"
        f" localStorage.setItem('vigie.refresh', '{tokens['refresh']}');"
    )
    page = context.new_page()
    try:
        visit(page, f"{base}/app/", "/app/")
        page.locator("#categorie option[value=vol]").wait_for(state="attached")
        assert "religion" in page.locator("#description-aide").inner_text()
        assert_accessible(page, context="/app/ ready")
        for path in ("/app/signalements/", "/app/messages/", "/app/preferences/", "/app/protocole/",
                     "/app/charte/", "/app/deconnexion/"):  # fmt: skip
            visit(page, base + path, path)
    finally:
        context.close()
