"""A worker SIGKILLed in the middle of a push batch and restarted misses no device and re-sends at most
the messages that were in flight when it died (FCM takes no idempotency key): at most one send_many()
call, i.e. FcmConfig.chunks_in_flight chunks of 500 sent together.

`manage.py run_worker` runs as a subprocess on its own database: a SQLite file, or a fresh PostgreSQL
database on the server of DATABASE_URL when that is set.
"""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.messaging.backends.fcm import FcmConfig
from tests.backend.messaging.fcm_helpers import PROJECT_ID
from tests.fakes.fcm_server import FakeFcmServer, service_account_info
from tests.live import ROOT, Worker, fresh_database, until

PER_CALL = FcmConfig.chunks_in_flight * 500  # messages in flight together at most
DEVICES = PER_CALL + 600  # a first call whose receipts are written, then a second one

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
    with fresh_database(os.environ.get("DATABASE_URL"), tmp_path, prefix="vigie_worker_kill") as url:
        yield url


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


def _worker(env: dict[str, str], tmp_path: Path) -> Worker:
    return Worker(tmp_path, "fcm", env=env, batch=None, poll=0.1)  # both runs append to one log


def test_worker_killed_mid_batch_misses_nobody_and_resends_only_in_flight(
    database_url: str, tmp_path: Path
) -> None:
    with FakeFcmServer() as fake:
        env = _env(database_url, fake.url, tmp_path)
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "shell", "-c", SEED)
        fake.state.record = False
        fake.state.delay = 0.05  # slow enough that a batch of 500 takes a while

        first = _worker(env, tmp_path)
        try:
            # Kill it once the second call is half sent: the first call's receipts are written.
            until(
                lambda: fake.state.total >= PER_CALL + 300,
                timeout=120,
                every=0.02,
                what="the second call to be in flight",
            )
        finally:
            first.kill()  # SIGKILL
        time.sleep(0.5)  # requests already on the wire finish on the server side
        sent_before_kill = fake.state.total
        at_kill = _report(env)
        in_flight = sent_before_kill - at_kill["sent_receipts"]
        assert at_kill["deliveries"] == ["sending"]
        assert at_kill["sent_receipts"] == PER_CALL  # the first call's receipts were written
        assert 0 < in_flight <= DEVICES - PER_CALL  # only the second call was unconfirmed

        fake.state.delay = 0.0
        second = _worker(env, tmp_path)
        try:
            until(lambda: len(fake.state.counts) >= DEVICES, timeout=120, every=0.02, what="every device")
            until(
                lambda: _report(env)["deliveries"] == ["sent"],
                timeout=60,
                every=0.02,
                what="the delivery to settle",
            )
        finally:
            second.stop(timeout=30)

        after = _report(env)
        duplicates = sum(count - 1 for count in fake.state.counts.values())
        assert len(fake.state.counts) == DEVICES  # no device missed
        assert after["sent_receipts"] == DEVICES
        assert after["pending_receipts"] == 0
        assert duplicates == fake.state.total - DEVICES
        assert duplicates <= in_flight  # re-sent at most what was in flight
        assert fake.state.unauthorized == 0, second.output()[-2000:]
