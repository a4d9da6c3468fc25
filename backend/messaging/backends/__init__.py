"""Sending backends, chosen by setting like Django's e-mail backends (SMS_BACKEND, PUSH_BACKEND).

A short name picks a bundled backend; a dotted path picks any class with the same interface.
PUSH_BACKEND sends to the apps' FCM tokens; the web app's subscriptions go through Web Push, except with
a development or test PUSH_BACKEND (console, file, locmem), which takes them too: printed, written or
collected, never sent to a browser's push service.
"""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from backend.messaging.backends.base import PushBackend, SmsBackend

SMS_BACKENDS = {
    "console": "backend.messaging.backends.console.ConsoleSmsBackend",
    "file": "backend.messaging.backends.file.FileSmsBackend",
    "locmem": "backend.messaging.backends.locmem.LocmemSmsBackend",
    "twilio": "backend.messaging.backends.twilio.TwilioSmsBackend",
}
PUSH_BACKENDS = {
    "console": "backend.messaging.backends.console.ConsolePushBackend",
    "file": "backend.messaging.backends.file.FilePushBackend",
    "locmem": "backend.messaging.backends.locmem.LocmemPushBackend",
    "fcm": "backend.messaging.backends.fcm.FcmPushBackend",
}
LOCAL_PUSH_BACKENDS = frozenset({"console", "file", "locmem"})
WEBPUSH_BACKEND = "backend.messaging.backends.webpush.WebPushBackend"


@cache
def _load(path: str) -> type:
    return import_string(path)


def get_sms_backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    backend: SmsBackend = _load(SMS_BACKENDS.get(name, name))()
    return backend


def get_push_backend() -> PushBackend:
    name = settings.PUSH_BACKEND
    backend: PushBackend = _load(PUSH_BACKENDS.get(name, name))()
    return backend


def get_webpush_backend() -> PushBackend:
    """The sender of Web Push subscriptions (devices of platform "web")."""
    if settings.PUSH_BACKEND in LOCAL_PUSH_BACKENDS:
        return get_push_backend()
    backend: PushBackend = _load(WEBPUSH_BACKEND)()
    return backend
