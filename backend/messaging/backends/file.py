"""One JSON file per message in a folder (SMS_FILE_PATH, PUSH_FILE_PATH): read codes in development."""

import json
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from backend.messaging.backends.base import PushMessage, PushOutcome, PushResult, message_as_dict


def _write(folder: Path, payload: dict[str, Any]) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    message_id = uuid.uuid4().hex
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{message_id}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"id": message_id, "at": timezone.now().isoformat(), **payload}, ensure_ascii=False)
    )
    tmp.rename(path)  # readers never see a half-written file
    return message_id


class FileSmsBackend:
    def send(self, to: str, body: str, *, sender: str = "") -> str:
        return f"file-{_write(Path(settings.SMS_FILE_PATH), {'to': to, 'from': sender, 'body': body})}"


class FilePushBackend:
    batch_size = 500

    def send_many(self, messages: list[PushMessage]) -> list[PushResult]:
        folder = Path(settings.PUSH_FILE_PATH)
        return [
            PushResult(PushOutcome.SENT, provider_id=f"file-{_write(folder, message_as_dict(message))}")
            for message in messages
        ]
