"""The accessibility statement and the legal notices come from the settings (issue 17, item 5); every
page's footer carries the conformity mention and both links."""

import html
from typing import Any

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_statement_follows_the_settings(settings: Any) -> None:
    settings.ACCESSIBILITY_STATUS = "partial"
    settings.ACCESSIBILITY_AUDIT_DATE = "2026-10-05"
    settings.ACCESSIBILITY_NON_CONFORMITIES = [
        "La carte n'a pas d'alternative",
        "Les PDF ne sont pas balisés",
    ]
    settings.ACCESSIBILITY_CONTACT = "accessibilite@mairie.example"
    settings.ACCESSIBILITY_PLAN_URL = "https://mairie.example/schema-pluriannuel"
    page = text(Client().get("/accessibilite/"))
    assert "Vigie est partiellement conforme avec le référentiel" in page.replace("<strong>", "").replace(
        "</strong>", ""
    )
    assert "Dernier audit : 5 octobre 2026." in page
    assert "<li>Les PDF ne sont pas balisés</li>" in page
    assert 'href="mailto:accessibilite@mairie.example"' in page
    assert 'href="https://mairie.example/schema-pluriannuel"' in page
    assert "Défenseur des droits" in page
    assert "Accessibilité : partiellement conforme" in page  # the footer


def test_statement_defaults_are_honest_without_an_audit(settings: Any) -> None:
    factories.commune()
    page = text(Client().get("/accessibilite/"))
    assert "<strong>non conforme</strong>" in page
    assert "Aucun audit de conformité n'a encore été réalisé." in page
    assert "Aucun audit complet RGAA 4.1" in page  # the non-conformities Vigie knows of
    assert "à l'accueil de la mairie" in page
    settings.ACCESSIBILITY_STATUS = "full"
    assert "<strong>totalement conforme</strong>" in text(Client().get("/accessibilite/"))


def test_legal_notice_names_the_commune_director_and_host(settings: Any) -> None:
    commune = factories.commune()
    page = text(Client().get("/mentions-legales/"))
    assert f"Commune de {commune.name}" in page
    assert "Le maire" in page
    settings.LEGAL_PUBLISHER = "Mairie de Septèmes"
    settings.LEGAL_PUBLISHER_ADDRESS = "Place de la Mairie"
    settings.LEGAL_PUBLICATION_DIRECTOR = "Mme la maire"
    settings.LEGAL_HOST = "Hébergeur SAS"
    settings.LEGAL_HOST_ADDRESS = "1 rue du Serveur, 75000 Paris"
    page = text(Client().get("/mentions-legales/"))
    for expected in (
        "Mairie de Septèmes",
        "Place de la Mairie",
        "Mme la maire",
        "Hébergeur SAS",
        "75000 Paris",
    ):
        assert expected in page


@pytest.mark.parametrize("path", ["/", "/connexion/", "/commerces/", "/app/connexion/", "/mentions-legales/"])
def test_every_page_footer_links_the_statement_with_its_status(path: str) -> None:
    page = text(Client().get(path))
    assert '<a href="/accessibilite/">Accessibilité : non conforme</a>' in page
    assert '<a href="/mentions-legales/">Mentions légales</a>' in page
