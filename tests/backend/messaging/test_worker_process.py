"""`manage.py run_worker` as a real process on the test database: kill -9, restart, SIGTERM, two workers.

The worker shares the database with the test (file SQLite, or PostgreSQL's test database), hence
`transactional_db`: what the test writes is committed and visible to the worker.
"""

import json
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue
from tests.live import Worker, until

pytestmark = pytest.mark.usefixtures("transactional_db")

LEASE_SECONDS = 4


def slow_worker(tmp: Path, name: str, *, slow: float, batch: int = 5) -> Worker:
    """A worker whose SMS backend takes `slow` seconds per message and writes it to tmp/sms/."""
    return Worker(
        tmp,
        name,
        {
            "SMS_BACKEND": "tests.backend.messaging.slow_backends.SlowFileSmsBackend",
            "SMS_FILE_PATH": str(tmp / "sms"),
            "SLOW_SMS_SECONDS": str(slow),
            "DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
            "DELIVERY_BACKOFF_BASE_SECONDS": "1",
        },
        batch=batch,
    )


def _sent_files(tmp: Path) -> list[Path]:
    folder = tmp / "sms"
    return sorted(folder.glob("*.json")) if folder.exists() else []


def _bodies(tmp: Path) -> Counter[str]:
    return Counter(json.loads(path.read_text())["body"] for path in _sent_files(tmp))


def _enqueue(count: int) -> list[str]:
    bodies = [f"message {index:03d}" for index in range(count)]
    deliveries_enqueue(
        [
            Outgoing(channel=Delivery.Channel.SMS, kind="test", body=body, address="+33600000001")
            for body in bodies
        ]
    )
    return bodies


def _status_of(bodies: list[str]) -> dict[str, str]:
    return dict(Delivery.objects.filter(body__in=bodies).values_list("body", "status"))


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.kill()


def test_a_worker_killed_mid_batch_loses_nothing_and_resends_only_what_was_in_flight(tmp_path, workers):
    bodies = _enqueue(20)
    first = slow_worker(tmp_path, "first", slow=0.5)
    workers.append(first)
    until(lambda: len(_sent_files(tmp_path)) >= 7, what="7 messages sent", every=0.01, watch=first)
    first.kill()  # SIGKILL: no cleanup, the batch in hand is abandoned mid-way

    sent_before = _bodies(tmp_path)
    statuses = _status_of(bodies)
    in_flight = {body for body, status in statuses.items() if status == Delivery.Status.SENDING}
    assert in_flight, "the kill should have caught a claimed batch"
    newest = json.loads(_sent_files(tmp_path)[-1].read_text())["body"]
    assert newest in in_flight  # sent to the provider, not yet recorded: the in-flight case

    # Enqueued while no worker runs: sent when one comes back.
    late = [f"late {index}" for index in range(3)]
    deliveries_enqueue(
        [Outgoing(channel="sms", kind="test", body=body, address="+33600000001") for body in late]
    )

    second = slow_worker(tmp_path, "second", slow=0.01)
    workers.append(second)
    everything = bodies + late
    until(
        lambda: set(_status_of(everything).values()) == {Delivery.Status.SENT},
        what="every delivery sent",
        every=0.01,
        watch=second,
    )
    assert second.stop() == 0

    counts = _bodies(tmp_path)
    assert set(counts) == set(everything)
    duplicates = {body for body, count in counts.items() if count > 1}
    # Sent twice: exactly the messages that had left when the worker died without recording it.
    assert duplicates == in_flight & set(sent_before)
    assert newest in duplicates
    assert max(counts.values()) == 2
    attempts = dict(Delivery.objects.filter(body__in=duplicates).values_list("body", "attempts"))
    assert set(attempts.values()) == {2}


def test_sigterm_finishes_the_batch_in_hand_then_exits_cleanly(tmp_path, workers):
    bodies = _enqueue(12)
    worker = slow_worker(tmp_path, "term", slow=0.3, batch=5)
    workers.append(worker)
    until(lambda: len(_sent_files(tmp_path)) >= 1, what="first message", every=0.01, watch=worker)
    assert worker.stop(signal.SIGTERM) == 0
    assert "Vigie worker stopped." in worker.output()

    statuses = Counter(_status_of(bodies).values())
    assert statuses == {Delivery.Status.SENT: 5, Delivery.Status.QUEUED: 7}
    assert sorted(_bodies(tmp_path).values()) == [1] * 5


def test_two_workers_side_by_side_never_send_one_delivery_twice(tmp_path, workers):
    pair = [slow_worker(tmp_path, name, slow=0.05, batch=3) for name in ("a", "b")]
    workers.extend(pair)
    for worker in pair:
        worker.wait_started()
    bodies = _enqueue(60)
    until(
        lambda: set(_status_of(bodies).values()) == {Delivery.Status.SENT},
        what="every delivery sent",
        timeout=120,
        every=0.01,
    )
    for worker in pair:
        assert worker.stop() == 0
    counts = _bodies(tmp_path)
    assert set(counts) == set(bodies)
    assert set(counts.values()) == {1}
    assert all("sent batch" in worker.output() for worker in pair), "both workers should have sent"
