"""A file SMS backend that takes its time after the provider accepted the message (worker process tests).

The file is written first (the provider has the message), then the backend sleeps SLOW_SMS_SECONDS: a
worker killed during that sleep has sent a message that its database does not know about yet.
"""

import os
import time

from backend.messaging.backends.file import FileSmsBackend


class SlowFileSmsBackend(FileSmsBackend):
    def send(self, to: str, body: str, *, sender: str = "") -> str:
        message_id = super().send(to, body, sender=sender)
        time.sleep(float(os.environ.get("SLOW_SMS_SECONDS", "0.3")))
        return message_id
