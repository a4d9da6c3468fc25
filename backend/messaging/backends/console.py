import json
import sys
import uuid

from backend.messaging.backends.base import PushMessage, PushOutcome, PushResult, message_as_dict


class ConsoleSmsBackend:
    """Prints each SMS on standard output (development)."""

    def send(self, to: str, body: str, *, sender: str = "") -> str:
        message_id = f"console-{uuid.uuid4().hex}"
        sys.stdout.write(f"[SMS → {to}] {body}\n")
        sys.stdout.flush()
        return message_id


class ConsolePushBackend:
    batch_size = 500

    def send_many(self, messages: list[PushMessage]) -> list[PushResult]:
        for message in messages:
            sys.stdout.write(f"[PUSH] {json.dumps(message_as_dict(message), ensure_ascii=False)}\n")
        sys.stdout.flush()
        return [PushResult(PushOutcome.SENT, provider_id=f"console-{uuid.uuid4().hex}") for _ in messages]
