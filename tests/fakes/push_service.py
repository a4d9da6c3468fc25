"""A local fake Web Push service (RFC 8030) that checks each request as a real one would, for tests.

`POST /push/{id}`: the subscription `id` must have been made by `subscribe()` (else 404). The request must
carry `Authorization: vapid t=<JWT>, k=<public key>` whose ES256 signature verifies against k, whose
`aud` is this server's origin, `exp` in the future and at most 24 hours ahead, `sub` a mailto: or https:
contact (else 401/403); `Content-Encoding: aes128gcm`, a `TTL`, an `Urgency` of very-low, low, normal or
high (else 400). The body is decrypted with the subscription's private key and auth secret (http_ece),
and the JSON payload recorded with the headers. Then the answer scripted for the subscription, in order:
"201" (the default), "404", "410", "500", "429" or "429:<Retry-After>" (seconds or an HTTP date).

In a test: `with FakePushService() as fake: sub = fake.subscribe()` → the browser's PushSubscription JSON.
"""

import base64
import itertools
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.fakes.threaded import ThreadedServer

URGENCIES = frozenset({"very-low", "low", "normal", "high"})


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Received:
    """One request that passed the checks: its subscription, headers (names in lower case), VAPID claims
    and decrypted payload."""

    subscription: str
    headers: dict[str, str]
    claims: dict[str, Any]
    payload: dict[str, Any]
    at: float


@dataclass
class _Subscription:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    script: list[str] = field(default_factory=list)


def vapid_claims(authorization: str, *, origin: str, now: float) -> dict[str, Any]:
    """The claims of a valid `vapid t=…, k=…` header; ValueError saying what is wrong otherwise."""
    scheme, _, rest = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError(f"not a vapid authorization: {authorization[:40]!r}")
    params = {}
    for part in rest.split(","):
        name, _, value = part.strip().partition("=")
        params[name] = value
    if "t" not in params or "k" not in params:
        raise ValueError("vapid authorization without t or k")
    header, claims_part, signature = params["t"].split(".")
    if json.loads(b64url_decode(header)) != {"typ": "JWT", "alg": "ES256"}:
        raise ValueError(f"unexpected JWT header {b64url_decode(header)!r}")
    raw_signature = b64url_decode(signature)
    if len(raw_signature) != 64:
        raise ValueError("ES256 signature is not 64 bytes")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(params["k"]))
    der = encode_dss_signature(
        int.from_bytes(raw_signature[:32], "big"), int.from_bytes(raw_signature[32:], "big")
    )
    try:
        public.verify(der, f"{header}.{claims_part}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("bad JWT signature") from None
    claims: dict[str, Any] = json.loads(b64url_decode(claims_part))
    if claims.get("aud") != origin:
        raise ValueError(f"aud {claims.get('aud')!r} is not {origin!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int) or not now < exp <= now + 24 * 3600:
        raise ValueError(f"exp {exp!r} not in the next 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise ValueError(f"sub {claims.get('sub')!r} is not a mailto: or https: contact")
    return claims


class FakePushService(ThreadedServer):
    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)
        self._messages = itertools.count(1)
        self.subscriptions: dict[str, _Subscription] = {}
        self.received: list[Received] = []
        self.refused: list[tuple[int, str]] = []
        self.url = ""

    def start(self) -> "FakePushService":
        port = self._serve(self._app)
        self.url = f"http://127.0.0.1:{port}"
        return self

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/push/{id}", self._push)
        return app

    def subscribe(self, *script: str) -> dict[str, Any]:
        """A new subscription as the browser's PushSubscription JSON; `script`: its next answers."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        subscription_id = f"sub{next(self._ids)}"
        self.subscriptions[subscription_id] = _Subscription(private_key, auth, list(script))
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.url}/push/{subscription_id}",
            "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(auth)},
        }

    def script(self, endpoint: str, *answers: str) -> None:
        self.subscriptions[endpoint.rsplit("/", 1)[1]].script.extend(answers)

    def received_by(self, endpoint: str) -> list[Received]:
        subscription_id = endpoint.rsplit("/", 1)[1]
        return [item for item in self.received if item.subscription == subscription_id]

    def _refuse(self, status: int, reason: str) -> web.Response:
        self.refused.append((status, reason))
        return web.Response(status=status, text=reason)

    async def _push(self, request: web.Request) -> web.Response:
        subscription_id = request.match_info["id"]
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None:
            return self._refuse(404, "no such subscription")
        try:
            claims = vapid_claims(request.headers.get("Authorization", ""), origin=self.url, now=time.time())
        except (ValueError, KeyError) as exc:
            return self._refuse(401, f"VAPID: {exc}")
        if request.headers.get("Content-Encoding") != "aes128gcm":
            return self._refuse(400, f"Content-Encoding {request.headers.get('Content-Encoding')!r}")
        if not request.headers.get("TTL", "").isdigit():
            return self._refuse(400, "TTL missing")
        if request.headers.get("Urgency", "normal") not in URGENCIES:
            return self._refuse(400, f"Urgency {request.headers.get('Urgency')!r}")
        body = await request.read()
        try:
            plain = http_ece.decrypt(
                body, private_key=subscription.private_key, auth_secret=subscription.auth, version="aes128gcm"
            )
            payload = json.loads(plain)
        except Exception as exc:  # http_ece raises its own ECEException, cryptography InvalidTag
            return self._refuse(400, f"undecryptable body: {exc!r}")
        answer = subscription.script.pop(0) if subscription.script else "201"
        self.received.append(
            Received(
                subscription_id,
                {name.lower(): value for name, value in request.headers.items()},
                claims,
                payload,
                time.time(),
            )
        )
        status, _, retry_after = answer.partition(":")
        if status == "201":
            location = f"{self.url}/message/{next(self._messages)}"
            return web.Response(status=201, headers={"Location": location})
        headers = {"Retry-After": retry_after} if retry_after else {}
        return web.Response(status=int(status), text=f"scripted {answer}", headers=headers)
