"""Another SMS provider is one module: a class with send / verify_request / parse_* / reply, named in
SMS_PROVIDERS. This one (a shared-secret HTTP gateway, like an Android SMS gateway) lives in the test."""

import hmac
import json
from collections.abc import Mapping
from hashlib import sha256

import pytest

from alerts.models import Observation
from backend.messaging.backends import inbound
from backend.messaging.backends.inbound import DeliveryOutcome, InboundSms, MalformedWebhook, StatusReport

SECRET = b"gateway-secret"


class GatewayProvider:
    name = "gateway"

    def send(self, to: str, body: str, *, sender: str = "") -> str:
        return "gw-1"

    def verify_request(self, *, url: str, params: Mapping[str, object], headers: Mapping[str, str]) -> bool:
        return hmac.compare_digest(_signed(params), headers.get("X-Gateway-Signature") or "")

    def parse_inbound(self, params: Mapping[str, str]) -> InboundSms:
        if not params.get("id") or not params.get("from"):
            raise MalformedWebhook("missing id/from")
        return InboundSms(
            provider=self.name,
            provider_id=params["id"],
            sender=params["from"],
            to="",
            body=params.get("text", ""),
        )

    def parse_status(self, params: Mapping[str, str]) -> StatusReport:
        return StatusReport(
            provider_id=params["id"], provider_status=params["state"], outcome=DeliveryOutcome.DELIVERED
        )

    def reply(self, text: str | None) -> tuple[str, str]:
        return json.dumps({"reply": text}), "application/json"


@pytest.fixture
def gateway(monkeypatch):
    monkeypatch.setitem(inbound.SMS_PROVIDERS, "gateway", f"{__name__}.GatewayProvider")


def _signed(params: Mapping[str, object]) -> str:
    payload = "&".join(f"{key}={params[key]}" for key in sorted(params))
    return hmac.new(SECRET, payload.encode(), sha256).hexdigest()


@pytest.mark.django_db
def test_a_second_provider_uses_the_same_intake(client, gateway, shopkeeper):
    params = {"id": "gw-42", "from": "+33612000031", "text": "VOL de portefeuille"}
    assert client.post("/sms/gateway/inbound/", params).status_code == 403
    response = client.post("/sms/gateway/inbound/", params, headers={"X-Gateway-Signature": _signed(params)})
    assert response.status_code == 200
    reference = Observation.objects.get().reference
    assert reference in response.json()["reply"]
