"""In-memory backends for tests, like django.core.mail.outbox.

`sms_outbox` and `push_outbox` collect what was sent; `push_script` maps a token to the outcomes its next
sends return (for instance [TRANSIENT, SENT]), `sms_script` does the same for a phone number.
"""

import uuid
from dataclasses import dataclass

from backend.messaging.backends.base import (
    InvalidAddress,
    PermanentError,
    PushMessage,
    PushOutcome,
    PushResult,
    TransientError,
)


@dataclass(frozen=True)
class SentSms:
    to: str
    body: str
    sender: str
    id: str


sms_outbox: list[SentSms] = []
push_outbox: list[PushMessage] = []
sms_script: dict[str, list[str]] = {}
push_script: dict[str, list[PushOutcome]] = {}


def reset() -> None:
    sms_outbox.clear()
    push_outbox.clear()
    sms_script.clear()
    push_script.clear()


class LocmemSmsBackend:
    def send(self, to: str, body: str, *, sender: str = "") -> str:
        scripted = sms_script.get(to)
        if scripted:
            outcome = scripted.pop(0)
            if outcome == "transient":
                raise TransientError("scripted transient failure")
            if outcome == "invalid":
                raise InvalidAddress("scripted invalid number")
            if outcome == "failed":
                raise PermanentError("scripted permanent failure")
        message_id = f"locmem-{uuid.uuid4().hex}"
        sms_outbox.append(SentSms(to=to, body=body, sender=sender, id=message_id))
        return message_id


class LocmemPushBackend:
    batch_size = 500

    def send_many(self, messages: list[PushMessage]) -> list[PushResult]:
        results = []
        for message in messages:
            scripted = push_script.get(message.token)
            outcome = scripted.pop(0) if scripted else PushOutcome.SENT
            if outcome == PushOutcome.SENT:
                push_outbox.append(message)
                results.append(PushResult(outcome, provider_id=f"locmem-{uuid.uuid4().hex}"))
            else:
                results.append(PushResult(outcome, error=f"scripted {outcome}"))
        return results
