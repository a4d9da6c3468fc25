"""« Images demandées » in the console (issue 16 §2), in headless Chromium against a real daphne: an operator
requests footage for an observation dispatched to their agency; their console's detail pane of that
observation says so (a count from console-video.js, never the request itself)."""

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from alerts import services
from alerts.video import services as video_services
from alerts.video.models import Camera
from tests.alerts import factories as f
from tests.alerts.console.helpers import town
from tests.helpers import signed_in
from tests.live import screenshot

pytestmark = pytest.mark.browser


def test_the_console_shows_that_footage_was_requested(
    transactional_db: Any, daphne_server: Any, request: pytest.FixtureRequest
) -> None:
    place = town()
    observation = f.observation(place.referent, description="Deux individus forcent un portail.")
    services.observation_approve(observation=observation, actor=place.moderator, agencies=[place.pm.pk])
    camera = Camera.objects.create(
        commune=place.commune, name="Parvis", films="parvis de la mairie", latitude=43.415, longitude=5.31
    )
    end = timezone.now() - timedelta(minutes=5)
    video_services.footage_request_create(
        actor=place.pm_operator, agency_id=place.pm.pk, officer_name="Brigadier Dupont", officer_is_opj=False,
        kind="administrative", camera_ids=[camera.pk], start=end - timedelta(hours=1), end=end,
        observation_id=observation.pk,
    )  # fmt: skip
    session = signed_in(place.pm_operator).cookies[settings.SESSION_COOKIE_NAME].value

    browser = request.getfixturevalue("browser")  # after the writes: their publish needs no browser loop
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": daphne_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{daphne_server.url}/console/")
        page.wait_for_selector("#connexion[data-state=open]", timeout=15000)
        page.locator(f'#liste li[data-reference="{observation.reference}"]').click()
        badge = page.locator("#detail-images-demandees")
        badge.wait_for(timeout=15000)
        assert badge.inner_text() == "Images demandées (1 demande)"
        assert page.locator("#detail-images-demandees").count() == 1
        assert "Dupont" not in page.locator("#detail").inner_text()
        screenshot(page, "video-console-badge")
    finally:
        context.close()
