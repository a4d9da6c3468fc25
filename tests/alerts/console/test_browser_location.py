"""The address and the map links on a dispatch (issue 14's acceptance), in headless Chromium against a
real daphne: an approved observation with coordinates shows, on the operator's console, its nearest
address, the redacted place, the coordinates with their uncertainty and a working « Copier », and the
links « Ouvrir dans une carte » (geo:) and « Carte web »; never the original place. Screenshot in
test-artifacts/."""

from typing import Any

import pytest
from django.conf import settings

from alerts import services
from alerts.console.models import ConsoleConnection
from backend.territory.models import Address
from tests.alerts import factories as f
from tests.alerts.console.helpers import town
from tests.helpers import signed_in
from tests.live import CHROMIUM, screenshot, until

pytestmark = pytest.mark.browser


def test_the_operator_sees_the_address_and_map_links_of_a_dispatch(
    transactional_db: Any, daphne_server: Any, request: pytest.FixtureRequest
) -> None:
    assert CHROMIUM
    place = town()
    # ~14 m and ~110 m from the observation's point (43.415 N, 5.31 E).
    for number, street, latitude in (
        (12, "Chemin de la Gavotte", 43.4151),
        (3, "Route de Gisclette", 43.4160),
    ):
        Address.objects.create(
            commune=place.commune,
            ban_id=f"13071_{number:05d}",
            number=number,
            street=street,
            postcode="13170",
            commune_name="Les Pennes-Mirabeau",
            latitude=latitude,
            longitude=5.3101 if number == 12 else 5.31,
        )
    observation = f.observation(
        place.referent, accuracy=25, place="Devant la maison de Camille Martin, au fond de l'impasse"
    )
    services.observation_approve(
        observation=observation,
        actor=place.moderator,
        agencies=[place.pm.pk],
        redacted_place="Au fond de l'impasse",
    )
    # Signed in with the second factor: the session cookie that /connexion/ would have set.
    session = signed_in(place.pm_operator).cookies[settings.SESSION_COOKIE_NAME].value

    browser = request.getfixturevalue("browser")  # after the writes: their publish needs no browser loop
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": daphne_server.url}])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=daphne_server.url)
    page = context.new_page()
    page.goto(f"{daphne_server.url}/console/")
    page.wait_for_selector("#connexion[data-state=open]", timeout=15000)
    page.locator(f'#liste li[data-reference="{observation.reference}"]').click()
    page.wait_for_selector("#detail-lieu")

    assert page.locator("#detail-adresse").inner_text() == (
        "12 Chemin de la Gavotte, 13170 Les Pennes-Mirabeau (à 14 m)"
    )
    assert page.locator("#detail-lieu-texte").inner_text() == "Lieu : Au fond de l'impasse"
    assert "Camille" not in page.locator("#detail").inner_text()
    assert page.locator("#detail-coordonnees .coordonnees").inner_text() == "43.415000, 5.310000"
    assert page.locator("#detail-precision").inner_text().strip() == "± 25 m"
    geo = page.get_by_role("link", name="Ouvrir dans une carte")
    assert geo.get_attribute("href") == "geo:43.415000,5.310000"
    web = page.get_by_role("link", name="Carte web")
    assert web.get_attribute("href") == (
        "https://www.openstreetmap.org/?mlat=43.415000&mlon=5.310000#map=18/43.415000/5.310000"
    )
    assert web.get_attribute("target") == "_blank"
    page.get_by_role("button", name="Copier").click()
    page.wait_for_function(
        "() => document.querySelector('#detail-coordonnees .copie').textContent.length > 0"
    )
    assert page.locator("#detail-coordonnees .copie").inner_text() == "Coordonnées copiées."
    assert page.evaluate("navigator.clipboard.readText()") == "43.415000, 5.310000"
    screenshot(page, "console-dispatch-location")
    context.close()
    # A closing socket writes its read log and presence: done before the test's data is flushed.
    until(lambda: not ConsoleConnection.objects.exists(), what="the console's socket to close")
