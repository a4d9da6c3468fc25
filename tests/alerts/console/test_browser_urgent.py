"""Nothing urgent is missed, moderators decide faster (issue 14), in headless Chromium against daphne.

A desktop notification (the permission granted by the test; `window.Notification` wrapped to record what
the page shows) and the tab title count on an urgent item, the count going down after the approval (the
moderator) and the acknowledgement (the operator); the sound preference kept on the server and applied on
reload; the duplicate suggestion on a fixture pair, merged in one click; the series banner on three
burglaries; a follow-up to review marked on its item.
"""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from alerts import services
from alerts.console.models import ConsolePreference
from alerts.models import Observation
from backend.territory.models import Sector
from tests.alerts import factories as f
from tests.alerts.console.helpers import Town, town
from tests.alerts.console.test_browser import (
    in_thread,
    item,
    open_console,
    staff_login_ready,
    submit,
    wait_event,
)
from tests.live import screenshot, until

pytestmark = pytest.mark.browser

# Wraps the browser's Notification: each one the page shows is recorded (headless Chromium displays
# none), and the last one kept so that the test can click it.
NOTIFICATION_RECORDER = """
(() => {
  const Real = window.Notification;
  window.__notified = [];
  class Recorder {
    constructor(title, options) {
      this.title = title;
      this.onclick = null;
      window.__notified.push({ title, body: (options || {}).body, tag: (options || {}).tag });
      window.__lastNotification = this;
    }
    close() {}
    static get permission() { return Real.permission; }
    static requestPermission() { return Real.requestPermission(); }
  }
  window.Notification = Recorder;
})();
"""


def preference(user: Any) -> tuple[bool, bool] | None:
    row = ConsolePreference.objects.filter(user=user).first()
    return (row.sound, row.notifications) if row else None


def notified_console(browser: Any, base: str, user: Any) -> Any:
    """A console whose notifications the browser allows and the test records."""
    page = open_console(browser, base, user, staff_login_ready(user))
    page.context.grant_permissions(["notifications"], origin=base)
    page.context.add_init_script(NOTIFICATION_RECORDER)
    page.reload()
    page.wait_for_selector("#connexion[data-state=open]", timeout=15000)
    return page


def open_item(page: Any, reference: str) -> None:
    """Clicks the item in the list until its detail opens: the list is redrawn on every event (presence,
    other items), and a click whose node was replaced between press and release is lost."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # browser tests only

    for _ in range(3):
        item(page, reference).click()
        try:
            page.wait_for_function(
                "ref => document.getElementById('titre-detail').textContent.startsWith(ref)",
                arg=reference,
                timeout=5000,
            )
            return
        except PlaywrightTimeoutError:
            continue
    raise AssertionError(f"the detail of {reference} never opened")


def test_an_urgent_item_notifies_counts_in_the_title_and_is_pinned(
    transactional_db: Any, daphne_server: Any, browser: Any
) -> None:
    base = daphne_server.url
    place: Town = town()
    page = notified_console(browser, base, place.moderator)
    operator = notified_console(browser, base, place.pm_operator)
    operator.get_by_role("button", name="Notifications de bureau : désactivées").click()
    until(lambda: preference(place.pm_operator) == (True, True), what="the operator's preference saved")

    # Sound on by default; switched off, saved on the server, still off after a reload.
    sound = page.locator("#son")
    assert sound.inner_text() == "Son : activé"
    sound.click()
    until(lambda: preference(place.moderator) == (False, False), what="the sound preference saved")
    page.reload()
    page.wait_for_selector("#connexion[data-state=open]", timeout=15000)
    assert page.locator("#son").inner_text() == "Son : désactivé"
    assert page.locator("#son").get_attribute("aria-pressed") == "false"

    # Desktop notifications: asked from the button, remembered.
    button = page.get_by_role("button", name="Notifications de bureau : désactivées")
    button.click()
    page.get_by_role("button", name="Notifications de bureau : activées").wait_for()
    until(lambda: preference(place.moderator) == (False, True), what="the notification preference saved")
    title = page.title()  # nothing waits: the page's own title
    assert not title.startswith("(")
    assert "Vigie" in title

    urgent = submit(base, place.referent, description="Deux individus forcent une porte-fenêtre.")
    item(page, urgent.reference).wait_for(timeout=15000)
    page.wait_for_function("() => window.__notified.length === 1")
    notified = page.evaluate("window.__notified[0]")
    assert notified["title"] == f"Faits en cours : {urgent.reference}"
    assert notified["body"] == "cambriolage ou tentative — Nord"
    assert page.title() == f"(1) {title}"
    assert page.locator("#compteur").inner_text() == "(1 à traiter)"
    # Pinned above the list, in words as well as in colour, its age ticking.
    pinned = page.locator(f'#urgents button[data-key="o:{urgent.pk}"]')
    assert "faits en cours" in pinned.inner_text()
    assert page.locator("#titre-urgents").inner_text() == "Urgent : 1 en attente"
    age = pinned.locator(".age")
    first_age = age.inner_text()
    page.wait_for_function(
        "([node, before]) => node.textContent !== before", arg=[age.element_handle(), first_age]
    )
    screenshot(page, "console-urgent-pinned")

    # Clicking the notification opens the item.
    page.evaluate("window.__lastNotification.onclick()")
    page.wait_for_function(
        f"() => document.getElementById('titre-detail').textContent.startsWith('{urgent.reference}')"
    )
    page.get_by_role("checkbox", name="Police municipale").check()
    page.get_by_role("button", name="Valider et transmettre (v)").click()
    wait_event(page, "observation.approved", f"e.data.id === {urgent.pk}")
    page.wait_for_function("title => document.title === title", arg=title)
    assert page.locator("#compteur").inner_text() == "(0 à traiter)"
    assert page.locator("#urgents").is_hidden()

    # The operator is told of the new dispatch; acknowledging it empties their count.
    operator.wait_for_function("() => window.__notified.length === 1")
    assert operator.evaluate("window.__notified[0].title") == f"Faits en cours : {urgent.reference}"
    assert operator.title() == f"(1) {title}"
    open_item(operator, urgent.reference)
    operator.get_by_role("button", name="Prendre en compte (a)").click()
    operator.wait_for_function("title => document.title === title", arg=title)
    assert operator.locator("#compteur").inner_text() == "(0 à traiter)"


def test_duplicate_suggestion_merged_in_one_click_and_series_banner(
    transactional_db: Any, daphne_server: Any, browser: Any
) -> None:
    base = daphne_server.url
    place: Town = town()
    now = timezone.now()
    # Written outside Playwright's event loop (their after-commit publish wants a loop of its own).
    original = in_thread(
        f.observation,
        author=place.referent,
        category="suspect",
        occurred_at=now - timedelta(minutes=60),
        latitude=43.415,
    )
    repeat = in_thread(
        f.observation,
        author=place.referent,
        category="suspect",
        occurred_at=now - timedelta(minutes=25),
        latitude=43.415 + 120 / 111_195,
    )
    north = Sector.objects.get(commune=place.commune, slug="nord")
    south = Sector.objects.get(commune=place.commune, slug="sud")
    burglaries = []
    for hours, sector in ((47, north), (20, south), (1, north)):
        row = in_thread(f.observation, author=place.referent, occurred_at=now - timedelta(hours=hours))
        Observation.objects.filter(pk=row.pk).update(sector=sector)
        burglaries.append(row.pk)
    # Two of them validated: the alert is made from those (the third still waits for moderation).
    for pk in burglaries[:2]:
        in_thread(
            services.observation_approve, observation=Observation.objects.get(pk=pk), actor=place.moderator
        )
    followed = Observation.objects.get(pk=burglaries[0])
    in_thread(
        services.observation_add_text,
        observation=followed,
        author=place.referent,
        text="Ils sont repartis en scooter.",
        channel="app",
    )

    page = open_console(browser, base, place.moderator, staff_login_ready(place.moderator))
    # The follow-up waits for review: shown on its item.
    badge = item(page, followed.reference).locator(".badge.complement")
    assert badge.inner_text() == "1 complément à relire"

    banner = page.locator("#serie")
    banner.wait_for()
    assert banner.locator("strong").inner_text() == "Série : 3 cambriolages en 46 h — Nord, Sud"
    page.get_by_role("button", name="Préparer une alerte cambriolage").click()
    assert page.locator("#panneau-diffusion").is_visible()
    assert page.evaluate("document.getElementById('diffusion-nature').value") == "burglary_alert"
    page.wait_for_function("() => document.getElementById('diffusion-titre').value !== ''")  # prefilled
    # The series' observations are what the alert is made from.
    page.evaluate("window.vigieConsole.openBroadcast = (request) => { window.__opened = request; }")
    page.get_by_role("button", name="Préparer une alerte cambriolage").click()
    assert page.evaluate("window.__opened") == {"kind": "burglary_alert", "observationIds": burglaries[:2]}
    page.keyboard.press("Escape")
    screenshot(page, "console-series-banner")

    open_item(page, repeat.reference)
    suggestion = page.locator("#doublons")
    suggestion.wait_for()
    assert suggestion.locator("span").first.inner_text() == (
        f"Doublon probable de {original.reference} (120 m, 35 min)"
    )
    screenshot(page, "console-duplicate-suggestion")
    page.get_by_role("button", name=f"Fusionner avec {original.reference}").click()
    merged = wait_event(page, "observation.merged", f"e.data.id === {repeat.pk}")
    assert merged["data"]["into"]["id"] == original.pk
    repeat.refresh_from_db()
    assert (repeat.status, repeat.merged_into_id) == (Observation.Status.MERGED, original.pk)
    page.wait_for_selector("#doublons", state="detached")

    # A burglary arriving live: the series grows and its duplicate is suggested, without a reload.
    latest = submit(base, place.referent, description="Une fenêtre forcée au même endroit.")
    page.wait_for_function(
        "() => document.querySelector('#serie strong').textContent.startsWith('Série : 4 cambriolages')"
    )
    open_item(page, latest.reference)
    suggestion.wait_for()
    recent = Observation.objects.get(pk=burglaries[-1])
    assert re.fullmatch(
        rf"Doublon probable de {recent.reference} \(0 m, \d+ min\)",
        suggestion.locator("span").first.inner_text(),
    )
    assert page.evaluate("window.__loadedOnce") is True
