"""Web Push (RFC 8030) to the web app's subscriptions, beside FCM, through pywebpush.

Each message is encrypted for its subscription (aes128gcm, RFC 8291) and signed for its push service
(VAPID, RFC 8292: `Authorization: vapid t=<JWT ES256>, k=<public key>`, the JWT's `aud` the endpoint's
origin, `sub` WEBPUSH_VAPID_SUBJECT, `exp` 12 hours ahead, under the 24 hours push services accept).
`Urgency` follows the delivery's priority as FCM's does: high for burglary alerts, normal otherwise.

Answers: 201 (or any 2xx) → SENT, the `Location` of the message as its id; 404 and 410 → INVALID (the
subscription is gone: the worker deactivates the device); 429 and 5xx, network errors → TRANSIENT with
the service's Retry-After; any other 4xx (413 too large, 400, 401/403 VAPID refused) → FAILED.
"""

import base64
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid02, VapidException
from pywebpush import WebPusher, WebPushException

from backend.messaging.backends.base import PushMessage, PushOutcome, PushResult, retry_after_seconds

# How long a push service keeps a message for a browser that is offline (a day: an alert older than that
# is stale, the inbox has it anyway).
TTL_SECONDS = 24 * 3600
# VAPID JWT lifetime; a signature is reused per push-service origin until it has less than an hour left.
VAPID_EXPIRY_SECONDS = 12 * 3600
_VAPID_RENEW_SECONDS = 3600
# Requests in flight at once (pywebpush is synchronous; push services answer in tens of milliseconds).
_THREADS = 8
_TIMEOUT_SECONDS = 10.0
# The plaintext that fits one aes128gcm record of the 4,096 bytes push services take (RFC 8291).
MAX_PAYLOAD_BYTES = 3993
# Where the app's service worker leads a tap on the notification (the app's inbox).
APP_URL = "/app/messages/"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def vapid_key(private_key: str) -> Vapid02:
    """The VAPID key pair of a private key (base64url raw 32 bytes, or DER); ImproperlyConfigured if unreadable."""
    try:
        return Vapid02.from_string(private_key)
    except Exception as exc:  # py_vapid raises ValueError, binascii.Error or its own VapidException
        raise ImproperlyConfigured(f"WEBPUSH_VAPID_PRIVATE_KEY is not a readable P-256 key: {exc}") from exc


def vapid_public_key(private_key: str) -> str:
    """The browsers' applicationServerKey: the public point, uncompressed, base64url without padding."""
    public = vapid_key(private_key).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(public)


def vapid_keys_generate() -> tuple[str, str]:
    """A new pair: (private key as WEBPUSH_VAPID_PRIVATE_KEY takes it, public key)."""
    pair = Vapid02()
    pair.generate_keys()
    private = pair.private_key.private_numbers().private_value.to_bytes(32, "big")
    return _b64url(private), vapid_public_key(_b64url(private))


def webpush_enabled() -> bool:
    return bool(settings.WEBPUSH_VAPID_PRIVATE_KEY)


def webpush_public_key() -> str:
    """The public key the app subscribes with; empty when web push is off."""
    return vapid_public_key(settings.WEBPUSH_VAPID_PRIVATE_KEY) if webpush_enabled() else ""


def webpush_payload(message: PushMessage) -> bytes:
    """What the app's service worker receives and shows: the same kinds and data as an FCM message. The
    body is shortened (« … ») when the whole would not fit in one push message (RFC 8291: 3,993 bytes)."""
    body, raw = message.body, message.body.encode()
    cut = len(raw)
    while True:
        payload = json.dumps(
            {
                "title": message.title,
                "body": body,
                "kind": message.data.get("kind", ""),
                "priority": message.priority,
                "data": dict(message.data),
                "url": APP_URL,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        excess = len(payload) - MAX_PAYLOAD_BYTES
        if excess <= 0 or cut == 0:
            return payload
        cut = max(cut - excess - len("…".encode()), 0)
        body = raw[:cut].decode(errors="ignore") + "…"


def origin_of(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def result_for_response(response: requests.Response) -> PushResult:
    status = response.status_code
    if 200 <= status < 300:
        return PushResult(PushOutcome.SENT, provider_id=response.headers.get("Location", ""))
    error = f"{status}: {response.text[:500]}"
    if status in (404, 410):
        return PushResult(PushOutcome.INVALID, error=error)
    if status == 429 or status >= 500:
        return PushResult(
            PushOutcome.TRANSIENT,
            error=error,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    return PushResult(PushOutcome.FAILED, error=error)


class WebPushBackend:
    batch_size = 500

    def __init__(self, *, private_key: str | None = None, subject: str | None = None) -> None:
        key = settings.WEBPUSH_VAPID_PRIVATE_KEY if private_key is None else private_key
        self.subject = settings.WEBPUSH_VAPID_SUBJECT if subject is None else subject
        self.vapid = vapid_key(key) if key else None
        self.session = requests.Session()
        self._signed: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        if self.vapid is not None:
            try:  # py_vapid checks the subject when it signs: a bad one fails here, not in a send
                self.vapid.sign(
                    {"sub": self.subject, "aud": "https://localhost", "exp": int(time.time()) + 60}
                )
            except VapidException as exc:
                raise ImproperlyConfigured(
                    f"WEBPUSH_VAPID_SUBJECT must be a mailto: or https: contact ({self.subject!r}): {exc}"
                ) from exc

    def _authorization(self, origin: str) -> str:
        now = time.time()
        with self._lock:
            header, expires = self._signed.get(origin, ("", 0.0))
            if expires - now < _VAPID_RENEW_SECONDS:
                assert self.vapid is not None
                expires = int(now) + VAPID_EXPIRY_SECONDS
                claims = {"sub": self.subject, "aud": origin, "exp": expires}
                header = self.vapid.sign(claims)["Authorization"]
                self._signed[origin] = (header, expires)
            return header

    def _send(self, message: PushMessage) -> PushResult:
        if self.vapid is None:
            return PushResult(PushOutcome.FAILED, error="web push off: WEBPUSH_VAPID_PRIVATE_KEY is empty")
        subscription: dict[str, Any] = {
            "endpoint": message.token,
            "keys": {"p256dh": message.web_p256dh, "auth": message.web_auth},
        }
        headers = {
            "Authorization": self._authorization(origin_of(message.token)),
            "Urgency": "high" if message.priority == "high" else "normal",
        }
        try:
            response = WebPusher(subscription, requests_session=self.session).send(
                data=webpush_payload(message),
                headers=headers,
                ttl=TTL_SECONDS,
                content_encoding="aes128gcm",
                timeout=_TIMEOUT_SECONDS,
            )
        except (WebPushException, ValueError, TypeError) as exc:  # keys that cannot encrypt: unusable
            return PushResult(PushOutcome.INVALID, error=f"unusable subscription: {exc}")
        except requests.RequestException as exc:  # the message may or may not have left
            return PushResult(PushOutcome.TRANSIENT, error=f"network: {exc}")
        assert isinstance(response, requests.Response)
        return result_for_response(response)

    def send_many(self, messages: list[PushMessage]) -> list[PushResult]:
        if len(messages) <= 1:
            return [self._send(message) for message in messages]
        with ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="webpush") as pool:
            return list(pool.map(self._send, messages))
