"""The inbound side of an SMS provider: webhooks in (messages, delivery statuses), replies out.

A provider is one module with one class that implements both `SmsBackend.send` (base.py) and the
`SmsProvider` protocol below; `SMS_PROVIDERS` names it for the webhook routes (/sms/<name>/inbound/,
/sms/<name>/status/). What a message *means* (a shop's report, STOP…) is not decided here.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Protocol

from django.utils.module_loading import import_string

SMS_PROVIDERS = {
    "twilio": "backend.messaging.backends.twilio.TwilioSmsBackend",
}


class MalformedWebhook(Exception):
    """A correctly signed request that lacks what a provider always sends."""


@dataclass(frozen=True)
class InboundSms:
    provider: str
    provider_id: str  # the provider's message id (Twilio: MessageSid): one message, processed once
    sender: str  # as the provider gave it (E.164 for phones; may be a short code)
    to: str  # the number that received it: picks the commune
    body: str
    segments: int = 1


class DeliveryOutcome(StrEnum):
    PENDING = "pending"  # accepted, queued, sending
    SENT = "sent"  # handed to the carrier
    DELIVERED = "delivered"  # the handset confirmed
    FAILED = "failed"  # the carrier gave up
    INVALID = "invalid"  # the number is unreachable for good (unknown, landline, opted out)


@dataclass(frozen=True)
class StatusReport:
    provider_id: str
    provider_status: str  # the provider's own word, kept on the delivery
    outcome: DeliveryOutcome
    error: str = ""


class SmsProvider(Protocol):
    name: str

    def verify_request(self, *, url: str, params: Mapping[str, object], headers: Mapping[str, str]) -> bool:
        """True only when the request is signed by the provider for this public URL."""
        ...

    def parse_inbound(self, params: Mapping[str, str]) -> InboundSms:
        """Raises MalformedWebhook when a field the provider always sends is missing."""
        ...

    def parse_status(self, params: Mapping[str, str]) -> StatusReport:
        """Raises MalformedWebhook when a field the provider always sends is missing."""
        ...

    def reply(self, text: str | None) -> tuple[str, str]:
        """The HTTP body and content type that answer an inbound message (with `text`, or nothing)."""
        ...


@cache
def _load(path: str) -> type:
    return import_string(path)


def get_sms_provider(name: str) -> SmsProvider | None:
    path = SMS_PROVIDERS.get(name)
    if path is None:
        return None
    provider: SmsProvider = _load(path)()
    return provider
