"""Prometheus metrics through `prometheus_client`, on Vigie's own registry.

Three kinds of numbers:

- **Process metrics** kept in memory by this process: HTTP requests (a Counter by method, view, status),
  their duration (a Histogram) and the websockets open now. Each daphne process has its own: Prometheus
  scrapes every daphne directly (not through nginx), and `sum()` adds them up.
- **The process itself** (`ProcessCollector`, `PlatformCollector`, `GCCollector`): CPU, memory, open files,
  start time (`vigie_process_start_time_seconds`), Python version, garbage collections.
- **Gauges read from the database** at scrape time (the same on every process) by one custom collector:
  deliveries by status, the age of the oldest due delivery, dead deliveries of the last day, and whatever
  the apps register with `register_gauge()` (alerts registers the moderation queue depth and the
  unacknowledged dispatches from its `AppConfig.ready()`: the kernel never imports alerts).

Websockets are counted for every socket once accepted, by `WebsocketMetrics` around the whole websocket
application in backend/asgi.py; consumers need not call anything. `websocket_opened()` and
`websocket_closed()` remain for code that manages sockets by itself.

/metrics is protected (see `metrics_allowed`): a bearer token (`METRICS_TOKEN`) or a direct request from
an address in `METRICS_ALLOWED_IPS`; anyone else gets a plain 404.
"""

import hmac
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# A gauge function returns either a number or (labels, number) pairs.
GaugeValue = float | int | Iterable[tuple[dict[str, str], float | int]]

# No `_created` series beside each counter and histogram: the page keeps the series it always had.
disable_created_metrics()
REGISTRY = CollectorRegistry()
ProcessCollector(namespace="vigie", registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

_REQUESTS = Counter(
    "vigie_http_requests_total",
    "HTTP requests answered by this process.",
    ["method", "status", "view"],
    registry=REGISTRY,
)
_DURATION = Histogram(
    "vigie_http_request_duration_seconds",
    "Time to answer HTTP requests (this process).",
    ["method", "view"],
    buckets=DURATION_BUCKETS,
    registry=REGISTRY,
)
# Exposed by the collector below (never registered by itself): it adds a lone 0 when no socket was opened.
_WEBSOCKETS_OPEN = Gauge(
    "vigie_websockets_open", "Websockets open on this process now.", ["path"], registry=None
)
_WEBSOCKETS_OPENED = Counter(
    "vigie_websockets_opened_total", "Websockets accepted by this process.", ["path"], registry=REGISTRY
)


@dataclass(frozen=True)
class _Gauge:
    name: str
    help: str
    func: Callable[[], GaugeValue]


_gauges: dict[str, _Gauge] = {}


# --- the API that code calls ---------------------------------------------------------------------


def register_gauge(name: str, help: str, func: Callable[[], GaugeValue]) -> None:
    """Adds a gauge computed at each scrape. `func` returns a number, or (labels, number) pairs.

    Called from an AppConfig.ready(); registering a name again replaces it (autoreload, tests).
    A gauge whose function raises is left out of that scrape (and logged), never the whole page.
    """
    if not name.startswith("vigie_"):
        raise ValueError(f"metric names start with vigie_: {name!r}")
    _gauges[name] = _Gauge(name=name, help=help, func=func)


def unregister_gauge(name: str) -> None:
    _gauges.pop(name, None)


def request_observed(*, method: str, view: str, status: int, seconds: float) -> None:
    _REQUESTS.labels(method=method, status=str(status), view=view).inc()
    _DURATION.labels(method=method, view=view).observe(seconds)


def websocket_opened(path: str = "") -> None:
    _WEBSOCKETS_OPEN.labels(path=path).inc()
    _WEBSOCKETS_OPENED.labels(path=path).inc()


def websocket_closed(path: str = "") -> None:
    _WEBSOCKETS_OPEN.labels(path=path).dec()


def _websockets_open_family() -> Metric:
    family = next(iter(_WEBSOCKETS_OPEN.collect()))
    if not family.samples:  # the series exists from the start (an alert rule sums it)
        family.add_sample("vigie_websockets_open", {}, 0)
    return family


def websockets_open() -> int:
    return int(sum(sample.value for sample in _websockets_open_family().samples))


def reset() -> None:
    """Forgets the process counters (tests)."""
    for metric in (_REQUESTS, _DURATION, _WEBSOCKETS_OPEN, _WEBSOCKETS_OPENED):
        metric.clear()


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


class _ScrapeTimeCollector(Collector):
    """The websockets open now, the registered gauges (read from the database at each scrape), and how
    many of those failed in this scrape."""

    def collect(self) -> Iterator[Metric]:
        yield _websockets_open_family()
        failed = 0
        for gauge in sorted(_gauges.values(), key=lambda g: g.name):
            try:
                result = gauge.func()
                samples = [({}, result)] if isinstance(result, int | float) else list(result)
            except Exception:  # one broken gauge (table missing, database down) must not hide the others
                logger.exception("metric %s failed", gauge.name)
                failed += 1
                continue
            family = GaugeMetricFamily(gauge.name, gauge.help)
            for labels, value in samples:
                family.add_sample(gauge.name, dict(sorted(labels.items())), value)
            yield family
        yield GaugeMetricFamily(
            "vigie_metrics_errors", "Gauges that could not be computed in this scrape.", value=failed
        )


REGISTRY.register(_ScrapeTimeCollector())


def render() -> str:
    """The whole page in Prometheus text format 0.0.4."""
    return generate_latest(REGISTRY).decode()


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
