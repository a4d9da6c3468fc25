"""Push through Firebase Cloud Messaging with the firebase-admin SDK (`PUSH_BACKEND=fcm`).

Credentials: the service-account file of `GOOGLE_APPLICATION_CREDENTIALS` (the SDK honours its
`token_uri`) and `FIREBASE_PROJECT_ID`. `FCM_API_URL` (a base URL such as `http://127.0.0.1:9099`) points
the SDK at another endpoint, keeping its `/v1/projects/{id}/messages:send` path: staging and tests.

Sending: the SDK's batch call in chunks of 500, its asyncio flavour `messaging.send_each_async` (httpx,
HTTP/2 where the server offers it, else HTTP/1.1 keep-alive) on an event loop owned by the backend (one
thread per firebase App), `FCM_CHUNKS_IN_FLIGHT` chunks at once over `FCM_CONNECTIONS` connections. The
SDK's own `send_each` starts a thread per message, which on a small machine costs more CPU than the HTTP.

The SDK has no emulator for messaging, so the override lives in one function, `fcm_point_service()`,
which checks the SDK's private attribute before touching it and raises `ImproperlyConfigured` if an SDK
upgrade changed it (tests/backend/messaging/test_fcm_backend.py covers it).

Per token: UNREGISTERED, an invalid registration token and SENDER_ID_MISMATCH → INVALID (the worker
deactivates the device); QUOTA_EXCEEDED / RESOURCE_EXHAUSTED, UNAVAILABLE, INTERNAL and network errors →
TRANSIENT with the provider's Retry-After; anything else → FAILED with the error kept.
"""

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Coroutine, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
import firebase_admin
import google.auth.credentials
import google.auth.transport.requests
import httpx
import requests
import yarl
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from firebase_admin import _http_client, credentials, exceptions, messaging
from urllib3.util import retry

from backend.messaging.backends.base import (
    PushMessage,
    PushOutcome,
    PushResult,
    TransientError,
    retry_after_seconds,
)

logger = logging.getLogger(__name__)

FCM_SEND_PATH = "/v1/projects/{project_id}/messages:send"
FCM_DEFAULT_BASE = "https://fcm.googleapis.com"

# The worker retries with its own backoff, honouring Retry-After through `not_before`: the HTTP layer
# retries only a failed connection (nothing was sent), never a status, never a read (FCM takes no
# idempotency key, a repeated read could deliver twice).
_NO_STATUS_RETRY = retry.Retry(total=1, connect=1, read=0, status=0, redirect=0, other=0)

INVALID_TOKEN_CODES = frozenset({"UNREGISTERED", "SENDER_ID_MISMATCH"})
TRANSIENT_CODES = frozenset({"QUOTA_EXCEEDED", "RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL"})


@dataclass(frozen=True)
class FcmConfig:
    project_id: str
    credentials_path: str = ""
    api_url: str = ""
    # HTTP connections kept open to FCM (HTTP/1.1: one request in flight per connection).
    connections: int = 100
    timeout_seconds: float = 30.0
    # Chunks of 500 sent at once by one send_many() call (the worker hands it this many chunks).
    chunks_in_flight: int = 4

    @classmethod
    def from_settings(cls) -> "FcmConfig":
        project_id = settings.FIREBASE_PROJECT_ID
        if not project_id:
            raise ImproperlyConfigured("PUSH_BACKEND=fcm needs FIREBASE_PROJECT_ID.")
        return cls(
            project_id=project_id,
            credentials_path=settings.GOOGLE_APPLICATION_CREDENTIALS,
            api_url=settings.FCM_API_URL,
            connections=int(getattr(settings, "FCM_CONNECTIONS", 100)),
            timeout_seconds=float(getattr(settings, "FCM_TIMEOUT_SECONDS", 30)),
            chunks_in_flight=max(int(getattr(settings, "FCM_CHUNKS_IN_FLIGHT", 4)), 1),
        )


def fcm_send_url(*, project_id: str, api_url: str = "") -> str:
    return (api_url or FCM_DEFAULT_BASE).rstrip("/") + FCM_SEND_PATH.format(project_id=project_id)


def fcm_point_service(service: Any, *, project_id: str, api_url: str = "", connections: int = 100) -> None:
    """THE one place that bends the SDK: the endpoint (`FCM_API_URL`) and the HTTP connection pools.

    Relies on the SDK's private `_MessagingService._fcm_url`, `._client.session` and
    `._async_client._async_client`; fails loudly when a firebase-admin upgrade moved them, instead of
    silently sending staging pushes to the real FCM.
    """
    expected = messaging._MessagingService.FCM_URL.format(project_id)
    if getattr(service, "_fcm_url", None) != expected or expected != fcm_send_url(project_id=project_id):
        raise ImproperlyConfigured(
            "firebase-admin no longer keeps its FCM endpoint in _MessagingService._fcm_url "
            f"(found {getattr(service, '_fcm_url', None)!r}): update fcm_point_service() before upgrading."
        )
    session = getattr(getattr(service, "_client", None), "session", None)
    if not isinstance(session, requests.Session):
        raise ImproperlyConfigured("firebase-admin no longer sends through a requests session: see fcm.py.")
    base = (api_url or FCM_DEFAULT_BASE).rstrip("/")
    adapter = requests.adapters.HTTPAdapter(
        pool_connections=4, pool_maxsize=connections, pool_block=True, max_retries=_NO_STATUS_RETRY
    )
    session.mount(base, adapter)
    _point_async_client(service, connections=connections)
    service._fcm_url = fcm_send_url(project_id=project_id, api_url=api_url)


def _point_async_client(service: Any, *, connections: int) -> None:
    """send_each_async's httpx client, rebuilt with the SDK's auth flow, headers and timeout but our
    transport: a pool of `connections` kept alive (httpx keeps only 20 by default, so a burst of 100 in
    flight reopens connections), HTTP/2 where offered (ALPN; a plain-http URL speaks HTTP/1.1), and, as for
    requests above, a retry of a failed connection only: the SDK's transport retries 500/503 itself
    (4 times, ignoring our Retry-After handling) and FCM takes no idempotency key."""
    wrapper = getattr(service, "_async_client", None)
    client = getattr(wrapper, "_async_client", None)
    if not isinstance(wrapper, _http_client.HttpxAsyncClient) or not isinstance(client, httpx.AsyncClient):
        raise ImproperlyConfigured(
            "firebase-admin no longer sends send_each_async through HttpxAsyncClient._async_client: "
            "update fcm_point_service() before upgrading."
        )
    credential = getattr(client.auth, "_credential", None)
    if not isinstance(credential, google.auth.credentials.Credentials):
        raise ImproperlyConfigured(
            "firebase-admin's async auth flow no longer holds _credential: see fcm.py."
        )
    wrapper._async_client = _CookielessAsyncClient(
        timeout=client.timeout,
        headers=client.headers,
        auth=CredentialAuth(credential),
        transport=AiohttpTransport(connections=connections),
    )


class _NoCookies(httpx.Cookies):
    """A cookie store that keeps nothing: FCM's API sets no cookies, and the SDK sends none."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class _CookielessAsyncClient(httpx.AsyncClient):
    """httpx's client, every request still built, authorised and read by it, without the cookie store:
    for each response httpx copied the request into urllib's cookie objects to look for a Set-Cookie
    header (a twentieth of a worker's CPU per message)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cookies = _NoCookies()


class CredentialAuth(httpx.Auth):
    """The SDK's GoogleAuthCredentialFlow, cheaper: it made a requests.Session and checked the token's
    expiry on every request (a sixth of the CPU per message); here the Authorization header is looked at
    once a second (google-auth refreshes a few minutes before expiry), and a 401 forces a refresh and one
    more try, as the SDK does."""

    def __init__(self, credential: google.auth.credentials.Credentials) -> None:
        self._credential = credential
        self._transport = google.auth.transport.requests.Request()
        self._headers: dict[str, str] = {}
        self._checked = -1.0
        self._lock = threading.Lock()

    def _auth_headers(self, *, force: bool = False) -> dict[str, str]:
        now = time.monotonic()
        if force or now - self._checked >= 1.0:
            with self._lock:
                if force:
                    self._credential.refresh(self._transport)
                headers: dict[str, str] = {}
                self._credential.before_request(self._transport, "POST", "", headers)
                self._headers, self._checked = headers, now
        return self._headers

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # Header by header: httpx's Headers.update() builds a Headers object and looks every key up twice.
        for name, value in self._auth_headers().items():
            request.headers[name] = value
        response = yield request
        if response.status_code == 401:
            for name, value in self._auth_headers(force=True).items():
                request.headers[name] = value
            yield request


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx's transport interface over aiohttp's client (HTTP/1.1 keep-alive, `connections` of them).

    The SDK still builds, authorises and reads every request through its httpx client; only the bytes
    travel through aiohttp. httpcore's pool checked every pooled connection (a getpeername and a poll
    system call each) for every request: with 100 connections that, not the HTTP, was the worker's CPU.
    aiohttp speaks no HTTP/2: FCM takes HTTP/1.1 as well, over more connections.
    A failed connection is retried once (nothing was sent); a request that went out never is.
    """

    def __init__(self, *, connections: int) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    def _client_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections, keepalive_timeout=60),
                # No skip_auto_headers: httpx's request already carries Accept, Accept-Encoding,
                # User-Agent and Content-Type, so aiohttp adds none of its own (and skips its costly check).
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    # One endpoint and one timeout: built once, not per message.
    @staticmethod
    @functools.lru_cache(maxsize=16)
    def _timeout(connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)

    @staticmethod
    @functools.lru_cache(maxsize=64)
    def _url(text: str) -> yarl.URL:
        return yarl.URL(text, encoded=True)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        timeout = self._timeout(timeouts.get("connect"), timeouts.get("read"))
        try:  # httpx's headers are ASCII in practice; its multi_items() guesses their encoding each time
            headers = [
                (name.decode("ascii"), value.decode("ascii"))
                for name, value in request.headers.raw
                if name.lower() != b"host"
            ]
        except UnicodeDecodeError:
            headers = [
                (name, value) for name, value in request.headers.multi_items() if name.lower() != "host"
            ]
        body = await request.aread()
        for attempt in (1, 2):
            try:
                async with self._client_session().request(
                    request.method, self._url(str(request.url)), headers=headers, data=body, timeout=timeout
                ) as response:
                    content = await response.read()
                    kept = [
                        (name, value)
                        for name, value in response.headers.items()
                        if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
                    ]
                    return httpx.Response(response.status, headers=kept, content=content, request=request)
            except aiohttp.ClientConnectorError as exc:
                if attempt == 2:
                    raise httpx.ConnectError(str(exc), request=request) from exc
            except TimeoutError as exc:
                raise httpx.ReadTimeout(str(exc) or "timed out", request=request) from exc
            except aiohttp.ClientError as exc:
                raise httpx.ReadError(str(exc), request=request) from exc
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


_T = TypeVar("_T")


class _LoopThread:
    """An event loop in a daemon thread, owned by one firebase App: httpx's connections belong to the
    loop that opened them, so every send_each_async of that App runs here, whoever calls send_many()."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()


_apps: dict[tuple[Any, ...], firebase_admin.App] = {}
_loops: dict[str, _LoopThread] = {}
_apps_lock = threading.Lock()


def _credential(config: FcmConfig) -> credentials.Base:
    if config.credentials_path:
        return credentials.Certificate(config.credentials_path)
    return credentials.ApplicationDefault()


def fcm_app(config: FcmConfig, *, credential: credentials.Base | None = None) -> firebase_admin.App:
    """One firebase App per configuration, made once per process, its messaging service pointed."""
    key = (config, id(credential) if credential is not None else None)
    with _apps_lock:
        app = _apps.get(key)
        if app is None:
            app = firebase_admin.initialize_app(
                credential or _credential(config),
                options={"projectId": config.project_id, "httpTimeout": config.timeout_seconds},
                name=f"vigie-fcm-{len(_apps)}-{time.monotonic_ns()}",
            )
            fcm_point_service(
                messaging._get_messaging_service(app),
                project_id=config.project_id,
                api_url=config.api_url,
                connections=config.connections,
            )
            _apps[key] = app
            # httpx logs each request at INFO: a line per push message, and CPU the worker needs.
            logging.getLogger("httpx").setLevel(logging.WARNING)
            _loops[app.name] = _LoopThread(f"{app.name}-loop")
    return app


def fcm_loop(app: firebase_admin.App) -> _LoopThread:
    return _loops[app.name]


_PayloadKey = tuple[str, str, str, tuple[tuple[str, str], ...]]


def _payload_key(message: PushMessage) -> _PayloadKey:
    # The data values as the payload will carry them (strings): equal keys, equal payloads.
    return (
        message.title,
        message.body,
        message.priority,
        tuple((k, str(v)) for k, v in message.data.items()),
    )


def _payload_parts(message: PushMessage) -> dict[str, Any]:
    """Notification + data payload; "high" → Android high priority and APNs time-sensitive."""
    high = message.priority == "high"
    return {
        "notification": messaging.Notification(title=message.title, body=message.body),
        "data": {key: str(value) for key, value in message.data.items()},
        "android": messaging.AndroidConfig(
            priority="high" if high else "normal",
            notification=messaging.AndroidNotification(
                channel_id="alerts" if high else "advice",
                default_sound=True,
            ),
        ),
        "apns": messaging.APNSConfig(
            headers={"apns-priority": "10" if high else "5", "apns-push-type": "alert"},
            payload=messaging.APNSPayload(
                aps=messaging.Aps(
                    sound="default",
                    custom_data={"interruption-level": "time-sensitive" if high else "active"},
                )
            ),
        ),
    }


def fcm_message(message: PushMessage, parts: dict[str, Any] | None = None) -> messaging.Message:
    """The SDK's Message for one token. `parts` (from _payload_parts) may be shared by the messages of
    one payload, as the SDK's MulticastMessage shares them between its tokens: the SDK only reads them."""
    built = messaging.Message(**(parts if parts is not None else _payload_parts(message)))
    # firebase-admin 7.7 deprecates the `token=` argument for Firebase installation ids (`fid`) and
    # warns on every message; the apps register FCM registration tokens, which the HTTP v1 API still
    # takes in `message.token`, and the SDK's encoder still reads that attribute.
    built.token = message.token
    return built


def _fcm_error_code(error: exceptions.FirebaseError) -> str:
    """FCM's own errorCode when the response has one (UNREGISTERED…), else the canonical code."""
    response = getattr(error, "http_response", None)
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = None
        details = (body or {}).get("error", {}).get("details", []) if isinstance(body, dict) else []
        for detail in details:
            if detail.get("@type") == "type.googleapis.com/google.firebase.fcm.v1.FcmError":
                return str(detail.get("errorCode") or error.code)
    return str(error.code)


def _is_token_error(error: exceptions.FirebaseError) -> bool:
    """INVALID_ARGUMENT about the registration token itself, not about the payload."""
    text = str(error).lower()
    if "registration token" in text:
        return True
    response = getattr(error, "http_response", None)
    if response is None:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    for detail in (body or {}).get("error", {}).get("details", []) if isinstance(body, dict) else []:
        for violation in detail.get("fieldViolations", []) or []:
            if violation.get("field") == "message.token":
                return True
    return False


def push_result_for_error(error: Exception | None) -> PushResult:
    if not isinstance(error, exceptions.FirebaseError):
        return PushResult(PushOutcome.TRANSIENT, error=f"unexpected: {error}")
    code = _fcm_error_code(error)
    text = f"{code}: {error}"[:2000]
    response = getattr(error, "http_response", None)
    if code in INVALID_TOKEN_CODES or (code == "INVALID_ARGUMENT" and _is_token_error(error)):
        return PushResult(PushOutcome.INVALID, error=text)
    if code in TRANSIENT_CODES or response is None:
        # No response at all: a network failure or a timeout; the message may or may not have left.
        retry_after = (
            retry_after_seconds(response.headers.get("Retry-After")) if response is not None else None
        )
        return PushResult(PushOutcome.TRANSIENT, error=text, retry_after=retry_after)
    return PushResult(PushOutcome.FAILED, error=text)


class FcmPushBackend:
    batch_size = 500

    def __init__(
        self, config: FcmConfig | None = None, *, credential: credentials.Base | None = None
    ) -> None:
        self.config = config or FcmConfig.from_settings()
        self.app = fcm_app(self.config, credential=credential)
        self.loop = fcm_loop(self.app)
        self.chunks_in_flight = self.config.chunks_in_flight

    def send_many(self, messages: list[PushMessage]) -> list[PushResult]:
        """Chunks of 500 through the SDK's batch call, `chunks_in_flight` of them at once; the results
        come back when every chunk of the call was answered (the worker then writes the receipts)."""
        results: list[PushResult | None] = [None] * len(messages)
        chunks: list[tuple[list[int], list[messaging.Message]]] = []
        # A broadcast sends one payload to many tokens: its parts are built once.
        parts: dict[_PayloadKey, dict[str, Any] | Exception] = {}
        for start in range(0, len(messages), self.batch_size):
            positions: list[int] = []
            built: list[messaging.Message] = []
            for position in range(start, min(start + self.batch_size, len(messages))):
                message = messages[position]
                key = _payload_key(message)
                shared = parts.get(key)
                if shared is None:
                    try:
                        shared = parts[key] = _payload_parts(message)
                    except (TypeError, ValueError) as exc:
                        shared = parts[key] = exc
                try:
                    if isinstance(shared, Exception):
                        raise shared
                    built.append(fcm_message(message, shared))
                except (TypeError, ValueError) as exc:  # a message the SDK refuses to encode
                    results[position] = PushResult(PushOutcome.FAILED, error=f"invalid message: {exc}")
                    continue
                positions.append(position)
            if built:
                chunks.append((positions, built))
        if chunks:
            answers = self.loop.run(self._send_chunks([built for _, built in chunks]))
            if all(isinstance(answer, exceptions.FirebaseError) for answer in answers):
                first = answers[0]
                assert isinstance(first, exceptions.FirebaseError)
                raise TransientError(f"FCM batch failed: {first}") from first
            for (positions, _), answer in zip(chunks, answers, strict=True):
                if isinstance(answer, exceptions.FirebaseError):  # that chunk as a whole was not sent
                    for position in positions:
                        results[position] = PushResult(
                            PushOutcome.TRANSIENT, error=f"FCM batch failed: {answer}"
                        )
                    continue
                for position, response in zip(positions, answer.responses, strict=True):
                    if response.success:
                        results[position] = PushResult(
                            PushOutcome.SENT, provider_id=str(response.message_id or "")
                        )
                    else:
                        results[position] = push_result_for_error(response.exception)
        return [result for result in results if result is not None]

    async def _send_chunks(
        self, chunks: list[list[messaging.Message]]
    ) -> list[messaging.BatchResponse | exceptions.FirebaseError]:
        gate = asyncio.Semaphore(self.chunks_in_flight)

        async def one(built: list[messaging.Message]) -> messaging.BatchResponse | exceptions.FirebaseError:
            async with gate:
                try:
                    return await messaging.send_each_async(built, dry_run=False, app=self.app)
                except exceptions.FirebaseError as exc:
                    return exc

        return list(await asyncio.gather(*(one(built) for built in chunks)))
