"""Twilio, through the official SDK: sending, webhook signatures, delivery statuses, TwiML replies.

Settings: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER (default sender; a commune's own
number is passed as `sender`), SMS_WEBHOOK_BASE_URL (the public https://host that Twilio calls, when the
server sits behind a proxy that changes the scheme or host: signatures are computed on that URL).
"""

import logging
from collections.abc import Mapping
from typing import Any

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

from backend.messaging.backends.base import InvalidAddress, PermanentError, TransientError
from backend.messaging.backends.inbound import (
    DeliveryOutcome,
    InboundSms,
    MalformedWebhook,
    StatusReport,
)

logger = logging.getLogger(__name__)

# https://www.twilio.com/docs/api/errors: the number itself is the problem; retrying can't help.
INVALID_NUMBER_CODES = frozenset({21211, 21214, 21407, 21408, 21610, 21612, 21614})
UNREACHABLE_DELIVERY_CODES = frozenset({"30003", "30005", "30006", "30004"})
_OUTCOMES = {
    "accepted": DeliveryOutcome.PENDING,
    "scheduled": DeliveryOutcome.PENDING,
    "queued": DeliveryOutcome.PENDING,
    "sending": DeliveryOutcome.PENDING,
    "sent": DeliveryOutcome.SENT,
    "delivered": DeliveryOutcome.DELIVERED,
    "read": DeliveryOutcome.DELIVERED,
    "undelivered": DeliveryOutcome.FAILED,
    "failed": DeliveryOutcome.FAILED,
    "canceled": DeliveryOutcome.FAILED,
}


def status_callback_url() -> str:
    base = getattr(settings, "SMS_WEBHOOK_BASE_URL", "")
    return f"{base.rstrip('/')}/sms/twilio/status/" if base else ""


class TwilioSmsBackend:
    name = "twilio"

    def __init__(self, *, http_client: HttpClient | None = None) -> None:
        self._http_client = http_client

    # --- outbound -----------------------------------------------------------------------------
    def _client(self) -> Client:
        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise PermanentError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set")
        return Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=self._http_client or TwilioHttpClient(timeout=15),
        )

    def send(self, to: str, body: str, *, sender: str = "") -> str:
        from_ = sender or settings.TWILIO_FROM_NUMBER
        if not from_:
            raise PermanentError("no sender: set TWILIO_FROM_NUMBER or the commune's SMS number")
        options: dict[str, Any] = {"to": to, "from_": from_, "body": body}
        callback = status_callback_url()
        if callback:
            options["status_callback"] = callback
        try:
            message = self._client().messages.create(**options)
        except TwilioRestException as exc:
            detail = f"Twilio {exc.status} (code {exc.code}): {exc.msg}"
            if exc.status == 429 or exc.status >= 500:
                raise TransientError(detail) from exc
            if exc.code in INVALID_NUMBER_CODES:
                raise InvalidAddress(detail) from exc
            raise PermanentError(detail) from exc
        except (requests.RequestException, TwilioException) as exc:
            raise TransientError(f"Twilio unreachable: {exc}") from exc
        return str(message.sid)

    # --- inbound ------------------------------------------------------------------------------
    def verify_request(self, *, url: str, params: Mapping[str, object], headers: Mapping[str, str]) -> bool:
        token = settings.TWILIO_AUTH_TOKEN
        signature = headers.get(SIGNATURE_HEADER) or ""
        if not token or not signature:
            return False
        algorithm = get_signature_algorithm(headers.get(SIGNATURE_SETTINGS_HEADER) or "")
        return bool(RequestValidator(token).validate(url, params, signature, algorithm))

    @staticmethod
    def _required(params: Mapping[str, str], *names: str) -> list[str]:
        missing = [name for name in names if not str(params.get(name) or "").strip()]
        if missing:
            raise MalformedWebhook(f"missing {', '.join(missing)}")
        return [str(params[name]).strip() for name in names]

    def parse_inbound(self, params: Mapping[str, str]) -> InboundSms:
        sid, sender, to = self._required(params, "MessageSid", "From", "To")
        try:
            segments = int(params.get("NumSegments") or 1)
        except ValueError:
            raise MalformedWebhook("NumSegments is not a number") from None
        return InboundSms(
            provider=self.name,
            provider_id=sid[:100],
            sender=sender[:40],
            to=to[:40],
            body=str(params.get("Body") or ""),
            segments=segments,
        )

    def parse_status(self, params: Mapping[str, str]) -> StatusReport:
        sid, status = self._required(params, "MessageSid", "MessageStatus")
        outcome = _OUTCOMES.get(status.lower())
        if outcome is None:
            raise MalformedWebhook(f"unknown MessageStatus {status!r}")
        code = str(params.get("ErrorCode") or "")
        if outcome == DeliveryOutcome.FAILED and code in UNREACHABLE_DELIVERY_CODES:
            outcome = DeliveryOutcome.INVALID
        return StatusReport(
            provider_id=sid[:100],
            provider_status=status.lower()[:40],
            outcome=outcome,
            error=f"Twilio error {code}" if code else "",
        )

    def reply(self, text: str | None) -> tuple[str, str]:
        response = MessagingResponse()
        if text:
            response.message(text)
        return str(response), "application/xml"
