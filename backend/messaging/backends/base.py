"""The interface of sending backends, and the errors that tell the worker what to do next."""

import email.utils
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class TransientError(Exception):
    """Worth retrying later (network, provider overloaded); `retry_after` in seconds when the provider said."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """Retrying can't help (invalid number, message refused): the delivery fails with this error."""


class InvalidAddress(PermanentError):
    """The address itself is dead (unregistered FCM token, unreachable number)."""


class SmsBackend(Protocol):
    def send(self, to: str, body: str, *, sender: str = "") -> str:
        """Sends one SMS to an E.164 number and returns the provider's message id."""
        ...


@dataclass(frozen=True)
class PushMessage:
    token: str
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)
    # "high": Android high priority and APNs time-sensitive (burglary alerts); "normal" otherwise.
    priority: str = "normal"
    # Web Push subscriptions only (the token is then the endpoint URL): the browser's keys, base64url.
    web_p256dh: str = ""
    web_auth: str = ""


class PushOutcome(StrEnum):
    SENT = "sent"
    INVALID = "invalid"
    TRANSIENT = "transient"
    FAILED = "failed"


@dataclass(frozen=True)
class PushResult:
    outcome: PushOutcome
    provider_id: str = ""
    error: str = ""
    retry_after: float | None = None


class PushBackend(Protocol):
    # How many messages one send_many call may carry (FCM: 500).
    batch_size: int

    def send_many(self, messages: list[PushMessage]) -> list[PushResult]:
        """Sends the messages; returns one result per message, in order."""
        ...


def message_as_dict(message: PushMessage) -> dict[str, Any]:
    return {
        "token": message.token,
        "title": message.title,
        "body": message.body,
        "data": dict(message.data),
        "priority": message.priority,
    }


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)
