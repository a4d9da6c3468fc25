"""The referents' web app's follow-up screens (issue 18): « Mes signalements », « Messages »,
« Préférences », « Protocole », sign-out; the service worker keeps them for offline use and shows pushes."""

import re

import pytest
from django.test import Client

from tests.neighbours import factories as nf

pytestmark = pytest.mark.django_db

SCREENS = {
    "/app/signalements/": ("Mes signalements", ["inbox-copy.js", "reports-mine.js"]),
    "/app/messages/": ("Messages", ["inbox-copy.js", "messages.js"]),
    "/app/preferences/": ("Préférences", ["push.js", "preferences.js"]),
    "/app/protocole/": ("Protocole", ["protocol.js"]),
    "/app/deconnexion/": ("Se déconnecter", ["inbox-copy.js", "push.js", "signout.js"]),
}


@pytest.mark.parametrize("path", SCREENS)
def test_each_screen_is_a_french_shell_of_the_app_with_its_scripts_in_order(
    client: Client, path: str
) -> None:
    title, scripts = SCREENS[path]
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert f"<h1>{title}</h1>" in html
    app_client = html.index("/static/neighbours/app/app.js")
    positions = [html.index(f"/static/neighbours/app/{script}") for script in scripts]
    # app.js (vigieApp) first, then the screen's helpers before the screen's own script.
    assert [app_client, *positions] == sorted([app_client, *positions])


def test_the_screens_hold_no_personal_data_whoever_asks(client: Client, commune) -> None:
    """Shells: what a referent sees comes from the API with their token, never from the page itself."""
    referent = nf.referent(nf.ready_commune(commune), display_name="Rachid Référent")
    client.force_login(referent.user)
    for path in SCREENS:
        html = client.get(path).content.decode()
        assert "Rachid" not in html
        assert str(referent.user.phone) not in html


def test_the_protocol_screen_gives_the_emergency_numbers_without_network(client: Client) -> None:
    html = client.get("/app/protocole/").content.decode()
    assert 'href="tel:17"' in html
    assert 'href="tel:112"' in html


def test_the_preferences_screen_has_the_push_buttons(client: Client) -> None:
    html = client.get("/app/preferences/").content.decode()
    assert "Recevoir les alertes sur ce téléphone" in html
    assert "Ne plus recevoir" in html
    assert 'type="time"' in html


def test_the_service_worker_keeps_the_follow_up_screens_for_offline_use(client: Client) -> None:
    worker = client.get("/app/sw.js").content.decode()
    shell = re.search(r"var SHELL = (\[.*?\]);", worker, re.S)
    assert shell is not None
    for path in SCREENS:  # signing out offline too: the phone forgets the tokens and the copies
        assert f'"{path}"' in shell.group(1), path
    for script in [
        "inbox-copy.js",
        "messages.js",
        "reports-mine.js",
        "push.js",
        "preferences.js",
        "protocol.js",
        "signout.js",
    ]:
        assert f"/static/neighbours/app/{script}" in shell.group(1), script


def test_the_push_handlers_show_the_notification_and_open_the_messages(client: Client) -> None:
    response = client.get("/app/sw-push.js")
    assert response.status_code == 200
    script = response.content.decode()
    assert 'addEventListener("push"' in script
    assert 'requireInteraction: payload.priority === "high"' in script
    assert 'addEventListener("notificationclick"' in script
    assert '"/app/messages/"' in script
