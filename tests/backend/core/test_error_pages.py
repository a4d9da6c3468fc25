"""Error pages outside the API are French pages whose title names them (issue 14: a title per page),
not Django's English defaults. Under /api/ errors keep the JSON shape (test_api_conventions.py)."""

import html
import re

import pytest
from django.test import Client, RequestFactory

from backend.accounts.models import Role
from backend.core.exceptions import handler500
from tests import factories
from tests.helpers import staff_login

pytestmark = pytest.mark.django_db


def title(content: bytes) -> str:
    found = re.search(r"<title>(.*?)</title>", content.decode(), re.S)
    assert found, "no <title>"
    return html.unescape(found.group(1)).strip()


def test_not_found(client, settings):
    settings.DEBUG = False  # with DEBUG on, Django shows its technical page instead
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert title(response.content) == "Page introuvable — Vigie"
    assert "Cette page n'existe pas (ou plus)." in html.unescape(response.content.decode())


def test_server_error():
    response = handler500(RequestFactory().get("/console/"))
    assert response.status_code == 500
    assert title(response.content) == "Erreur du serveur — Vigie"
    assert 'lang="fr"' in response.content.decode()


def test_an_expired_form():
    response = Client(enforce_csrf_checks=True).post("/connexion/", {"phone": "0612345678"})
    assert response.status_code == 403
    assert title(response.content) == "Formulaire expiré — Vigie"


def test_forbidden(client, commune):
    moderator, device = factories.staff(role=Role.MODERATOR, commune=commune)
    staff_login(client, moderator, device)
    response = client.get("/admin/accounts/phonecode/")  # the platform's, not a commune's
    assert response.status_code == 403
    assert title(response.content) == "Accès refusé — Vigie"


def test_bad_request(client, settings):
    settings.DEBUG = False
    response = client.get("/", HTTP_HOST="ailleurs.example.com")  # not in ALLOWED_HOSTS
    assert response.status_code == 400
    assert title(response.content) == "Requête incorrecte — Vigie"
