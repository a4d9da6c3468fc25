"""/healthz (readiness: database and channel layer answer), /livez (the process answers)."""

import asyncio
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

CHANNEL_LAYER_TIMEOUT_SECONDS = 2.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _roundtrip(layer: object) -> None:
    channel = await layer.new_channel(prefix="healthz")  # type: ignore[attr-defined]
    marker = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz", "marker": marker})  # type: ignore[attr-defined]
    message = await layer.receive(channel)  # type: ignore[attr-defined]
    if message.get("marker") != marker:
        raise RuntimeError("channel layer returned another message")


async def _roundtrip_in_time(layer: object) -> None:
    # The whole round trip is bounded: a send to an unreachable Redis may hang as long as a receive.
    await asyncio.wait_for(_roundtrip(layer), CHANNEL_LAYER_TIMEOUT_SECONDS)


def _check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    async_to_sync(_roundtrip_in_time)(layer)


CHECKS = {"database": _check_database, "channel_layer": _check_channel_layer}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            results[name] = f"error: {type(exc).__name__}: {exc}"[:300]
        else:
            results[name] = "ok"
    failed = [name for name, result in results.items() if result != "ok"]
    body = {"status": "ok" if not failed else "error", "failed": failed, "checks": results}
    return JsonResponse(body, status=200 if not failed else 503)


@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
