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
from tests.helpers import signed_in

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


def test_staff_pages_flags_in_the_console_and_keyboard_approval_and_acknowledgement(
    transactional_db: Any, daphne_server: Any, browser: Any
) -> None:
    from alerts.console.models import ConsoleConnection
    from alerts.models import Dispatch
    from backend.accounts.models import User
    from tests.alerts.console.helpers import town
    from tests.alerts.console.test_browser import (
        item,
        open_console,
        select_first,
        staff_login_ready,
        submit,
        wait_event,
    )
    from tests.live import until

    place = town()
    base = daphne_server.url
    coordinator = User.objects.create_user("+33699000011", role="coordinator", commune=place.commune)
    context = session_context(browser, base, signed_in(coordinator))
    page = context.new_page()
    try:
        visit(page, f"{base}/agents/", "/agents/ (coordinator)")
    finally:
        context.close()

    moderator = open_console(browser, base, place.moderator, staff_login_ready(place.moderator))
    operator = open_console(browser, base, place.pm_operator, staff_login_ready(place.pm_operator))
    try:
        assert_accessible(moderator, context="/console/ (moderator, empty)")
        flagged = submit(
            base,
            place.referent,
            description="M. Dupont a vu la voiture AB-123-CD ; joignable au 06 12 34 56 78 ou jean.dupont@example.fr.",
        )
        item(moderator, flagged.reference).wait_for(timeout=15000)
        # Keyboard alone: to the list, the item, claim it; the flags stand beside the redaction.
        moderator.bring_to_front()
        select_first(moderator, flagged.reference)
        moderator.keyboard.press("c")
        moderator.keyboard.press("v")
        box = moderator.locator("#donnees-personnelles")
        box.wait_for(timeout=15000)
        listed = box.locator("li").all_inner_texts()
        for expected in ("Nom de personne : M. Dupont", "Plaque d'immatriculation : AB-123-CD",
                         "Numéro de téléphone : 06 12 34 56 78", "Adresse e-mail : jean.dupont@example.fr"):  # fmt: skip
            assert any(line.startswith(expected) for line in listed), (expected, listed)
        assert moderator.locator("#detail-texte mark").all_inner_texts() == [
            "M. Dupont", "AB-123-CD", "06 12 34 56 78", "jean.dupont@example.fr"
        ]  # fmt: skip
        assert moderator.locator("#approve-text").get_attribute("aria-describedby") == "donnees-personnelles"
        assert moderator.locator("#approve-text").input_value() == flagged.description  # never edited
        assert_accessible(moderator, context="/console/ (moderator, flags beside the redaction)")
        moderator.keyboard.press("Tab")
        assert focused_id(moderator) == "approve-text"
        assert has_visible_focus(moderator)
        moderator.keyboard.press("Control+A")
        moderator.keyboard.type("Un témoin a vu une voiture repartir.")
        tab_to(moderator, f'input[name=agencies][value="{place.pm.pk}"]')
        moderator.keyboard.press("Space")
        tab_to(moderator, "#form-approve button[type=submit]")
        assert has_visible_focus(moderator)
        moderator.keyboard.press("Enter")
        created = wait_event(operator, "dispatch.created", f"e.data.observation.id === {flagged.pk}")
        assert created["data"]["observation"]["description"] == "Un témoin a vu une voiture repartir."

        # The operator, keyboard alone: the item, acknowledge; no flag ever reaches the police view.
        operator.bring_to_front()
        select_first(operator, flagged.reference)
        assert focused_id(operator) == "action-acknowledge"
        assert has_visible_focus(operator)
        operator.keyboard.press("a")
        dispatch = Dispatch.objects.get(observation=flagged, agency=place.pm)
        acknowledged = wait_event(operator, "dispatch.acknowledged", f"e.data.id === {dispatch.pk}")
        assert acknowledged["data"]["assignee"]["id"] == place.pm_operator.pk
        assert operator.locator("#donnees-personnelles").count() == 0
        assert "Dupont" not in operator.locator("#detail").inner_text()
        assert_accessible(operator, context="/console/ (operator, dispatch detail)")
        sheet = operator.context.new_page()
        visit(sheet, f"{base}/console/fiche/{dispatch.pk}/", "/console/fiche/<id>/")
    finally:
        for console in (moderator, operator):
            console.context.close()
        until(lambda: not ConsoleConnection.objects.exists(), what="the consoles' sockets to close")
