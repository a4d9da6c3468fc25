"""The console from a phone to a large screen (issue 14's acceptance: "the console at 390×844 with no
horizontal scroll", and 360 px), in headless Chromium against a real daphne, with the browser in New York's time
zone: every time shown is still Europe/Paris's.

At 390×844 a moderator signs in at /connexion/ and lands on the console: the list fills the screen, an
opened item is a full-width sheet with « Retour à la liste », the map and the broadcast panel open on
demand, and the page never scrolls sideways (a long URL in a report included); « Déconnexion » stays
visible and signs out. At 1366×768 and 1920×1080 the three columns stand side by side. Screenshots go
to test-artifacts/.
"""

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from alerts.models import Observation
from backend.accounts.models import User
from tests.alerts import factories as f
from tests.alerts.console.helpers import town
from tests.alerts.console.test_browser import PASSWORD, in_thread, staff_login_ready, totp_code
from tests.live import screenshot

pytestmark = pytest.mark.browser

NEW_YORK = "America/New_York"
LONG_URL = "https://exemple.fr/" + "chemin-tres-long-sans-espace-" * 8 + "fin"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def sign_in(browser: Any, base: str, user: User, *, width: int, height: int) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="fr-FR", timezone_id=NEW_YORK
    )
    page = context.new_page()
    page.goto(f"{base}/connexion/")
    assert page.title() == "Connexion — Vigie"
    page.get_by_label("Téléphone").fill(str(user.phone))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Code de l'application d'authentification").fill(totp_code(staff_login_ready(user)))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/console/")  # no `next`: a moderator lands on the console
    page.wait_for_selector("#connexion[data-state=open]", timeout=15000)
    # The page's name, after the count of items waiting once they are loaded: "(4) Console — Vigie".
    assert re.fullmatch(r"(\(\d+\) )?Console — Vigie", page.title()), page.title()
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == NEW_YORK
    return page


def no_sideways_scroll(page: Any, where: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{where}: the page scrolls sideways ({widths})"


def within_screen(page: Any, locator: Any) -> None:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width


def inside(box: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        outer["x"] <= box["x"]
        and box["x"] + box["width"] <= outer["x"] + outer["width"] + 1
        and outer["y"] <= box["y"]
        and box["y"] + box["height"] <= outer["y"] + outer["height"] + 1
    )


def paris(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y %H:%M:%S")


def fact(page: Any, term: str) -> str:
    """The text of the detail's <dd> after the <dt> `term`."""
    return str(page.locator(f'#detail dt:text-is("{term}") + dd').inner_text())


def test_the_console_on_a_phone_then_on_large_screens(
    transactional_db: Any, daphne_server: Any, browser: Any
) -> None:
    base = daphne_server.url
    place = town()
    # 09:05:07 in Paris is 03:05:07 in New York: a time in the browser's zone would show 03 or 04.
    occurred = datetime(2026, 12, 3, 8, 5, 7, tzinfo=UTC)
    assert timezone.now() > occurred
    reports = [
        in_thread(
            f.observation,
            author=place.referent,
            description=f"Portail forcé, photos sur {LONG_URL} .",
            occurred_at=occurred,
        ),
        *[
            in_thread(f.observation, author=place.referent, occurred_at=occurred + timedelta(minutes=n))
            for n in range(1, 4)
        ],
    ]
    first: Observation = reports[0]

    page = sign_in(browser, base, place.moderator, width=390, height=844)
    item = page.locator(f'#liste li[data-reference="{first.reference}"]')
    item.wait_for(timeout=15000)
    assert page.locator("#liste li").count() == len(reports)

    # The list alone, full width; the detail and the map out of the way; « Déconnexion » on screen.
    assert page.locator("#liste").is_visible()
    assert not page.locator("#detail").is_visible()
    assert not page.locator("#carte").is_visible()
    logout = page.get_by_role("button", name="Déconnexion")
    assert logout.is_visible()
    within_screen(page, logout)
    within_screen(page, item)
    no_sideways_scroll(page, "the list")
    screenshot(page, "console-390-list")

    # An item opens as a sheet; its times are Paris's, its channel in words; back to the list.
    item.click()
    page.wait_for_selector("body.detail-ouvert")
    back = page.get_by_role("button", name="Retour à la liste")
    assert back.is_visible()
    assert not page.locator("#liste").is_visible()
    assert page.locator("#titre-detail").inner_text().startswith(first.reference)
    within_screen(page, page.locator("#detail"))
    assert fact(page, "Constaté") == paris(occurred) == "03/12/2026 09:05:07"
    assert fact(page, "Reçu").startswith(paris(first.created_at))
    assert fact(page, "Canal") == "Application"
    page.wait_for_selector("#detail-historique li")
    at = page.evaluate(f"window.vigieConsole.items.get('o:{first.pk}').detail.history[0].at")
    assert (
        page.locator("#detail-historique li")
        .first.inner_text()
        .startswith(paris(datetime.fromisoformat(at)) + " : ")
    )
    assert LONG_URL in page.locator("#detail-texte").inner_text()
    no_sideways_scroll(page, "the detail sheet")
    assert page.get_by_role("button", name="Déconnexion").is_visible()
    screenshot(page, "console-390-detail")
    back.click()
    assert page.locator("#liste").is_visible()
    assert not page.locator("#detail").is_visible()
    assert not back.is_visible()
    assert page.evaluate("document.activeElement.dataset.reference") == first.reference

    # Escape closes the sheet too.
    item.click()
    page.wait_for_selector("body.detail-ouvert")
    page.keyboard.press("Escape")
    page.wait_for_selector("body:not(.detail-ouvert)")
    assert page.locator("#liste").is_visible()

    # The broadcast panel, then the map, on a phone.
    page.get_by_role("button", name="Diffuser une alerte").click()
    assert page.locator("#panneau-diffusion").is_visible()
    within_screen(page, page.locator("#form-diffusion button[type=submit]"))
    no_sideways_scroll(page, "the broadcast panel")
    screenshot(page, "console-390-broadcast")
    page.get_by_role("button", name="Diffuser une alerte").click()
    page.get_by_role("button", name="Afficher la carte").click()
    page.wait_for_selector("#carte path.secteur")
    within_screen(page, page.locator("#carte"))
    # Drawn while hidden, the map fits its sectors once shown: both in view, the markers on them.
    carte = page.locator("#carte").bounding_box()
    for sector in page.locator("#carte path.secteur").all():
        box = sector.bounding_box()
        assert box is not None
        assert box["width"] > 50, box  # fitted, not a speck drawn at the hidden map's zoom
        assert inside(box, carte), (box, carte)
    assert page.locator("#carte .point, #carte .marker-cluster").count() >= 1
    no_sideways_scroll(page, "the map")
    screenshot(page, "console-390-map")
    page.get_by_role("button", name="Masquer la carte").click()
    assert not page.locator("#carte").is_visible()

    # Down to 360 px wide, the narrowest phones.
    page.set_viewport_size({"width": 360, "height": 740})
    no_sideways_scroll(page, "the list at 360 px")
    item.click()
    page.wait_for_selector("body.detail-ouvert")
    no_sideways_scroll(page, "the detail sheet at 360 px")
    within_screen(page, page.get_by_role("button", name="Déconnexion"))
    page.get_by_role("button", name="Retour à la liste").click()

    # « Déconnexion » signs out: the public home, with the staff sign-in again.
    page.get_by_role("button", name="Déconnexion").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("link", name="Connexion des agents").is_visible()
    page.context.close()

    # Large screens: the three columns side by side, nothing to scroll sideways, times still Paris's.
    for width, height in ((1366, 768), (1920, 1080)):
        wide = sign_in(browser, base, place.moderator, width=width, height=height)
        wide.locator(f'#liste li[data-reference="{first.reference}"]').click()
        columns = [
            wide.locator(selector).bounding_box()
            for selector in (".colonne-liste", "#detail", ".colonne-carte")
        ]
        assert all(box is not None and box["width"] >= 300 for box in columns), columns
        assert columns[0]["x"] + columns[0]["width"] <= columns[1]["x"]
        assert columns[1]["x"] + columns[1]["width"] <= columns[2]["x"]
        assert columns[2]["x"] + columns[2]["width"] <= width
        assert len({round(box["y"]) for box in columns}) == 1
        assert not wide.get_by_role("button", name="Retour à la liste").is_visible()
        assert not wide.get_by_role("button", name="Afficher la carte").is_visible()
        assert fact(wide, "Constaté") == "03/12/2026 09:05:07"
        no_sideways_scroll(wide, f"{width}×{height}")
        screenshot(wide, f"console-{width}")
        wide.context.close()
