"""Request ids, JSON logs, /metrics (protection and content), /livez and /readyz."""

import json
import logging
import re
from datetime import timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from alerts.models import Agency, Category, Dispatch, Observation
from alerts.services import categories_seed_defaults
from backend.core import metrics
from backend.core.logs import JsonFormatter, RequestIdFilter
from backend.messaging.models import Delivery
from tests import factories

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def metrics_settings(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []
    metrics.reset()
    return settings


def scrape(client, **headers):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **headers)


def samples(text: str) -> dict[str, float]:
    """`name{labels}` → value for every sample line."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            found[key] = float(value)
    return found


# --- request id ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_request_id_given_by_the_proxy_comes_back_on_the_response(client):
    response = client.get("/livez", HTTP_X_REQUEST_ID="nginx-3f2a9c1d7e")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "nginx-3f2a9c1d7e"


@pytest.mark.django_db
def test_a_request_without_id_or_with_a_malformed_one_gets_a_fresh_id(client):
    first = client.get("/livez")["X-Request-ID"]
    second = client.get("/livez", HTTP_X_REQUEST_ID="bad id\nInjected: yes")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second


@pytest.fixture
def json_log_lines():
    """Captures what the production handler (request id filter + JSON formatter) would print."""
    lines: list[str] = []

    class ListHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = ListHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    request_logger = logging.getLogger("vigie.request")
    saved_level = request_logger.level
    request_logger.setLevel(logging.INFO)
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)
    request_logger.setLevel(saved_level)


@pytest.mark.django_db
def test_every_log_line_of_a_request_is_json_with_its_request_id(client, json_log_lines):
    client.get("/api/v1/nothing-here/", HTTP_X_REQUEST_ID="req-for-json-logs-1")
    entries = [json.loads(line) for line in json_log_lines]
    assert entries, "the request wrote no log line"
    assert {entry["request_id"] for entry in entries} == {"req-for-json-logs-1"}
    access = [entry for entry in entries if entry["logger"] == "vigie.request"]
    assert len(access) == 1
    assert access[0]["status"] == 404
    assert access[0]["method"] == "GET"
    assert access[0]["path"] == "/api/v1/nothing-here/"
    assert access[0]["duration_ms"] >= 0
    # The 404 is also logged by Django, with the same id.
    assert any(entry["logger"] == "django.request" for entry in entries)


def test_a_log_line_outside_a_request_has_no_request_id_and_keeps_its_extra_fields():
    record = logging.LogRecord("vigie.test", logging.WARNING, __file__, 1, "sent %s", (3,), None)
    record.delivery = 42
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "sent 3"
    assert entry["level"] == "WARNING"
    assert entry["request_id"] == "-"
    assert entry["delivery"] == 42


# --- /metrics ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_are_hidden_without_the_token(client, metrics_settings):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 404
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")


@pytest.mark.django_db
def test_an_allowed_address_may_scrape_directly_but_never_through_the_proxy(client, metrics_settings):
    metrics_settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.5").status_code == 404
    proxied = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.status_code == 404


@pytest.mark.django_db
def test_metrics_count_requests_and_show_the_outbox(client, metrics_settings):
    now = timezone.now()
    Delivery.objects.create(channel="sms", kind="t", body="late", not_before=now - timedelta(minutes=5))
    Delivery.objects.create(channel="sms", kind="t", body="backoff", not_before=now + timedelta(minutes=5))
    Delivery.objects.create(channel="sms", kind="t", body="dead", status=Delivery.Status.FAILED)
    Delivery.objects.create(
        channel="sms", kind="t", body="old dead", status="failed", created_at=now - timedelta(days=3)
    )
    Delivery.objects.create(channel="sms", kind="t", body="ok", status=Delivery.Status.SENT)
    client.get("/livez")
    client.get("/livez")

    found = samples(scrape(client).content.decode())
    assert found['vigie_http_requests_total{method="GET",status="200",view="livez"}'] == 2
    assert found['vigie_http_request_duration_seconds_count{method="GET",view="livez"}'] == 2
    assert found['vigie_http_request_duration_seconds_bucket{le="+Inf",method="GET",view="livez"}'] == 2
    assert found['vigie_deliveries{status="queued"}'] == 2
    assert found['vigie_deliveries{status="failed"}'] == 2
    assert found['vigie_deliveries{status="sent"}'] == 1
    assert found['vigie_deliveries{status="sending"}'] == 0
    assert found["vigie_deliveries_dead_last_day"] == 1
    assert 300 <= found["vigie_delivery_oldest_due_age_seconds"] < 330
    assert found["vigie_websockets_open"] == 0
    assert found["vigie_metrics_errors"] == 0


@pytest.mark.django_db
def test_metrics_show_the_moderation_queue_and_unacknowledged_dispatches(client, metrics_settings, commune):
    categories_seed_defaults()  # flushed by an earlier transactional test, if any
    category = Category.objects.get(slug="cambriolage", commune=None)
    agency = Agency.objects.create(name="Police municipale", kind=Agency.Kind.POLICE_MUNICIPALE)
    now = timezone.now()

    def observation(reference: str, **fields) -> Observation:
        values = {
            "commune": commune,
            "reference": reference,
            "channel": "app",
            "category": category,
            "description": "Portail forcé.",
            "occurred_at": now,
            "created_at": now - timedelta(minutes=10),
        }
        values.update(fields)
        return Observation.objects.create(**values)

    observation("T-1")
    observation("T-2", created_at=now - timedelta(minutes=2))
    observation("T-3", quarantined=True, created_at=now - timedelta(hours=5))
    sent = observation("T-4", status=Observation.Status.DISPATCHED)
    late = observation("T-5", status=Observation.Status.DISPATCHED)
    done = observation("T-6", status=Observation.Status.ACKNOWLEDGED)
    Dispatch.objects.create(observation=sent, agency=agency, ack_deadline=now + timedelta(minutes=50))
    Dispatch.objects.create(observation=late, agency=agency, ack_deadline=now - timedelta(minutes=1))
    Dispatch.objects.create(observation=done, agency=agency, status=Dispatch.Status.ACKNOWLEDGED)

    found = samples(scrape(client).content.decode())
    slug = commune.slug
    assert found[f'vigie_moderation_queue{{commune="{slug}"}}'] == 2
    assert 600 <= found["vigie_moderation_oldest_pending_age_seconds"] < 630
    assert found[f'vigie_dispatches_unacknowledged{{commune="{slug}"}}'] == 2
    assert found["vigie_dispatches_overdue"] == 1
    assert found["vigie_metrics_errors"] == 0


@pytest.mark.django_db
def test_a_failing_gauge_is_left_out_and_counted_never_breaking_the_page(client, metrics_settings):
    def broken() -> int:
        raise RuntimeError("boom")

    metrics.register_gauge("vigie_test_broken", "Always fails.", broken)
    try:
        response = scrape(client)
    finally:
        metrics.unregister_gauge("vigie_test_broken")
    found = samples(response.content.decode())
    assert response.status_code == 200
    assert found["vigie_metrics_errors"] == 1
    assert "vigie_test_broken" not in response.content.decode()
    assert 'vigie_deliveries{status="queued"}' in found


def test_gauge_names_must_be_vigie_ones():
    with pytest.raises(ValueError, match="vigie_"):
        metrics.register_gauge("queue_depth", "x", lambda: 1)


@pytest.mark.django_db(transaction=True)
async def test_open_websockets_are_counted_while_open():
    from backend.asgi import application

    metrics.reset()
    token = await _access_token()
    first = WebsocketCommunicator(application, f"/ws/ping/?token={token}")
    second = WebsocketCommunicator(application, f"/ws/ping/?token={token}")
    refused = WebsocketCommunicator(application, "/ws/ping/")
    assert (await first.connect())[0]
    assert (await second.connect())[0]
    assert not (await refused.connect())[0]  # anonymous: closed with 4401, never counted
    assert metrics.websockets_open() == 2
    assert 'vigie_websockets_open{path="/ws/ping/"} 2' in metrics.render()
    await first.disconnect()
    assert metrics.websockets_open() == 1
    await second.disconnect()
    assert metrics.websockets_open() == 0
    assert 'vigie_websockets_opened_total{path="/ws/ping/"} 2' in metrics.render()


async def _access_token() -> str:
    from asgiref.sync import sync_to_async

    def make() -> str:
        return str(RefreshToken.for_user(factories.user()).access_token)

    return await sync_to_async(make)()


# --- liveness and readiness ---------------------------------------------------------------------


@pytest.mark.django_db
def test_livez_and_readyz(client):
    assert client.get("/livez").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "channel_layer": "ok"}


@pytest.mark.django_db
def test_probes_answer_a_direct_call_whatever_the_host_and_before_the_https_redirect(
    client, metrics_settings
):
    metrics_settings.ALLOWED_HOSTS = ["vigie.example.fr"]
    metrics_settings.SECURE_SSL_REDIRECT = True
    direct = {"HTTP_HOST": "127.0.0.1:8001"}
    assert client.get("/livez", **direct).status_code == 200
    assert client.get("/readyz", **direct).status_code == 200
    assert scrape(client, **direct).status_code == 200
    assert client.get("/metrics", **direct).status_code == 404  # still protected
    # Everything else keeps Django's host check and the redirect.
    assert client.get("/", **direct).status_code == 400
    assert client.get("/", HTTP_HOST="vigie.example.fr").status_code == 301


@pytest.mark.django_db
def test_metrics_include_the_process_itself(client, metrics_settings):
    """prometheus_client's process collectors: CPU, memory, start time (under the name it always had)."""
    found = samples(scrape(client).content.decode())
    assert found["vigie_process_start_time_seconds"] > 0
    assert found["vigie_process_resident_memory_bytes"] > 0
    assert "vigie_process_cpu_seconds_total" in found
