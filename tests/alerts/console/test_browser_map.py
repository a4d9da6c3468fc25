"""The console's Leaflet map in headless Chromium against a real daphne, without any tile server (issue 14:
"a marker opening its item").

With CONSOLE_TILE_URL empty the map is the sectors' outlines alone; with a tile URL on a closed local port
the page works the same, the outlines drawn over tiles that never load. Observations with coordinates are
markers titled with their reference and category; a click opens the item in the detail panel; an
observation approved through the API appears as a marker without a reload; close ones are clustered.
"""

import json
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from alerts.console.models import ConsoleConnection
from alerts.models import Dispatch, Observation
from backend.accounts.models import User
from tests.alerts.console.helpers import Town, token_for, town
from tests.alerts.console.test_browser import item, open_console, staff_login_ready
from tests.live import Daphne, free_port, screenshot, start_daphne, until

pytestmark = pytest.mark.browser

NORTH = (43.415, 5.31)
# Three observations a few metres apart in the south sector: one cluster at any zoom the map allows.
SOUTH_CLOSE = [(43.4050, 5.3150), (43.40503, 5.31504), (43.40497, 5.31497)]


def post(base: str, user: User, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310  (local daphne)
        f"{base}{path}",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token_for(user)}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status in (200, 201)
        return dict(json.load(response))


def submit(base: str, place: Town, point: tuple[float, float], **fields: Any) -> Observation:
    created = post(
        base,
        place.referent,
        "/api/v1/observations/",
        {
            "category": "suspect",
            "description": "Un individu regarde dans les voitures.",
            "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
            "latitude": point[0],
            "longitude": point[1],
            "in_progress": False,
            **fields,
        },
    )
    return Observation.objects.get(pk=created["id"])


def approved(base: str, place: Town, point: tuple[float, float], **fields: Any) -> Dispatch:
    """Submitted and approved through the API (daphne publishes the events): the police municipale's."""
    observation = submit(base, place, point, **fields)
    post(base, place.moderator, f"/api/v1/moderation/{observation.pk}/approve/", {"agencies": [place.pm.pk]})
    return Dispatch.objects.get(observation=observation, agency=place.pm)


def marker(page: Any, key: str) -> Any:
    return page.locator(f'#carte .point[data-key="{key}"]')


def sectors_drawn(page: Any) -> None:
    page.wait_for_selector("#carte path.secteur")
    assert page.locator("#carte path.secteur").count() == 2
    assert sorted(page.locator("#carte .secteur-nom").all_inner_texts()) == ["Nord", "Sud"]


def close_all(*pages: Any) -> None:
    for page in pages:
        page.context.close()
    # A closing socket writes its read log and presence: done before the test's data is flushed.
    until(lambda: not ConsoleConnection.objects.exists(), what="the consoles' sockets to close")


@pytest.fixture
def server(live_tmp: Any) -> Any:
    started = start_daphne(live_tmp, {"CONSOLE_TILE_URL": "", "CONSOLE_TILE_ATTRIBUTION": ""})
    yield started
    started.stop()


def test_markers_open_their_item_arrive_live_and_cluster_without_tiles(
    transactional_db: Any, server: Daphne, browser: Any
) -> None:
    place = town()
    first = approved(server.url, place, NORTH, category="cambriolage", in_progress=True)
    operator = open_console(browser, server.url, place.pm_operator, staff_login_ready(place.pm_operator))

    # The offline fallback: the sectors' outlines and names, no base layer at all.
    sectors_drawn(operator)
    assert operator.get_by_role("region", name="Carte des secteurs et des signalements").is_visible()
    assert operator.locator("#carte .leaflet-tile").count() == 0
    assert operator.locator("#carte .leaflet-control-attribution").count() == 0

    # The observation is a marker, styled as in progress, titled with its reference and category.
    key = f"d:{first.pk}"
    marker(operator, key).wait_for(timeout=15000)
    title = marker(operator, key).get_attribute("title") or ""
    reference = first.observation.reference
    assert title.startswith(f"{reference}, cambriolage ou tentative, faits en cours")
    assert "en-cours" in (marker(operator, key).get_attribute("class") or "")
    assert operator.locator("#carte .point").count() == 1

    # A click on the marker opens its item, as a click in the list does.
    marker(operator, key).click()
    operator.wait_for_function(
        f"() => document.getElementById('titre-detail').textContent.startsWith({json.dumps(reference)})"
    )
    assert item(operator, reference).get_attribute("aria-selected") == "true"
    assert "choisi" in (marker(operator, key).get_attribute("class") or "")
    screenshot(operator, "console-map-marker-opened")

    # Approved while the page is open: a marker without a reload.
    live = approved(server.url, place, (43.418, 5.303))
    marker(operator, f"d:{live.pk}").wait_for(timeout=15000)
    assert operator.evaluate("window.__loadedOnce") is True
    assert "urgent" not in (marker(operator, f"d:{live.pk}").get_attribute("class") or "")

    # Close observations: one cluster saying how many, not three markers on top of each other.
    close = [approved(server.url, place, point) for point in SOUTH_CLOSE]
    cluster = operator.locator("#carte .marker-cluster")
    cluster.wait_for(timeout=15000)
    operator.wait_for_function(
        "() => document.querySelector('#carte .marker-cluster').textContent.trim() === '3'"
    )
    assert cluster.get_attribute("title") == "3 signalements ici : agrandir"
    for dispatch in close:
        assert marker(operator, f"d:{dispatch.pk}").count() == 0
    screenshot(operator, "console-map-cluster")
    # Opened (from the keyboard), the cluster shows each marker; each opens its own item.
    cluster.focus()
    operator.keyboard.press("Enter")
    for dispatch in close:
        marker(operator, f"d:{dispatch.pk}").wait_for(timeout=15000)
    marker(operator, f"d:{close[1].pk}").click()
    operator.wait_for_function(
        "() => document.getElementById('titre-detail').textContent.startsWith("
        f"{json.dumps(close[1].observation.reference)})"
    )

    # Filtered out of the list, gone from the map too.
    operator.select_option("#filtre-secteur", label="Nord")
    operator.wait_for_function("() => document.querySelectorAll('#carte .marker-cluster').length === 0")
    assert marker(operator, key).count() == 1
    assert "filtre" in (operator.locator("#carte path.secteur.filtre").get_attribute("class") or "")
    close_all(operator)


def test_with_an_unreachable_tile_server_the_outlines_and_markers_still_work(
    transactional_db: Any, browser: Any, live_tmp: Any
) -> None:
    closed = free_port()  # nothing listens there
    tiles = f"http://127.0.0.1:{closed}/{{z}}/{{x}}/{{y}}.png"
    server = start_daphne(
        live_tmp,
        {"CONSOLE_TILE_URL": tiles, "CONSOLE_TILE_ATTRIBUTION": "© contributeurs OpenStreetMap <OSM>"},
    )
    try:
        place = town()
        pending = submit(server.url, place, NORTH)
        moderator = open_console(browser, server.url, place.moderator, staff_login_ready(place.moderator))
        sectors_drawn(moderator)
        # The base layer is asked for (allowed by the CSP: the test fails on a violation), and never loads.
        moderator.wait_for_selector("#carte .leaflet-tile", state="attached")
        sources = moderator.locator("#carte .leaflet-tile").evaluate_all("tiles => tiles.map(t => t.src)")
        assert sources
        assert all(src.startswith(f"http://127.0.0.1:{closed}/") for src in sources)
        policies = moderator.locator("#carte .leaflet-tile").evaluate_all(
            "tiles => tiles.map(t => t.referrerPolicy)"
        )
        assert set(policies) == {"strict-origin-when-cross-origin"}  # a Referer for OpenStreetMap's policy
        # The attribution is shown as text, never read as HTML.
        attribution = moderator.locator("#carte .leaflet-control-attribution")
        assert attribution.inner_text() == "© contributeurs OpenStreetMap <OSM>"
        # Markers are buttons for the keyboard too: Enter opens the item.
        key = f"o:{pending.pk}"
        assert marker(moderator, key).get_attribute("role") == "button"
        marker(moderator, key).focus()
        moderator.keyboard.press("Enter")
        moderator.wait_for_function(
            f"() => document.getElementById('titre-detail').textContent.startsWith({json.dumps(pending.reference)})"
        )
        assert moderator.locator("#connexion").get_attribute("data-state") == "open"
        screenshot(moderator, "console-map-tiles-unreachable")
        close_all(moderator)
    finally:
        server.stop()
