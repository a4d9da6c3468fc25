import pytest

from backend.accounts import demo as accounts_demo
from backend.territory import demo as territory_demo
from commerces import demo
from commerces.models import Shop, ShopAlertTemplate, Shopkeeper

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_attaches_the_demo_shopkeepers():
    said: list[str] = []
    commune = territory_demo.seed(said.append)
    accounts_demo.seed(commune, said.append)
    demo.seed(commune, said.append)
    demo.seed(commune, said.append)
    assert Shop.objects.filter(commune=commune).count() == len(demo.SHOPS)
    phones = sorted(str(phone) for phone in Shopkeeper.objects.values_list("user__phone", flat=True))
    assert phones == ["+33612000031", "+33612000032", "+33612000033"]
    assert all(shop.sector is not None for shop in Shop.objects.all())
    assert ShopAlertTemplate.objects.count() == len(demo.TEMPLATES)
    assert any("Commerces" in line for line in said)
