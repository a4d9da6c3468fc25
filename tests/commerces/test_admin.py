"""The commune administrator's pages: shops (CSV import), shopkeepers, applications, SMS quarantine."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alerts.models import Observation
from backend.accounts.models import Role
from commerces.models import InboundMessage, Shop, ShopApplication, Shopkeeper
from tests import factories as kernel_factories
from tests.commerces import factories
from tests.commerces.factories import INBOUND_URL, signed_post, sms_params
from tests.helpers import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, commune):
    user, device = kernel_factories.staff(role=Role.ADMIN, commune=commune)
    staff_login(client, user, device)
    return client


def test_shop_changelist_is_scoped_to_the_commune(admin_client, commune, other_commune):
    factories.shop(commune, name="Chez nous")
    factories.shop(other_commune, name="Chez eux")
    response = admin_client.get("/admin/commerces/shop/")
    assert response.status_code == 200
    names = {shop.name for shop in response.context["cl"].queryset}
    assert names == {"Chez nous"}
    assert "Importer un fichier CSV" in response.content.decode()


def test_csv_import_page_lists_refused_lines(admin_client, commune):
    content = "nom;type;secteur\nBoulangerie;boulangerie;nord\n;pharmacie;nord\nTabac;tabac;atlantide\n"
    response = admin_client.post(
        "/admin/commerces/shop/import/",
        {"commune": commune.pk, "file": SimpleUploadedFile("shops.csv", content.encode("utf-8"))},
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert [shop.name for shop in report.created] == ["Boulangerie"]
    assert [line for line, _reason in report.errors] == [3, 4]
    assert "Secteur inconnu" in response.content.decode()
    assert Shop.objects.count() == 1


def test_csv_import_refuses_a_file_that_is_not_utf8(admin_client, commune):
    response = admin_client.post(
        "/admin/commerces/shop/import/",
        {
            "commune": commune.pk,
            "file": SimpleUploadedFile("shops.csv", "nom;type\nCafé;autre\n".encode("latin-1")),
        },
    )
    assert "UTF-8" in response.content.decode()
    assert not Shop.objects.exists()


def test_admin_enrols_a_shopkeeper(admin_client, shop):
    response = admin_client.post(
        "/admin/commerces/shopkeeper/add/",
        {"shop": shop.pk, "phone": "06 12 00 00 55", "display_name": "Sam", "sms_opt_in": "on"},
    )
    assert response.status_code == 302, response.content.decode()
    shopkeeper = Shopkeeper.objects.get()
    assert str(shopkeeper.user.phone) == "+33612000055"
    assert shopkeeper.user.role == Role.SHOPKEEPER


def test_admin_approves_an_application(admin_client, commune):
    application = factories.application(commune)
    response = admin_client.post(
        "/admin/commerces/shopapplication/",
        {"action": "approve", "_selected_action": [application.pk]},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ShopApplication.Status.APPROVED
    assert Shopkeeper.objects.get().shop.name == "Fleuriste"


def test_admin_attaches_a_quarantined_number(admin_client, client, commune, shop):
    signed_post(client, INBOUND_URL, sms_params(sender="+33698765432", body="SUSPECT dans la réserve"))
    message = InboundMessage.objects.get()
    page = admin_client.post(
        "/admin/commerces/inboundmessage/", {"action": "attach", "_selected_action": [message.pk]}
    )
    assert page.status_code == 200
    assert "SUSPECT dans la réserve" in page.content.decode()
    response = admin_client.post(
        "/admin/commerces/inboundmessage/",
        {"action": "attach", "_selected_action": [message.pk], "apply": "1", "shop": shop.pk},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.ATTACHED
    assert Observation.objects.get().category.slug == "suspect"


def test_admin_shop_form_normalises_and_checks_the_siret(admin_client, commune):
    sector = commune.sectors.get(slug="nord")
    data = {
        "commune": commune.pk,
        "name": "Tabac",
        "trade": "tabac-presse",
        "sector": sector.pk,
        "is_active": "on",
    }
    data["siret"] = "732 829 320 00075"
    response = admin_client.post("/admin/commerces/shop/add/", {**data, **_inline_management()})
    assert response.status_code == 200
    assert "SIRET invalide" in response.content.decode()
    data["siret"] = "732 829 320 00074"
    response = admin_client.post("/admin/commerces/shop/add/", {**data, **_inline_management()})
    assert response.status_code == 302
    assert Shop.objects.get().siret == "73282932000074"


def _inline_management() -> dict[str, str]:
    prefix = "shopkeepers"
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
