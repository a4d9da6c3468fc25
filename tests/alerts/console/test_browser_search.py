"""The console's search in headless Chromium against a real daphne (issue 14's acceptance): search by
reference and by text, the filters kept in the URL (a reload restores them), escalated and overdue
dispatches shown as such, and the incident sheet's link returning a PDF without the reporter's name."""

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from alerts import services
from alerts.models import Dispatch, Observation
from backend.accounts.models import User
from tests.alerts import factories as f
from tests.alerts.console.helpers import Town, town
from tests.alerts.console.test_browser import in_thread, item, open_console, staff_login_ready
from tests.live import CHROMIUM, screenshot, start_daphne

pytestmark = pytest.mark.browser

REPORTER = "Camille Témoin"


def approved(place: Town, description: str, redacted: str) -> Observation:
    observation = f.observation(place.referent, description=description, in_progress=False, category="vol")
    services.observation_approve(
        observation=observation, actor=place.moderator, redacted_description=redacted, agencies=[place.pm.pk]
    )
    return observation


def shown(page: Any) -> list[str]:
    return [str(node.get_attribute("data-reference")) for node in page.locator("#liste li").all()]


def wait_list(page: Any, references: list[str]) -> None:
    """Until the list shows exactly these items (the server's search answers asynchronously)."""
    expected = sorted(references)
    page.wait_for_function(
        "(expected) => JSON.stringify([...document.querySelectorAll('#liste li')]"
        ".map(li => li.dataset.reference).sort()) === JSON.stringify(expected)",
        arg=expected,
        timeout=15000,
    )
    assert sorted(shown(page)) == expected


def test_search_by_reference_and_text_kept_in_the_url_and_the_sheet_as_pdf(
    transactional_db: Any, browser: Any, live_tmp: Any
) -> None:
    assert CHROMIUM
    # A heartbeat every second: the escalation below is written by this process, whose layer daphne does
    # not share; the page gets it from the replay the heartbeat asks for.
    server = start_daphne(live_tmp, {"CONSOLE_HEARTBEAT_SECONDS": "1"})
    try:
        search_flow(browser, server.url)
    finally:
        server.stop()


def search_flow(browser: Any, base: str) -> None:
    place: Town = town()
    User.objects.filter(pk=place.referent.pk).update(display_name=REPORTER)
    device = staff_login_ready(place.pm_operator)

    def fixtures() -> tuple[Observation, Observation, Observation, Observation, list[Observation]]:
        scooter = approved(
            place,
            f"{REPORTER} a vu son scooter volé devant le gymnase.",
            "Un scooter volé devant le gymnase.",
        )
        tag = approved(place, "Tag sur le mur de la médiathèque.", "Tag sur le mur de la médiathèque.")
        bike = approved(place, "Vélo volé, scooter renversé, rue des Lilas.", "Vélo volé rue des Lilas.")
        late = approved(place, "Porte de garage forcée.", "Porte de garage forcée.")
        for observation in (scooter, tag, bike):
            services.dispatch_acknowledge(dispatch=observation.dispatches.get(), actor=place.pm_operator)
        # One more than a page of results (25).
        dumps = [approved(place, f"Dépôt sauvage n° {n}.", f"Dépôt sauvage n° {n}.") for n in range(26)]
        return scooter, tag, bike, late, dumps

    def escalate() -> None:
        # `late` was not acknowledged in time: the periodic job escalates it (its event carries the flag).
        Dispatch.objects.filter(observation=late).update(ack_deadline=timezone.now() - timedelta(minutes=5))
        assert services.dispatches_escalate() == 1

    scooter, tag, bike, late, dumps = in_thread(fixtures)
    everything = [scooter.reference, tag.reference, bike.reference, late.reference]
    everything += [dump.reference for dump in dumps]
    page = open_console(browser, base, place.pm_operator, device)
    wait_list(page, everything)

    # Escalated and overdue dispatches say so, in the list and in the detail, as soon as it happens.
    in_thread(escalate)
    item(page, late.reference).locator(".badge.relance").wait_for(timeout=15000)
    assert item(page, late.reference).locator(".badge.relance").inner_text() == "relancé"
    assert item(page, late.reference).locator(".badge.retard").inner_text() == "en retard"
    assert item(page, tag.reference).locator(".badge.relance, .badge.retard").count() == 0
    item(page, late.reference).click()
    page.get_by_text("Relancé le").wait_for(timeout=15000)
    assert "en retard" in page.locator("#detail dl").inner_text()

    # By reference: « / » goes to the search box; the reference typed in lower case (PMB-2026-000004: no
    # other reference starts with it).
    page.locator("#liste").focus()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "filtre-q"
    page.keyboard.type(late.reference.lower())
    wait_list(page, [late.reference])
    assert re.search(r"[?&]q=" + re.escape(late.reference.lower()), page.url)
    assert page.locator("#resultats").inner_text() == "1 résultat"

    # More results than a page: « Plus de résultats » brings the next one.
    page.locator("#filtre-q").fill("Dépôt")
    page.wait_for_function("() => document.querySelectorAll('#liste li').length === 25", timeout=15000)
    assert page.locator("#resultats").inner_text() == "26 résultats"
    page.get_by_role("button", name="Plus de résultats").click()
    wait_list(page, [dump.reference for dump in dumps])
    assert page.locator("#plus-de-resultats").is_hidden()

    # By text: the police search the redacted text they read (« scooter » is only in the bike's original).
    page.locator("#filtre-q").fill("scooter")
    wait_list(page, [scooter.reference])
    page.locator("#filtre-canal").select_option("app")
    page.locator("#filtre-urgents").check()  # « vol » is not urgent: nothing
    wait_list(page, [])
    assert page.locator("#liste-vide").is_visible()
    page.locator("#filtre-urgents").uncheck()
    wait_list(page, [scooter.reference])
    assert "q=scooter" in page.url
    assert "channel=app" in page.url
    assert "urgent" not in page.url
    screenshot(page, "console-search-text")

    # The URL is the view: a reload restores the filters and the results.
    page.reload()
    page.wait_for_selector("#connexion[data-state=open]", timeout=15000)
    wait_list(page, [scooter.reference])
    assert page.locator("#filtre-q").input_value() == "scooter"
    assert page.locator("#filtre-canal").input_value() == "app"

    # The incident sheet, from the dispatch's detail: a PDF, the reference and the redacted text, no reporter.
    item(page, scooter.reference).click()
    link = page.locator("#lien-fiche-pdf")
    link.wait_for(timeout=15000)
    dispatch = Dispatch.objects.get(observation=scooter)
    assert link.get_attribute("href") == f"/console/fiche/{dispatch.pk}.pdf"
    assert page.locator("#lien-fiche").inner_text() == "Fiche d'intervention"
    response = page.request.get(base + str(link.get_attribute("href")))
    assert response.status == 200
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    text = " ".join(
        " ".join(page_.extract_text() or "" for page_ in PdfReader(io.BytesIO(pdf)).pages).split()
    )
    assert scooter.reference in text
    assert "Un scooter volé devant le gymnase." in text
    assert "Camille" not in text
    assert "Témoin" not in text
    assert str(place.referent.phone) not in text

    # Clearing the search brings the live list back, and the URL with it.
    page.locator("#filtre-q").fill("")
    page.locator("#filtre-canal").select_option("")
    wait_list(page, everything)
    assert page.url.rstrip("/").endswith("/console")
