"""A worker SIGKILLed in the middle of a push batch and restarted misses no device and re-sends at most
the messages that were in flight when it died (FCM takes no idempotency key).

`manage.py run_worker` runs as a subprocess on its own database: a SQLite file, or a fresh PostgreSQL
database on the server of DATABASE_URL when that is set.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.fcm_server import FakeFcmServer, service_account_info
from tests.messaging.fcm_helpers import PROJECT_ID

ROOT = Path(__file__).resolve().parents[2]
DEVICES = 1200

SEED = f"""
from backend.accounts.models import User
from backend.messaging.models import Delivery, Device
from backend.messaging.services import Outgoing, deliveries_enqueue
user = User.objects.create_user("+33600000001", display_name="r", role="referent")
Device.objects.bulk_create([Device(user=user, token=f"kill-{{i:05d}}", platform="android") for i in range({DEVICES})])
deliveries_enqueue([Outgoing(channel="push", kind="test", title="T", body="B", recipient=user, priority="high")])
"""

REPORT = """
import json
from backend.messaging.models import Delivery, PushReceipt
print(json.dumps({
    "sent_receipts": PushReceipt.objects.filter(status="sent").count(),
    "pending_receipts": PushReceipt.objects.filter(status="pending").count(),
    "deliveries": list(Delivery.objects.values_list("status", flat=True)),
}))
"""


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'worker.sqlite3'}"
        return
    import psycopg

    name = f"vigie_worker_kill_{uuid.uuid4().hex[:8]}"
    base, _, _ = url.partition("?")[0].rpartition("/")
    admin = f"{base}/postgres"  # the server's maintenance database: DATABASE_URL's may not exist yet
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(database_url: str, fake_url: str, tmp_path: Path) -> dict[str, str]:
    credentials = tmp_path / "service-account.json"
    credentials.write_text(json.dumps(service_account_info(fake_url, project_id=PROJECT_ID)))
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        DATABASE_URL=database_url,
        PUSH_BACKEND="fcm",
        FIREBASE_PROJECT_ID=PROJECT_ID,
        FCM_API_URL=fake_url,
        GOOGLE_APPLICATION_CREDENTIALS=str(credentials),
        DELIVERY_LEASE_SECONDS="2",
        FCM_CONNECTIONS="50",
        PYTHONUNBUFFERED="1",
    )
    return env


def _report(env: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(_manage(env, "shell", "-c", REPORT).strip().splitlines()[-1])
    return result


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--poll", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _wait(condition: object, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_worker_killed_mid_batch_misses_nobody_and_resends_only_in_flight(
    database_url: str, tmp_path: Path
) -> None:
    with FakeFcmServer() as fake:
        env = _env(database_url, fake.url, tmp_path)
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "shell", "-c", SEED)
        fake.state.record = False
        fake.state.delay = 0.05  # slow enough that a batch of 500 takes a while

        log = tmp_path / "worker.log"
        first = _worker(env, log)
        try:
            # Kill it once the second chunk of 500 is half sent: the first chunk's receipts are written.
            _wait(lambda: fake.state.total >= 750, timeout=120, what="the second chunk to be in flight")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        time.sleep(0.5)  # requests already on the wire finish on the server side
        sent_before_kill = fake.state.total
        at_kill = _report(env)
        in_flight = sent_before_kill - at_kill["sent_receipts"]
        assert at_kill["deliveries"] == ["sending"]
        assert 0 < in_flight <= 500  # at most one chunk was unconfirmed

        fake.state.delay = 0.0
        second = _worker(env, log)
        try:
            _wait(lambda: len(fake.state.counts) >= DEVICES, timeout=120, what="every device")
            _wait(
                lambda: _report(env)["deliveries"] == ["sent"],
                timeout=60,
                what="the delivery to settle",
            )
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)

        after = _report(env)
        duplicates = sum(count - 1 for count in fake.state.counts.values())
        assert len(fake.state.counts) == DEVICES  # no device missed
        assert after["sent_receipts"] == DEVICES
        assert after["pending_receipts"] == 0
        assert duplicates == fake.state.total - DEVICES
        assert duplicates <= in_flight  # re-sent at most what was in flight
        assert fake.state.unauthorized == 0, log.read_text()[-2000:]
