"""The coordinators' API for shops: list/create, enrol, CSV import, applications, SMS quarantine."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alerts.models import Observation
from backend.accounts.models import Role
from commerces.models import InboundMessage, Shop, ShopApplication, Shopkeeper, Trade
from tests import factories as kernel_factories
from tests.commerces import factories
from tests.commerces.factories import INBOUND_URL, signed_post, sms_params
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(commune):
    user, _device = kernel_factories.staff(role=Role.MODERATOR, commune=commune)
    return api_client_for(user)


def test_only_coordinators(commune, shopkeeper):
    assert api_client_for(shopkeeper.user).get("/api/v1/shops/").status_code == 403
    assert api_client_for(None).get("/api/v1/shops/").status_code == 401


def test_list_is_scoped_and_filtered(coordinator, commune, other_commune):
    factories.shop(commune, name="Nord", sector="nord", trade=Trade.BAKERY)
    factories.shop(commune, name="Sud", sector="sud", trade=Trade.PHARMACY)
    factories.shop(other_commune, name="Ailleurs")
    body = coordinator.get("/api/v1/shops/").json()
    assert body["count"] == 2
    assert [row["name"] for row in coordinator.get("/api/v1/shops/?sector=sud").json()["results"]] == ["Sud"]
    assert [row["name"] for row in coordinator.get("/api/v1/shops/?trade=boulangerie").json()["results"]] == [
        "Nord"
    ]


def test_create_and_enrol(coordinator, commune):
    response = coordinator.post(
        "/api/v1/shops/",
        {"name": "Tabac", "trade": "tabac-presse", "siret": "73282932000074", "sector": "nord"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    shop_id = response.json()["id"]
    bad = coordinator.post(
        "/api/v1/shops/", {"name": "X", "trade": "autre", "siret": "123", "sector": "nord"}, format="json"
    )
    assert bad.status_code == 400
    assert "siret" in bad.json()["errors"]
    assert coordinator.post(
        "/api/v1/shops/", {"name": "X", "trade": "autre", "sector": "mars"}, format="json"
    ).json()["errors"] == {"sector": ["Secteur inconnu dans cette commune."]}

    response = coordinator.post(
        f"/api/v1/shops/{shop_id}/shopkeepers/", {"phone": "06 12 00 00 66"}, format="json"
    )
    assert response.status_code == 201
    assert str(Shopkeeper.objects.get().user.phone) == "+33612000066"
    assert (
        coordinator.post(
            "/api/v1/shops/9999/shopkeepers/", {"phone": "0612000067"}, format="json"
        ).status_code
        == 404
    )


def test_csv_import_api(coordinator, commune):
    content = "nom;type;secteur\nA;pharmacie;nord\nB;inconnu;nord\n"
    response = coordinator.post(
        "/api/v1/shops/import/", {"file": SimpleUploadedFile("s.csv", content.encode())}, format="multipart"
    )
    assert response.status_code == 200
    assert response.json()["created"] == 1
    assert response.json()["errors"][0]["line"] == 3
    assert Shop.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("nom;type\nCafé;autre\n".encode("latin-1"), "UTF-8"),
        (b"nom;type\n" + b"x" * (2 * 1024 * 1024), "2 Mo"),
    ],
)
def test_csv_import_api_refuses_an_unreadable_file(coordinator, content, message):
    response = coordinator.post(
        "/api/v1/shops/import/", {"file": SimpleUploadedFile("s.csv", content)}, format="multipart"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["file"]
    assert message in response.json()["detail"]
    assert Shop.objects.count() == 0


def test_applications_api(coordinator, commune):
    application = factories.application(commune)
    listing = coordinator.get("/api/v1/shop-applications/?status=pending").json()
    assert [row["id"] for row in listing["results"]] == [application.pk]
    response = coordinator.post(f"/api/v1/shop-applications/{application.pk}/approve/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    again = coordinator.post(f"/api/v1/shop-applications/{application.pk}/reject/", {}, format="json")
    assert again.status_code == 409
    assert ShopApplication.objects.get().status == ShopApplication.Status.APPROVED


def test_quarantine_api(coordinator, client, commune, shop):
    signed_post(client, INBOUND_URL, sms_params(sender="+33698765432", body="VOL au rayon"))
    signed_post(client, INBOUND_URL, sms_params(sender="+33698765433", body="publicité"))
    listing = coordinator.get("/api/v1/sms/quarantine/").json()
    assert listing["count"] == 2
    by_body = {row["body"]: row["id"] for row in listing["results"]}
    response = coordinator.post(
        f"/api/v1/sms/quarantine/{by_body['VOL au rayon']}/attach/", {"shop": shop.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert Observation.objects.get().category.slug == "vol"
    response = coordinator.post(f"/api/v1/sms/quarantine/{by_body['publicité']}/discard/")
    assert response.json()["status"] == "discarded"
    assert coordinator.post(f"/api/v1/sms/quarantine/{by_body['publicité']}/discard/").status_code == 404
    assert InboundMessage.objects.filter(status=InboundMessage.Status.QUARANTINED).count() == 0
