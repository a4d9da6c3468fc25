from typing import Any

import pytest

from tests.commerces import factories


@pytest.fixture(autouse=True)
def _twilio_settings(settings: Any) -> None:
    settings.TWILIO_AUTH_TOKEN = factories.TWILIO_TOKEN
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    settings.TWILIO_FROM_NUMBER = "+33700000001"
    settings.SMS_WEBHOOK_BASE_URL = ""


@pytest.fixture
def shop(commune: Any) -> Any:
    return factories.shop(commune, name="Boulangerie du Centre", siret=factories.SIRETS[0])


@pytest.fixture
def shopkeeper(shop: Any) -> Any:
    return factories.shopkeeper(shop, phone="+33612000031")
