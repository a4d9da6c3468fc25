"""The kernel's Twilio adapter: sending through the SDK (fake HTTP client at the network edge), status
callbacks that update deliveries, and the provider interface."""

import json
from typing import Any

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response

from backend.messaging.backends import get_sms_backend
from backend.messaging.backends.base import InvalidAddress, PermanentError, TransientError
from backend.messaging.backends.inbound import DeliveryOutcome, get_sms_provider
from backend.messaging.backends.twilio import TwilioSmsBackend
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, delivery_enqueue
from tests.commerces.factories import STATUS_URL, signed_post

pytestmark = pytest.mark.django_db


class FakeTwilioHttp(HttpClient):
    """Answers the Messages API like Twilio; records what was asked."""

    def __init__(self, status: int = 201, payload: dict[str, Any] | None = None) -> None:
        super().__init__(logger=None, is_async=False)
        self.status = status
        self.payload = payload or {"sid": "SM" + "a" * 32, "status": "queued"}
        self.requests: list[dict[str, Any]] = []

    def request(
        self,
        method,
        uri,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ):
        self.requests.append({"method": method, "uri": uri, "data": data, "auth": auth})
        return Response(self.status, json.dumps(self.payload))


def test_sms_backend_twilio_is_mapped(settings):
    settings.SMS_BACKEND = "twilio"
    assert isinstance(get_sms_backend(), TwilioSmsBackend)
    assert isinstance(get_sms_provider("twilio"), TwilioSmsBackend)
    assert get_sms_provider("unknown") is None


def test_send_posts_to_the_messages_api_with_the_status_callback(settings):
    settings.SMS_WEBHOOK_BASE_URL = "https://vigie.example.fr"
    http = FakeTwilioHttp()
    sid = TwilioSmsBackend(http_client=http).send("+33612000031", "Bonjour", sender="+33700000055")
    assert sid == "SM" + "a" * 32
    (request,) = http.requests
    assert request["method"] == "POST"
    assert request["uri"].endswith(f"/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages.json")
    assert request["data"]["To"] == "+33612000031"
    assert request["data"]["From"] == "+33700000055"
    assert request["data"]["Body"] == "Bonjour"
    assert request["data"]["StatusCallback"] == "https://vigie.example.fr/sms/twilio/status/"


def test_send_uses_the_default_sender():
    http = FakeTwilioHttp()
    TwilioSmsBackend(http_client=http).send("+33612000031", "Bonjour")
    assert http.requests[0]["data"]["From"] == "+33700000001"
    assert "StatusCallback" not in http.requests[0]["data"]


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (429, 20429, TransientError),
        (503, 20503, TransientError),
        (400, 21211, InvalidAddress),
        (400, 21610, InvalidAddress),
        (400, 21602, PermanentError),
    ],
)
def test_send_errors_tell_the_worker_what_to_do(status, code, error):
    http = FakeTwilioHttp(status=status, payload={"code": code, "message": "refused", "status": status})
    with pytest.raises(error):
        TwilioSmsBackend(http_client=http).send("+33612000031", "Bonjour")


def test_send_without_credentials_is_permanent(settings):
    settings.TWILIO_AUTH_TOKEN = ""
    with pytest.raises(PermanentError):
        TwilioSmsBackend(http_client=FakeTwilioHttp()).send("+33612000031", "Bonjour")


def _sent_delivery(provider_id: str = "SM123") -> Delivery:
    delivery = delivery_enqueue(Outgoing(channel="sms", kind="test", body="x", address="+33612000031"))
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, provider_id=provider_id)
    return delivery


def test_status_callback_updates_the_delivery(client):
    delivery = _sent_delivery()
    response = signed_post(client, STATUS_URL, {"MessageSid": "SM123", "MessageStatus": "delivered"})
    assert response.status_code == 204
    delivery.refresh_from_db()
    assert delivery.provider_status == "delivered"
    assert delivery.status == Delivery.Status.SENT
    # A late "sent" never moves it back.
    signed_post(client, STATUS_URL, {"MessageSid": "SM123", "MessageStatus": "sent"})
    delivery.refresh_from_db()
    assert delivery.provider_status == "delivered"


def test_undelivered_status_fails_the_delivery_with_the_error(client):
    delivery = _sent_delivery()
    signed_post(
        client, STATUS_URL, {"MessageSid": "SM123", "MessageStatus": "undelivered", "ErrorCode": "30008"}
    )
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.provider_status == "undelivered"
    assert "30008" in delivery.last_error


def test_unreachable_number_marks_the_delivery_invalid(client):
    delivery = _sent_delivery()
    signed_post(client, STATUS_URL, {"MessageSid": "SM123", "MessageStatus": "failed", "ErrorCode": "30006"})
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.INVALID


def test_forged_status_callback_is_refused(client):
    delivery = _sent_delivery()
    response = client.post("/sms/twilio/status/", {"MessageSid": "SM123", "MessageStatus": "failed"})
    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.provider_status == ""
    assert delivery.status == Delivery.Status.SENT


def test_malformed_status_callback_is_a_400(client):
    _sent_delivery()
    assert signed_post(client, STATUS_URL, {"MessageSid": "SM123"}).status_code == 400
    response = signed_post(client, STATUS_URL, {"MessageSid": "SM123", "MessageStatus": "exploded"})
    assert response.status_code == 400


def test_status_for_an_unknown_message_is_accepted_and_ignored(client):
    response = signed_post(client, STATUS_URL, {"MessageSid": "SMunknown", "MessageStatus": "delivered"})
    assert response.status_code == 204
    assert not Delivery.objects.exists()


def test_parse_status_maps_outcomes():
    provider = TwilioSmsBackend()
    assert (
        provider.parse_status({"MessageSid": "SM1", "MessageStatus": "queued"}).outcome
        == DeliveryOutcome.PENDING
    )
    assert (
        provider.parse_status({"MessageSid": "SM1", "MessageStatus": "read"}).outcome
        == DeliveryOutcome.DELIVERED
    )


def test_empty_reply_is_an_empty_twiml_response():
    body, content_type = TwilioSmsBackend().reply(None)
    assert content_type == "application/xml"
    assert "<Message" not in body
    assert "<Response" in body
