"""System checks of the messaging settings: a bad Web Push key or subject stops the start, not a send."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ImproperlyConfigured

from backend.messaging.backends.webpush import WebPushBackend


def webpush_settings_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not settings.WEBPUSH_VAPID_PRIVATE_KEY:
        return []
    try:
        WebPushBackend()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="manage.py webpush_keys makes a pair.", id="messaging.E001")]
    return []
