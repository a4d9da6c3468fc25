"""The first middleware: request id, one access-log line per request, request metrics.

- The request id comes from the `X-Request-ID` header (nginx sets it to `$request_id`) when it looks
  like an id, or is made here; it is in `request.request_id`, in the `X-Request-ID` response header and
  in every log record written while the request is served (backend/core/logs.py).
- The access line (logger `vigie.request`) carries method, path (never the query string: it may hold a
  token), status, view and duration as structured fields.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import resolve

from backend.core import metrics
from backend.core.logs import request_id

logger = logging.getLogger("vigie.request")

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")


def incoming_request_id(request: HttpRequest) -> str:
    candidate = request.META.get("HTTP_X_REQUEST_ID", "")
    return candidate if _VALID.match(candidate) else uuid.uuid4().hex


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return match.view_name or match.route or "<unnamed>"


class RequestObservabilityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = incoming_request_id(request)
        request.request_id = rid  # type: ignore[attr-defined]
        token = request_id.set(rid)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = rid
            seconds = time.monotonic() - started
            view = _view_name(request)
            metrics.request_observed(
                method=request.method or "", view=view, status=response.status_code, seconds=seconds
            )
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "view": view,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            return response
        finally:
            request_id.reset(token)


class ProbeMiddleware:
    """Answers the probes (/livez, /readyz, /healthz, /metrics) before host validation and the HTTPS
    redirect: Prometheus and health checks call a daphne directly (http://127.0.0.1:8001/metrics), with
    a Host header that is not the public name and without X-Forwarded-Proto. /metrics keeps its own
    protection (token or allowed addresses)."""

    PATHS = frozenset({"/livez", "/readyz", "/healthz", "/metrics"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in self.PATHS:
            return self.get_response(request)
        match = resolve(request.path_info)
        request.resolver_match = match
        response: HttpResponse = match.func(request, *match.args, **match.kwargs)
        return response
