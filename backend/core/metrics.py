"""Prometheus metrics, written by hand in the text exposition format (no extra dependency).

Two kinds of numbers:

- **Process counters** kept in memory by this process: HTTP requests (by method, view, status), their
  duration (histogram) and the websockets open now. Each daphne process has its own: Prometheus scrapes
  every daphne directly (not through nginx), and `sum()` adds them up.
- **Gauges read from the database** at scrape time (the same on every process): deliveries by status, the
  age of the oldest due delivery, dead deliveries of the last day, and whatever the apps register with
  `register_gauge()` (alerts registers the moderation queue depth and the unacknowledged dispatches from
  its `AppConfig.ready()`: the kernel never imports alerts).

Websockets are counted for every socket once accepted, by `WebsocketMetrics` around the whole websocket
application in backend/asgi.py; consumers need not call anything. `websocket_opened()` and
`websocket_closed()` remain for code that manages sockets by itself.

/metrics is protected (see `metrics_allowed`): a bearer token (`METRICS_TOKEN`) or a direct request from
an address in `METRICS_ALLOWED_IPS`; anyone else gets a plain 404.
"""

import hmac
import ipaddress
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# A sample: labels → value; a gauge function returns either a number or such samples.
Labels = tuple[tuple[str, str], ...]
GaugeValue = float | int | Iterable[tuple[dict[str, str], float | int]]


@dataclass(frozen=True)
class Gauge:
    name: str
    help: str
    func: Callable[[], GaugeValue]


_lock = threading.Lock()
_requests: dict[Labels, int] = {}
_duration_buckets: dict[Labels, list[int]] = {}
_duration_sum: dict[Labels, float] = {}
_duration_count: dict[Labels, int] = {}
_websockets: dict[Labels, int] = {}
_websockets_total: dict[Labels, int] = {}
_gauges: dict[str, Gauge] = {}


# --- the API that code calls ---------------------------------------------------------------------


def register_gauge(name: str, help: str, func: Callable[[], GaugeValue]) -> None:
    """Adds a gauge computed at each scrape. `func` returns a number, or (labels, number) pairs.

    Called from an AppConfig.ready(); registering a name again replaces it (autoreload, tests).
    A gauge whose function raises is left out of that scrape (and logged), never the whole page.
    """
    if not name.startswith("vigie_"):
        raise ValueError(f"metric names start with vigie_: {name!r}")
    _gauges[name] = Gauge(name=name, help=help, func=func)


def unregister_gauge(name: str) -> None:
    _gauges.pop(name, None)


def request_observed(*, method: str, view: str, status: int, seconds: float) -> None:
    labels: Labels = (("method", method), ("status", str(status)), ("view", view))
    timing: Labels = (("method", method), ("view", view))
    with _lock:
        _requests[labels] = _requests.get(labels, 0) + 1
        buckets = _duration_buckets.setdefault(timing, [0] * len(DURATION_BUCKETS))
        for index, bound in enumerate(DURATION_BUCKETS):
            if seconds <= bound:
                buckets[index] += 1
        _duration_sum[timing] = _duration_sum.get(timing, 0.0) + seconds
        _duration_count[timing] = _duration_count.get(timing, 0) + 1


def websocket_opened(path: str = "") -> None:
    labels: Labels = (("path", path),)
    with _lock:
        _websockets[labels] = _websockets.get(labels, 0) + 1
        _websockets_total[labels] = _websockets_total.get(labels, 0) + 1


def websocket_closed(path: str = "") -> None:
    labels: Labels = (("path", path),)
    with _lock:
        _websockets[labels] = max(_websockets.get(labels, 0) - 1, 0)


def websockets_open() -> int:
    with _lock:
        return sum(_websockets.values())


def reset() -> None:
    """Forgets the process counters (tests)."""
    with _lock:
        for store in (_requests, _duration_buckets, _duration_sum, _duration_count, _websockets):
            store.clear()
        _websockets_total.clear()


# --- ASGI wrapper counting websockets ------------------------------------------------------------

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class WebsocketMetrics:
    """Counts a websocket from its `websocket.accept` until its application returns; logs both ends."""

    def __init__(self, application: Callable[[Scope, Receive, Send], Awaitable[Any]]) -> None:
        self.application = application

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        path = str(scope.get("path", ""))
        accepted_at: float | None = None

        async def counting_send(message: dict[str, Any]) -> None:
            nonlocal accepted_at
            if message.get("type") == "websocket.accept" and accepted_at is None:
                accepted_at = time.monotonic()
                websocket_opened(path)
                logger.info("websocket opened", extra={"path": path})
            await send(message)

        try:
            return await self.application(scope, receive, counting_send)
        finally:
            if accepted_at is not None:
                websocket_closed(path)
                logger.info(
                    "websocket closed",
                    extra={"path": path, "duration_ms": round((time.monotonic() - accepted_at) * 1000)},
                )


# --- kernel gauges (messaging) -------------------------------------------------------------------


def _deliveries_by_status() -> list[tuple[dict[str, str], int]]:
    from backend.messaging.models import Delivery

    counts = dict(
        Delivery.objects.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return [({"status": status}, counts.get(status, 0)) for status in Delivery.Status.values]


def _oldest_due_delivery_age() -> float:
    """Seconds since the oldest delivery became due and is still not sent (0 when none is waiting).

    Due: queued with `not_before` passed (retries in backoff are not late), or `sending` with a lapsed
    lease (its worker died).
    """
    from backend.messaging.models import Delivery

    now = timezone.now()
    oldest = Delivery.objects.filter(
        Q(status=Delivery.Status.QUEUED, not_before__lte=now)
        | Q(status=Delivery.Status.SENDING, lease_until__lt=now)
    ).aggregate(oldest=Min("not_before"))["oldest"]
    return max((now - oldest).total_seconds(), 0.0) if oldest else 0.0


def _dead_deliveries_last_day() -> int:
    from backend.messaging.models import Delivery

    since = timezone.now() - timedelta(days=1)
    return Delivery.objects.filter(status=Delivery.Status.FAILED, created_at__gte=since).count()


register_gauge(
    "vigie_deliveries",
    "Deliveries (SMS, push, webhooks) in the outbox, by status.",
    _deliveries_by_status,
)
register_gauge(
    "vigie_delivery_oldest_due_age_seconds",
    "Age of the oldest delivery that is due and not sent yet (0 when none).",
    _oldest_due_delivery_age,
)
register_gauge(
    "vigie_deliveries_dead_last_day",
    "Deliveries created in the last 24 hours that failed for good (dead after the last try).",
    _dead_deliveries_last_day,
)


# --- exposition ----------------------------------------------------------------------------------


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: Iterable[tuple[str, str]]) -> str:
    parts = [f'{key}="{_escape(value)}"' for key, value in labels]
    return "{" + ",".join(parts) + "}" if parts else ""


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _header(lines: list[str], name: str, help: str, kind: str) -> None:
    lines.append(f"# HELP {name} {help}")
    lines.append(f"# TYPE {name} {kind}")


def render() -> str:
    """The whole page in Prometheus text format 0.0.4."""
    lines: list[str] = []
    with _lock:
        requests = dict(_requests)
        buckets = {key: list(value) for key, value in _duration_buckets.items()}
        sums = dict(_duration_sum)
        counts = dict(_duration_count)
        websockets = dict(_websockets)
        websockets_total = dict(_websockets_total)

    _header(lines, "vigie_http_requests_total", "HTTP requests answered by this process.", "counter")
    for labels, value in sorted(requests.items()):
        lines.append(f"vigie_http_requests_total{_labels(labels)} {value}")

    _header(
        lines,
        "vigie_http_request_duration_seconds",
        "Time to answer HTTP requests (this process).",
        "histogram",
    )
    for labels, values in sorted(buckets.items()):
        for bound, value in zip(DURATION_BUCKETS, values, strict=True):
            bucket = _labels((*labels, ("le", _number(bound))))
            lines.append(f"vigie_http_request_duration_seconds_bucket{bucket} {value}")
        lines.append(
            f"vigie_http_request_duration_seconds_bucket{_labels((*labels, ('le', '+Inf')))} {counts[labels]}"
        )
        lines.append(f"vigie_http_request_duration_seconds_sum{_labels(labels)} {_number(sums[labels])}")
        lines.append(f"vigie_http_request_duration_seconds_count{_labels(labels)} {counts[labels]}")

    _header(lines, "vigie_websockets_open", "Websockets open on this process now.", "gauge")
    if not websockets:
        lines.append("vigie_websockets_open 0")
    for labels, value in sorted(websockets.items()):
        lines.append(f"vigie_websockets_open{_labels(labels)} {value}")
    _header(lines, "vigie_websockets_opened_total", "Websockets accepted by this process.", "counter")
    for labels, value in sorted(websockets_total.items()):
        lines.append(f"vigie_websockets_opened_total{_labels(labels)} {value}")

    failed: list[str] = []
    for gauge in sorted(_gauges.values(), key=lambda g: g.name):
        try:
            result = gauge.func()
            if not isinstance(result, int | float):
                result = list(result)
        except Exception:  # one broken gauge (table missing, database down) must not hide the others
            logger.exception("metric %s failed", gauge.name)
            failed.append(gauge.name)
            continue
        _header(lines, gauge.name, gauge.help, "gauge")
        if isinstance(result, int | float):
            lines.append(f"{gauge.name} {_number(result)}")
        else:
            for labels_dict, sample in result:
                lines.append(f"{gauge.name}{_labels(sorted(labels_dict.items()))} {_number(sample)}")

    _header(lines, "vigie_metrics_errors", "Gauges that could not be computed in this scrape.", "gauge")
    lines.append(f"vigie_metrics_errors {len(failed)}")
    _header(lines, "vigie_process_start_time_seconds", "Start time of this process (Unix time).", "gauge")
    lines.append(f"vigie_process_start_time_seconds {_number(round(_STARTED, 3))}")
    return "\n".join(lines) + "\n"


_STARTED = time.time()


# --- access control and the view -----------------------------------------------------------------


def _client_is_allowed(request: HttpRequest) -> bool:
    """A direct request (no proxy header) from an allowed address. Behind nginx, REMOTE_ADDR is nginx:
    a proxied request is never allowed by address (nginx also refuses /metrics from outside)."""
    networks = settings.METRICS_ALLOWED_IPS
    if not networks or "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_X_REAL_IP" in request.META:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for network in networks:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            logger.warning("METRICS_ALLOWED_IPS: %r is not an address or a network", network)
    return False


def _token_is_valid(request: HttpRequest) -> bool:
    expected = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not expected or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), expected.encode())


def metrics_allowed(request: HttpRequest) -> bool:
    return _token_is_valid(request) or _client_is_allowed(request)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        # The same answer as any unknown address: the page's existence is not advertised.
        return HttpResponse("Not Found\n", status=404, content_type="text/plain; charset=utf-8")
    return HttpResponse(render(), content_type=CONTENT_TYPE)
