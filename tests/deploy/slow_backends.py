"""A file push backend that takes its time per message (the provider accepted it first): a worker spends
most of its time mid-batch, where a SIGTERM must not lose anything."""

import os
import time

from backend.messaging.backends.base import PushMessage, PushResult
from backend.messaging.backends.file import FilePushBackend


class SlowFilePushBackend(FilePushBackend):
    def send_many(self, messages: list[PushMessage]) -> list[PushResult]:
        results = []
        for message in messages:
            results.extend(super().send_many([message]))
            time.sleep(float(os.environ.get("SLOW_PUSH_SECONDS", "0.1")))
        return results
