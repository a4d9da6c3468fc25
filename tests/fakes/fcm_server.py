"""A local fake of FCM's HTTP v1 API and of Google's OAuth token endpoint, for tests and benchmarks.

- `POST /v1/projects/{project}/messages:send` answers like FCM: `{"name": "projects/p/messages/N"}`, or
  the error scripted for the message's token (FCM's error JSON, with `Retry-After` when asked).
- `POST /token` answers a service account's JWT-bearer grant with a static access token, so a
  service-account JSON whose `token_uri` points here works with the real SDK.
- Control (JSON): `POST /_script` {token: [outcome, …]}, `POST /_config` {"delay": s, "record": bool},
  `POST /_reset`, `GET /_stats` → {"total", "distinct", "duplicates", "unauthorized", "tokens_issued"}
  with the wall-clock times of the first and last answered message (`?full=1` adds "counts" per token and the recorded "payloads").

Outcomes: "ok", "UNREGISTERED", "INVALID_TOKEN", "INVALID_PAYLOAD", "SENDER_ID_MISMATCH",
"THIRD_PARTY_AUTH_ERROR", "500", "503" or "503:<retry-after>", "429" or "429:<retry-after>".

In a test: `with FakeFcmServer() as fake: fake.url …` (its own thread and event loop).
As a process (benchmarks): `python -m tests.fakes.fcm_server [--port 0]` prints `listening on <url>`.
"""

import argparse
import asyncio
import itertools
import json
import time
import urllib.request
from collections import Counter
from typing import Any

from aiohttp import web

from tests.fakes.threaded import ThreadedServer

ACCESS_TOKEN = "fake-fcm-access-token"
FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"

_ERRORS: dict[str, tuple[int, str, str, str]] = {
    # outcome: (HTTP status, canonical status, FCM errorCode, message)
    "UNREGISTERED": (404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found."),
    "INVALID_TOKEN": (
        400,
        "INVALID_ARGUMENT",
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
    ),
    "INVALID_PAYLOAD": (400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid value at 'message.data'"),
    "SENDER_ID_MISMATCH": (403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch"),
    "THIRD_PARTY_AUTH_ERROR": (
        401,
        "UNAUTHENTICATED",
        "THIRD_PARTY_AUTH_ERROR",
        "Auth error from APNS or Web Push Service",
    ),
    "500": (500, "INTERNAL", "INTERNAL", "Internal error encountered."),
    "503": (503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable."),
    "429": (429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded for sending messages."),
}


class FakeFcmState:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.counts: Counter[str] = Counter()
        self.total = 0
        self.unauthorized = 0
        self.tokens_issued = 0
        self.script: dict[str, list[str]] = {}
        self.payloads: dict[str, dict[str, Any]] = {}
        self.headers: dict[str, dict[str, str]] = {}
        self.delay = 0.0
        self.record = True
        self.ids = itertools.count(1)
        self.first_at: float | None = None
        self.last_at: float | None = None

    def stats(self, *, full: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = {
            "total": self.total,
            "distinct": len(self.counts),
            "duplicates": {token: n for token, n in self.counts.items() if n > 1},
            "unauthorized": self.unauthorized,
            "tokens_issued": self.tokens_issued,
            "first_at": self.first_at,
            "last_at": self.last_at,
        }
        if full:
            result["counts"] = dict(self.counts)
            result["payloads"] = self.payloads
            result["headers"] = self.headers
        return result


def _error(outcome: str) -> web.Response:
    name, _, retry_after = outcome.partition(":")
    status, canonical, code, message = _ERRORS[name]
    details: list[dict[str, Any]] = [{"@type": FCM_ERROR_TYPE, "errorCode": code}]
    if name == "INVALID_TOKEN":
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": "message.token", "description": message}],
            }
        )
    headers = {"Retry-After": retry_after} if retry_after else {}
    body = {"error": {"code": status, "message": message, "status": canonical, "details": details}}
    return web.json_response(body, status=status, headers=headers)


def make_app(state: FakeFcmState) -> web.Application:
    async def send(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            state.unauthorized += 1
            return web.json_response(
                {
                    "error": {
                        "code": 401,
                        "message": "Request had invalid credentials.",
                        "status": "UNAUTHENTICATED",
                    }
                },
                status=401,
            )
        body = await request.json()
        token = body.get("message", {}).get("token", "")
        state.total += 1
        state.counts[token] += 1
        if state.record:
            state.payloads[token] = body
            state.headers[token] = {k: v for k, v in request.headers.items() if k.lower().startswith("x-")}
        if state.delay:
            await asyncio.sleep(state.delay)
        scripted = state.script.get(token)
        outcome = scripted.pop(0) if scripted else "ok"
        state.last_at = time.time()
        if state.first_at is None:
            state.first_at = state.last_at
        if outcome != "ok":
            return _error(outcome)
        project = request.match_info["project"]
        return web.json_response({"name": f"projects/{project}/messages/{next(state.ids)}"})

    async def token(request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" or not form.get(
            "assertion"
        ):
            return web.json_response({"error": "invalid_grant"}, status=400)
        state.tokens_issued += 1
        return web.json_response({"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"})

    async def script(request: web.Request) -> web.Response:
        for key, outcomes in (await request.json()).items():
            state.script[key] = list(outcomes)
        return web.json_response({"ok": True})

    async def config(request: web.Request) -> web.Response:
        body = await request.json()
        state.delay = float(body.get("delay", state.delay))
        state.record = bool(body.get("record", state.record))
        return web.json_response({"ok": True})

    async def reset(request: web.Request) -> web.Response:
        state.reset()
        return web.json_response({"ok": True})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(state.stats(full=request.query.get("full") == "1"))

    app = web.Application()
    app.router.add_post("/v1/projects/{project}/messages:send", send)
    app.router.add_post("/token", token)
    app.router.add_post("/_script", script)
    app.router.add_post("/_config", config)
    app.router.add_post("/_reset", reset)
    app.router.add_get("/_stats", stats)
    return app


class FakeFcmServer(ThreadedServer):
    """The fake in a background thread with its own event loop, on 127.0.0.1 and a free port."""

    def __init__(self) -> None:
        super().__init__()
        self.state = FakeFcmState()
        self.url = ""

    def start(self) -> "FakeFcmServer":
        port = self._serve(lambda: make_app(self.state))
        self.url = f"http://127.0.0.1:{port}"
        return self

    def script(self, outcomes: dict[str, list[str]]) -> None:
        self._loop.call_soon_threadsafe(self.state.script.update, {k: list(v) for k, v in outcomes.items()})


def control(url: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """Calls the control API of a fake running in another process."""
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(  # noqa: S310 (a local test URL)
        url.rstrip("/") + path, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        result: dict[str, Any] = json.loads(response.read())
        return result


def service_account_info(url: str, *, project_id: str) -> dict[str, str]:
    """A service-account JSON with a fresh RSA key whose token_uri is the fake's /token."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": "fake-key",
        "private_key": pem,
        "client_email": f"vigie@{project_id}.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": url.rstrip("/") + "/token",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    state = FakeFcmState()
    state.record = False

    async def serve() -> None:
        runner = web.AppRunner(make_app(state), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", args.port, backlog=1024).start()
        print(f"listening on http://127.0.0.1:{runner.addresses[0][1]}", flush=True)
        await asyncio.Event().wait()

    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve())


if __name__ == "__main__":
    main()
