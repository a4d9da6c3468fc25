"""The referents' web app (/app/): its pages, manifest, service worker and their security headers."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from backend.core.csp import HEADER

pytestmark = pytest.mark.django_db

PAGES = ["/app/", "/app/connexion/", "/app/charte/"]


def directives(response) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in response[HEADER].split(";")}


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_a_french_shell_with_the_manifest_and_the_api_client(client: Client, path: str):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert 'name="viewport"' in html
    assert '<link rel="manifest" href="/app/manifest.webmanifest">' in html
    assert "/static/neighbours/app/app.js" in html
    assert '<script src="/app/jsi18n/"' in html


def test_the_nav_links_every_screen_of_the_app(client: Client):
    html = client.get("/app/").content.decode()
    for href in ["/app/", "/app/signalements/", "/app/messages/", "/app/preferences/", "/app/protocole/"]:
        assert f'href="{href}"' in html
    assert "Se déconnecter" in html


def test_the_report_page_carries_the_minimisation_hint_the_emergency_reminder_and_the_camera(client: Client):
    html = client.get("/app/").content.decode()
    assert "pas de nom, pas d'origine, de religion ni de santé" in html
    assert "17 ou le 112" in html
    assert re.search(
        r'<input id="photos" name="photos" type="file" accept="image/\*" capture="environment" multiple>',
        html,
    )
    assert "/static/console/vendor/leaflet/leaflet.js" in html


def test_the_pages_allow_photo_previews_and_nothing_more(client: Client):
    policy = directives(client.get("/app/"))
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["script-src"] == ["'self'"]
    assert policy["connect-src"][0] == "'self'"
    # blob: previews are the app's alone
    assert "blob:" not in directives(client.get("/commerces/"))["img-src"]


def test_the_manifest_makes_the_app_installable(client: Client):
    response = client.get("/app/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Vigie"
    assert manifest["start_url"] == "/app/"
    assert manifest["scope"] == "/app/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "fr"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    sizes = {icon["sizes"]: icon for icon in manifest["icons"]}
    assert sizes["any"]["type"] == "image/svg+xml"
    assert {"192x192", "512x512"} <= set(sizes)
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200, icon["src"]


def test_the_icons_are_the_sizes_the_manifest_says():
    for size in (192, 512):
        path = finders.find(f"neighbours/app/icons/icon-{size}.png")
        assert isinstance(path, str)
        assert Image.open(path).size == (size, size)


def test_the_service_worker_is_served_as_a_script_scoped_to_the_app(client: Client):
    response = client.get("/app/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/app/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert 'importScripts("/app/sw-push.js");' in body
    listed = re.search(r"var SHELL = (\[.*\]);", body)
    assert listed is not None
    shell = json.loads(listed.group(1))
    assert {"/app/", "/app/connexion/", "/app/charte/"} <= set(shell)
    # everything the shell lists is there to be kept
    for url in shell:
        assert client.get(url).status_code == 200, url
    assert re.search(r'var CACHE = "vigie-app-[0-9a-f]{12}";', body)


def test_the_push_handlers_are_served_beside_the_worker(client: Client):
    response = client.get("/app/sw-push.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")


def test_the_script_catalogue_defines_gettext(client: Client):
    response = client.get("/app/jsi18n/")
    assert response.status_code == 200
    assert "django.interpolate" in response.content.decode()


def test_the_shell_version_changes_with_a_shared_file_it_keeps(monkeypatch, tmp_path):
    from neighbours import web

    web.shell_version.cache_clear()
    before = web.shell_version()
    changed = tmp_path / "base.css"
    changed.write_text("body { color: red; }")
    real_find = finders.find
    monkeypatch.setattr(
        web.finders,
        "find",
        lambda name, **kw: str(changed) if name == "vigie/base.css" else real_find(name, **kw),
    )
    web.shell_version.cache_clear()
    try:
        assert web.shell_version() != before
    finally:
        web.shell_version.cache_clear()
