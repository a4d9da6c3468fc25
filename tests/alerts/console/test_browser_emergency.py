"""The emergency cell in headless Chromium against a real daphne: a moderator activates it from the
console's panel (requester, sector), a roster member confirms from theirs and reads the log there, an
observation goes to the police without moderation; once closed, the report's page lists it (police view:
never the reporter), shows zero serious or critical axe-core violations, and its PDF says the same."""

import io
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from pypdf import PdfReader

from alerts import services
from alerts.models import EmergencyActivation, EmergencyCallout, Observation
from backend.accounts.models import User
from tests.alerts import factories as f
from tests.alerts.console.helpers import Town, town
from tests.alerts.console.test_browser import in_thread, open_console, staff_login_ready, tab_to, wait_event
from tests.live import CHROMIUM, screenshot

pytestmark = pytest.mark.browser

REPORTER = "Camille Témoin"


def axe_clean(page: Any) -> None:
    result = Axe().run(page)
    bad = [v["id"] for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, bad


def test_activate_confirm_and_read_the_report(
    transactional_db: Any, daphne_server: Any, browser: Any
) -> None:
    assert CHROMIUM
    base = daphne_server.url
    place: Town = town()
    User.objects.filter(pk=place.referent.pk).update(display_name=REPORTER)
    services.roster_set(
        commune=place.commune, actor=place.moderator, seats=[(place.pm_operator, place.pn_operator)]
    )
    moderator = open_console(browser, base, place.moderator, staff_login_ready(place.moderator))
    member = open_console(browser, base, place.pm_operator, staff_login_ready(place.pm_operator))

    # The moderator opens the cell for the north sector at the mayor's request.
    moderator.bring_to_front()
    moderator.keyboard.press("u")
    moderator.keyboard.press("Space")  # the first category: cambriolage
    moderator.locator("#urgence-secteurs").get_by_label("Nord").check()
    moderator.get_by_label("Demandée par").select_option("mayor")
    moderator.get_by_label("Nom du demandeur").fill("Monique Slissa")
    moderator.locator("#urgence-motif").fill("Série de cambriolages au nord.")
    tab_to(moderator, "#urgence-activer")
    moderator.keyboard.press("Enter")
    changed = wait_event(member, "emergency_mode.changed", "e.data.active === true")
    assert changed["data"]["sectors"] == ["nord"]
    activation = EmergencyActivation.objects.get(closed_at=None)
    assert (activation.requested_by_quality, activation.requested_by_name) == ("mayor", "Monique Slissa")

    # The member sees the panel, confirms, and reads the log there.
    member.bring_to_front()
    member.get_by_role("button", name="Cellule d'urgence").click()
    member.get_by_role("button", name="Je confirme ma présence").click()
    member.locator("#urgence-confirmer[hidden]").wait_for(state="attached", timeout=15000)
    assert EmergencyCallout.objects.get(person=place.pm_operator).confirmed_at is not None
    member.get_by_role("button", name="Cellule d'urgence").click()  # closes
    member.get_by_role("button", name="Cellule d'urgence").click()  # opens again: the log is fetched
    member.locator("#urgence-journal li", has_text="a confirmé sa présence").wait_for(timeout=15000)
    assert member.locator("#form-urgence").is_hidden()  # the roster reads; moderators decide
    screenshot(member, "console-emergency-panel")

    fast: Observation = in_thread(
        lambda: f.observation(place.referent, description=f"{REPORTER} voit forcer la porte du 3.")
    )
    assert fast.auto_approved == "emergency"
    in_thread(
        lambda: services.emergency_close(
            activation=EmergencyActivation.objects.get(pk=activation.pk),
            actor=place.moderator,
            reason="Levée.",
        )
    )

    # The report's page, then its PDF.
    member.goto(f"{base}/console/urgence/{activation.pk}/")
    rows = member.locator("#signalements-sans-moderation tbody tr")
    assert rows.count() == 1
    assert fast.reference in rows.first.inner_text()
    assert REPORTER not in member.content()
    assert "Monique Slissa" in member.content()
    axe_clean(member)
    screenshot(member, "emergency-report")
    pdf = member.request.get(f"{base}/console/urgence/{activation.pk}/rapport.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.body())).pages)
    assert fast.reference in text
    assert REPORTER not in text
    member.goto(f"{base}/console/urgence/")
    axe_clean(member)
    assert member.locator("tbody tr").count() == 1
    assert "levée" in member.locator("tbody tr").inner_text()
