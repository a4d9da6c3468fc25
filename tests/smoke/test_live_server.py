"""The embedded platform as a newcomer meets it: a real daphne, a real browser."""

import json
import urllib.request

import pytest

from tests.live import screenshot


@pytest.mark.browser
def test_home_and_healthz_on_a_real_daphne(transactional_db, daphne_server, page):
    with urllib.request.urlopen(f"{daphne_server.url}/healthz", timeout=5) as response:  # noqa: S310
        assert response.status == 200
        assert json.load(response)["checks"] == {"database": "ok", "channel_layer": "ok"}
    page.goto(f"{daphne_server.url}/connexion/")
    assert page.get_by_label("Téléphone").is_visible()
    assert "17" in page.locator("footer").inner_text()
    screenshot(page, "staff-login")
