"""The embedded platform as a newcomer meets it: a real daphne, a real browser."""

import json
import urllib.request
from pathlib import Path

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


def test_the_favicon_is_served_where_browsers_ask_for_it(client) -> None:
    """/favicon.ico was a 404 (issue 14): it now leads to the icon that every page links."""
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/vigie/favicon.svg"
    icon = finders.find("vigie/favicon.svg")
    assert icon is not None
    assert Path(icon).read_text(encoding="utf-8").startswith("<svg")
    assert 'rel="icon" href="/static/vigie/favicon.svg"' in client.get("/").content.decode()
