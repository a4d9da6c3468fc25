"""Where staff land after signing in at /connexion/ (issue 14): their console, or the staff home for
commune admins and superusers; a safe `next` wins, an unsafe one is ignored. The public home shows
signed-in staff the way to their console; every page's title names it."""

import html
import re

import pytest

from backend.accounts.models import Role
from tests import factories
from tests.helpers import LOGIN, post_login, staff_login, totp_now

pytestmark = pytest.mark.django_db


def title(response) -> str:
    found = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert found, "the page has no <title>"
    return html.unescape(found.group(1)).strip()


def superuser():
    user, device = factories.staff(role=Role.ADMIN)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user, device


@pytest.mark.parametrize(
    ("role", "landing"),
    [(Role.MODERATOR, "/console/"), (Role.OPERATOR, "/console/"), (Role.ADMIN, "/agents/")],
)
def test_staff_land_on_their_console_and_admins_on_the_staff_home(client, commune, role, landing):
    user, device = factories.staff(role=role, commune=commune)
    response = post_login(client, user, code=totp_now(device))
    assert response.status_code == 302
    assert response["Location"] == landing
    assert client.get(landing).status_code == 200


def test_a_superuser_lands_on_the_staff_home(client):
    user, device = superuser()
    response = post_login(client, user, code=totp_now(device))
    assert response["Location"] == "/agents/"
    assert client.get("/agents/").status_code == 200


def test_a_safe_next_is_honoured(client, commune):
    user, device = factories.staff(role=Role.ADMIN, commune=commune)
    response = post_login(client, user, code=totp_now(device), next="/console/?filtre=urgent")
    assert response["Location"] == "/console/?filtre=urgent"


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example.com/", "//evil.example.com/console/", "javascript:alert(1)"]
)
def test_an_unsafe_next_is_ignored_for_the_landing(client, commune, unsafe):
    user, device = factories.staff(role=Role.OPERATOR, commune=commune)
    page = client.get(LOGIN, {"next": unsafe})
    assert unsafe not in html.unescape(page.content.decode())  # not carried into the form either
    response = post_login(client, user, code=totp_now(device), next=unsafe)
    assert response["Location"] == "/console/"


def test_the_staff_home_links_the_console_the_admin_and_the_communes_tools(client, commune):
    user, device = factories.staff(role=Role.ADMIN, commune=commune)
    staff_login(client, user, device)
    page = client.get("/agents/")
    assert title(page) == "Accueil des agents — Vigie"
    text = page.content.decode()
    for href in (
        "/console/",
        "/admin/",
        "/admin/alerts/agency/",
        "/admin/alerts/agencytoken/",
        "/admin/broadcasts/broadcasttemplate/",
        "/admin/alerts/observationread/",
        "/admin/audit/auditevent/",
        "/admin/commerces/shop/import/",
    ):
        assert f'href="{href}"' in text
        assert client.get(href).status_code == 200, href  # every link opens for a commune admin


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.OPERATOR])
def test_the_staff_home_is_for_admins_only(client, commune, role):
    user, device = factories.staff(role=role, commune=commune)
    staff_login(client, user, device)
    assert client.get("/agents/").status_code == 403


def test_the_public_home_links_signed_in_staff_to_their_console(client, commune):
    anonymous = client.get("/")
    assert title(anonymous) == "Accueil — Vigie"
    assert 'href="/console/"' not in anonymous.content.decode()
    assert 'href="/connexion/"' in anonymous.content.decode()
    user, device = factories.staff(role=Role.OPERATOR, commune=commune)
    staff_login(client, user, device)
    signed_in = client.get("/").content.decode()
    assert 'href="/console/"' in signed_in
    assert "Ouvrir la console" in signed_in
    assert 'href="/agents/"' not in signed_in  # an operator has no staff home


def test_a_referent_signed_in_gets_no_console_link(client, commune):
    referent = factories.user(role=Role.REFERENT, commune=commune)
    client.force_login(referent)
    assert 'href="/console/"' not in client.get("/").content.decode()


def test_every_staff_page_title_names_it(client, commune):
    assert title(client.get(LOGIN)) == "Connexion — Vigie"
    user, device = factories.staff(role=Role.MODERATOR, commune=commune)
    staff_login(client, user, device)
    assert title(client.get("/console/")) == "Console — Vigie"
