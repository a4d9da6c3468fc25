"""Test data of the commerces app, and Twilio-signed requests."""

import itertools
import uuid
from typing import Any
from xml.etree import ElementTree

from django.test import Client
from twilio.request_validator import RequestValidator

from backend.territory.models import Commune, Sector
from commerces.models import Shop, ShopApplication, Shopkeeper, Trade
from commerces.services import shop_application_submit, shopkeeper_enrol

TWILIO_TOKEN = "test-twilio-auth-token-0123456789"
INBOUND_URL = "http://testserver/sms/twilio/inbound/"
STATUS_URL = "http://testserver/sms/twilio/status/"
# Valid SIRETs (Luhn): 732 829 320 00074, 552 100 554 00021, 443 061 841 00047.
SIRETS = ["73282932000074", "55210055400021", "44306184100047"]

_numbers = itertools.count(1)


def shop(commune: Commune, *, sector: str = "nord", trade: str = Trade.BAKERY, **fields: Any) -> Shop:
    fields.setdefault("name", f"Commerce {next(_numbers)}")
    return Shop.objects.create(
        commune=commune, sector=Sector.objects.get(commune=commune, slug=sector), trade=trade, **fields
    )


def shopkeeper(shop_: Shop, *, phone: str | None = None, sms_opt_in: bool = True) -> Shopkeeper:
    return shopkeeper_enrol(
        actor=None,
        shop=shop_,
        phone=phone or f"+3361{next(_numbers):07d}",
        display_name="Commerçant de test",
        sms_opt_in=sms_opt_in,
    )


def application(commune: Commune, *, sector: str | None = "nord", **fields: Any) -> ShopApplication:
    """A pending application, as submitted on the public form (`fields` override the defaults)."""
    values: dict[str, Any] = {
        "commune": commune,
        "phone": "+33612000077",
        "shop_name": "Fleuriste",
        "trade": Trade.OTHER,
        "address": "1 rue",
        "contact_name": "Flore",
        "sector": Sector.objects.get(commune=commune, slug=sector) if sector else None,
        **fields,
    }
    return shop_application_submit(**values)


def sms_params(*, sender: str, body: str, sid: str | None = None, to: str = "+33700000001") -> dict[str, str]:
    return {
        "MessageSid": sid or f"SM{uuid.uuid4().hex}",
        "AccountSid": "AC" + "1" * 32,
        "From": sender,
        "To": to,
        "Body": body,
        "NumSegments": "1",
        "NumMedia": "0",
    }


def signed_post(client: Client, url: str, params: dict[str, str], *, token: str = TWILIO_TOKEN) -> Any:
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(
        url.removeprefix("http://testserver"), params, headers={"X-Twilio-Signature": signature}
    )


def twiml_messages(response: Any) -> list[str]:
    """The texts of the <Message> elements of a TwiML reply (parsed, not searched as a string)."""
    assert response["Content-Type"].startswith("application/xml"), response["Content-Type"]
    root = ElementTree.fromstring(response.content.decode())  # noqa: S314  (our own reply)
    assert root.tag == "Response"
    return [node.text or "" for node in root.findall("Message")]
