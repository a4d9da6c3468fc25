import asyncio
import json
import logging
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def _too_large(limit: int) -> dict[str, Any]:
    return {
        "detail": _("La requête est trop volumineuse (%(max)d Mo au plus).")
        % {"max": limit // (1024 * 1024)},
        "errors": {},
    }


class RequestBodyLimitMiddleware:
    """Refuses a request whose declared body is larger than REQUEST_BODY_MAX_BYTES, before parsing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_BODY_MAX_BYTES
        if length > limit:
            return JsonResponse(_too_large(limit), status=413)
        return self.get_response(request)


logger = logging.getLogger(__name__)


Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Application = Callable[..., Awaitable[None]]


class HttpOnly:
    """An ASGI middleware that acts on HTTP requests (`http`) and passes anything else (websockets,
    lifespan) through."""

    def __init__(self, application: Application) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.http(scope, receive, send)
        else:
            await self.application(scope, receive, send)

    async def http(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        raise NotImplementedError


class _BodyTooLarge(Exception):
    pass


class RequestBodyLimit(HttpOnly):
    """ASGI, in front of Django: a request body larger than REQUEST_BODY_MAX_BYTES gets a 413 (the API's
    error shape) before Django reads it. The declared Content-Length is checked first; the bytes are also
    counted as they arrive, since a chunked body declares no length (RequestBodyLimitMiddleware, which
    trusts Content-Length, never saw those)."""

    async def http(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        limit = settings.REQUEST_BODY_MAX_BYTES
        if _declared_length(scope) > limit:
            await _refuse(send, limit)
            return
        received = 0
        answered = False

        async def counting_receive() -> dict[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def watching_send(message: dict[str, Any]) -> None:
            nonlocal answered
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.application(scope, counting_receive, watching_send)
        except _BodyTooLarge:
            if not answered:
                await _refuse(send, limit)


def _declared_length(scope: dict[str, Any]) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(_too_large(limit), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --- a plain daphne that stops ----------------------------------------------------------------------

# How long a stopping daphne waits for the requests its threads are serving (see hold_stop_while_busy).
STOP_GRACE_SECONDS = 30.0
_busy = 0
_busy_lock = threading.Lock()
# Requests whose application instance the server cancelled, still finishing (see FinishWhenCancelled).
_finishing: set[asyncio.Future[None]] = set()


class FinishWhenCancelled(HttpOnly):
    """ASGI, in front of Django: a request that the server cancels still ends as usual.

    A plain daphne cancels every application instance on SIGTERM. Cancelled, Django's handler left its
    request running without it: the answer was never sent and `request_finished` never came, so the
    request's database connection never went back to the pool, and the requests after it waited for one.
    Here Django's handler runs as its own task, shielded from the cancellation; hold_stop_while_busy waits
    for the cancelled ones to finish."""

    async def http(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        request = asyncio.ensure_future(self.application(scope, receive, send))
        try:
            await asyncio.shield(request)
        except asyncio.CancelledError:
            if not request.done():
                _finishing.add(request)
                request.add_done_callback(_finishing.discard)
            raise


class BusyThreadsMiddleware:
    """Counts the requests being served in threads (the whole sync chain, view included)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        global _busy
        with _busy_lock:
            _busy += 1
        try:
            return self.get_response(request)
        finally:
            with _busy_lock:
                _busy -= 1


def busy_threads() -> int:
    return _busy


def hold_stop_while_busy() -> None:
    """Under daphne (Twisted's reactor), holds the reactor's stop until no thread serves a request and the
    cancelled requests have finished (FinishWhenCancelled).

    On SIGTERM a plain daphne cancels its application instances and stops its event loop. Cancelling
    Django's handler does not stop a request that a thread is serving: the thread goes on, and goes back
    to the loop (the middleware chain hops to it for the view; a publish after commit hands it events);
    once the loop has stopped it waits for it forever, and the interpreter, which joins its threads,
    never exits. A "before shutdown" trigger keeps the loop running until those threads are done
    (STOP_GRACE_SECONDS at most). backend.core.serve drains requests before it stops anyway; this makes
    `daphne backend.asgi:application` stop too. Elsewhere (tests, another server) it does nothing."""
    reactor: Any = sys.modules.get("twisted.internet.reactor")
    if reactor is None:
        return
    from twisted.internet import defer

    def until_idle() -> Any:
        idle: Any = defer.Deferred()
        deadline = time.monotonic() + STOP_GRACE_SECONDS

        def check() -> None:
            unfinished = max(busy_threads(), len(_finishing))
            if unfinished and time.monotonic() < deadline:
                reactor.callLater(0.02, check)
                return
            if unfinished:
                logger.warning("stopping while %d requests are still served", unfinished)
            idle.callback(None)

        check()
        return idle

    reactor.addSystemEventTrigger("before", "shutdown", until_idle)
