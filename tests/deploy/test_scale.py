"""Horizontal scale: two daphne processes and two workers on one database and one Redis.

Submissions are spread over both daphnes and approved through the other one; moderators' and operators'
consoles are open on both. Every event must reach each console exactly once (the Redis channel layer
carries events published by one process to sockets held by the other), every delivery must be sent
exactly once (file backends: one file per message), and a SIGTERM to a worker mid-batch loses nothing.
"""

import http.client
import json
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Max

from alerts.models import Event, EventTarget, Observation
from backend.messaging.models import Delivery, Device
from tests.deploy.consoles import Console, ConsolePool
from tests.deploy.helpers import submission, town
from tests.live import Daphne, Worker, start_daphne, until

pytestmark = [pytest.mark.deploy, pytest.mark.services, pytest.mark.usefixtures("transactional_db")]

SUBMISSIONS = 24
TERMINAL = {Delivery.Status.SENT, Delivery.Status.FAILED, Delivery.Status.INVALID, Delivery.Status.CANCELLED}


def call(
    server: Daphne, method: str, path: str, token: str, body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request(
            method,
            path,
            body=json.dumps(body or {}),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        response = connection.getresponse()
        payload = response.read()
        try:
            return response.status, json.loads(payload) if payload else None
        except ValueError:  # an error page: its first lines say why
            return response.status, payload[:500].decode(errors="replace")
    finally:
        connection.close()


@pytest.fixture
def cluster(tmp_path: Path, redis_url: str):
    shared = {
        "REDIS_URL": redis_url,
        "SMS_BACKEND": "file",
        "SMS_FILE_PATH": str(tmp_path / "sms"),
        "PUSH_BACKEND": "tests.deploy.slow_backends.SlowFilePushBackend",
        "PUSH_FILE_PATH": str(tmp_path / "push"),
        "SLOW_PUSH_SECONDS": "0.1",
        "CONSOLE_HEARTBEAT_SECONDS": "60",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    servers: list[Daphne] = []
    workers: list[Worker] = []
    try:
        servers = [start_daphne(tmp_path, shared), start_daphne(tmp_path, shared)]
        workers = [Worker(tmp_path, name, shared, batch=5) for name in ("one", "two")]
        yield servers, workers, tmp_path
    finally:
        for worker in workers:
            worker.kill()
        for server in servers:
            server.stop()


def push_files(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))] if folder.exists() else []


def test_two_daphnes_two_workers_every_event_once_per_console_every_delivery_once(cluster):
    (first, second), (worker_one, worker_two), tmp = cluster
    place = town(referents=4, moderators=2, operators=2)
    moderator = place.moderators[0]
    consoles = [
        Console(f"{who}@{server_name}", f"{server.ws_url}/ws/console/?token={place.tokens[user.pk]}")
        for who, user, server_name, server in (
            ("moderator-1", place.moderators[0], "A", first),
            ("moderator-2", place.moderators[1], "B", second),
            ("operator-1", place.operators[0], "A", first),
            ("operator-2", place.operators[1], "B", second),
        )
    ]
    with ConsolePool(consoles) as pool:
        assert not pool.errors
        until(lambda: all(console.groups for console in consoles), what="console hellos")
        # Presence events of the consoles' own connections settle before the measured run.
        time.sleep(1.0)
        baseline = Event.objects.aggregate(top=Max("id"))["top"] or 0

        # Submissions spread over both daphnes, in parallel.
        def submit(index: int) -> tuple[int, Any]:
            author = place.referents[index % len(place.referents)]
            server = first if index % 2 == 0 else second
            return call(server, "POST", "/api/v1/observations/", place.tokens[author.pk], submission(index))

        with ThreadPoolExecutor(max_workers=6) as pool_http:
            submitted = list(pool_http.map(submit, range(SUBMISSIONS)))
        refused = [(status, body) for status, body in submitted if status != 201]
        assert refused == [], refused[:3]
        ids = [body["id"] for _status, body in submitted]
        assert Observation.objects.filter(pk__in=ids).count() == SUBMISSIONS

        # Approved through the other daphne than the one that took the submission.
        def approve(index: int) -> tuple[int, Any]:
            server = second if index % 2 == 0 else first
            return call(
                server, "POST", f"/api/v1/moderation/{ids[index]}/approve/", place.tokens[moderator.pk]
            )

        with ThreadPoolExecutor(max_workers=4) as pool_http:
            approvals = list(pool_http.map(approve, range(SUBMISSIONS)))
        refused = [(status, body) for status, body in approvals if status != 200]
        assert refused == [], refused[:3]

        # A worker stopped mid-batch (its slow push backend sends one message per 0.1 s).
        until(lambda: len(push_files(tmp / "push")) >= 3, what="first push messages", timeout=120)
        assert worker_one.stop(signal.SIGTERM) == 0
        assert "Vigie worker stopped." in worker_one.output()

        # The other worker sends the rest.
        def deliveries_settled() -> bool:
            statuses = set(Delivery.objects.values_list("status", flat=True))
            return bool(statuses) and statuses <= TERMINAL

        until(deliveries_settled, what="every delivery settled", timeout=180)

        # Every event for a console's groups, once, on whichever daphne the console is.
        def expected_for(console: Console) -> set[int]:
            return set(
                EventTarget.objects.filter(event_id__gt=baseline, group__in=console.groups).values_list(
                    "event_id", flat=True
                )
            )

        until(
            lambda: all(
                set(console.event_ids(after=baseline)) >= expected_for(console) for console in consoles
            ),
            what="every event on every console",
            timeout=60,
        )
        time.sleep(1.0)  # duplicates, if any, would arrive now
        assert not pool.errors
        for console in consoles:
            received = console.event_ids(after=baseline)
            duplicates = [event for event, count in Counter(received).items() if count > 1]
            assert duplicates == [], f"{console.name} got events twice"
            assert set(received) == expected_for(console), console.name
        moderation_events = expected_for(consoles[0])
        agency_events = expected_for(consoles[2])
        assert len(moderation_events) >= SUBMISSIONS  # each submission and approval reaches moderators
        assert len(agency_events) >= SUBMISSIONS  # each dispatch reaches the agency's operators
        assert expected_for(consoles[0]) == expected_for(consoles[1])
        assert expected_for(consoles[2]) == expected_for(consoles[3])

    # Every push delivery sent is one file, never two; nothing is left behind.
    sent = list(Delivery.objects.filter(channel="push", status=Delivery.Status.SENT))
    assert len(sent) >= SUBMISSIONS
    tokens = dict(Device.objects.values_list("user_id", "token"))
    expected = Counter(
        (tokens[delivery.recipient_id or 0], str(delivery.data["notification_id"])) for delivery in sent
    )
    files = Counter((item["token"], item["data"]["notification_id"]) for item in push_files(tmp / "push"))
    assert files == expected
    assert set(files.values()) == {1}
    assert not Delivery.objects.exclude(status__in=TERMINAL).exists()
    assert "sent batch of" in worker_two.output()
    assert worker_two.stop() == 0
