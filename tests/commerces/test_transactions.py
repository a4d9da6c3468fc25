"""The shops' services own their transactions: a failure after the first write leaves nothing behind,
whoever calls them (the API, the web form, the CSV import, the admin)."""

from typing import Any

import pytest

from backend.accounts.models import User
from commerces import services
from commerces.models import Shop, ShopApplication, Shopkeeper, Trade

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit_record", refuse)


def test_shop_create_keeps_no_shop_when_its_audit_row_fails(commune: Any, audit_fails: None) -> None:
    with pytest.raises(RuntimeError):
        services.shop_create(actor=None, commune=commune, name="Boulangerie", trade=Trade.values[0])
    assert not Shop.objects.exists()


def test_shopkeeper_enrol_keeps_no_account_when_its_audit_row_fails(shop: Any, audit_fails: None) -> None:
    with pytest.raises(RuntimeError):
        services.shopkeeper_enrol(actor=None, shop=shop, phone="06 12 00 00 31")
    assert not Shopkeeper.objects.exists()
    assert not User.objects.filter(phone="+33612000031").exists()


def test_shop_application_submit_keeps_nothing_when_its_audit_row_fails(
    commune: Any, audit_fails: None
) -> None:
    with pytest.raises(RuntimeError):
        services.shop_application_submit(
            commune=commune,
            phone="+33612000032",
            shop_name="Tabac de la place",
            trade=Trade.values[0],
            address="1 place de la mairie",
            contact_name="Camille",
        )
    assert not ShopApplication.objects.exists()
