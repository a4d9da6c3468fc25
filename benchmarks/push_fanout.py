"""Push fan-out: 100,000 device tokens through the outbox worker and the real firebase-admin SDK, against
the local fake FCM server (tests/fakes/fcm_server.py) in its own process.

    .venv/bin/python benchmarks/push_fanout.py [--devices 100000] [--workers 2] [--batch 2000]
        [--raw-requests 30000]

1. The fake server's raw capacity, measured in the same run by a lean asyncio client (aiohttp,
   keep-alive, `--raw-concurrency` requests in flight) and by a plain `requests` thread pool (the HTTP
   stack of the SDK's synchronous send_each, for reference): messages per second it can answer on this machine.
2. One push delivery per device (one device per user: a broadcast to 100,000 people) written to a fresh
   database (a SQLite file, or a new PostgreSQL database on the server of DATABASE_URL), then
   `--workers` processes of `manage.py run_worker --batch` with PUSH_BACKEND=fcm and FCM_API_URL at the fake.
   Prints messages per second and the time from release to the last message the server answered, and
   to the last delivery row settled. The raw capacity is measured again after the run (the machine may
   be shared); the ratio is taken against the higher figure.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import Worker, django_setup, fresh_database  # noqa: E402
from tests.fakes.fcm_server import ACCESS_TOKEN, control, service_account_info  # noqa: E402

PROJECT_ID = "vigie-bench"
FCM_QUOTA_PER_MINUTE = 600_000


def start_fake() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.fcm_server"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        process.kill()
        raise SystemExit(f"fake FCM server did not start: {line!r}")
    return process, line.removeprefix("listening on ")


def _payload(token: str) -> dict[str, Any]:
    return {
        "message": {
            "token": token,
            "notification": {"title": "Alerte cambriolage", "body": "Secteur de la Gavotte"},
            "data": {"kind": "burglary_alert", "broadcast": "1"},
            "android": {"priority": "high"},
        }
    }


def raw_capacity_aiohttp(url: str, *, requests: int, concurrency: int) -> float:
    import aiohttp

    send_url = f"{url}/v1/projects/{PROJECT_ID}/messages:send"
    headers = {"Authorization": f"Bearer {ACCESS_TOKEN}"}

    async def run() -> float:
        counter = iter(range(requests))
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

            async def lane() -> None:
                for n in counter:
                    async with session.post(send_url, json=_payload(f"raw-{n}")) as response:
                        await response.read()

            started = time.perf_counter()
            await asyncio.gather(*(lane() for _ in range(concurrency)))
            return requests / (time.perf_counter() - started)

    return asyncio.run(run())


def raw_capacity_requests(url: str, *, requests: int, threads: int) -> float:
    import requests as http

    send_url = f"{url}/v1/projects/{PROJECT_ID}/messages:send"
    local = threading.local()

    def one(n: int) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = http.Session()
            session.headers["Authorization"] = f"Bearer {ACCESS_TOKEN}"
        session.post(send_url, json=_payload(f"raw-requests-{n}"), timeout=30).raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, range(requests)))
    return requests / (time.perf_counter() - started)


def seed(devices: int) -> None:
    """Users, one device each, and one push delivery each, held back until released."""
    django_setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from backend.accounts.models import User
    from backend.messaging.models import Delivery, Device
    from backend.messaging.services import Outgoing, deliveries_enqueue

    call_command("migrate", verbosity=0, interactive=False)
    later = timezone.now() + timedelta(days=1)
    step = 5000
    for start in range(0, devices, step):
        users = User.objects.bulk_create(
            [
                User(phone=f"+3361{n:07d}", role="referent", display_name=f"bench {n}", password="!")
                for n in range(start, min(start + step, devices))
            ]
        )
        Device.objects.bulk_create(
            [Device(user=user, token=f"bench-token-{user.pk:08d}", platform="android") for user in users]
        )
        deliveries_enqueue(
            Outgoing(
                channel=Delivery.Channel.PUSH,
                kind="burglary_alert",
                title="Alerte cambriolage",
                body="Cambriolage signalé secteur de la Gavotte : fermez portes et fenêtres.",
                data={"kind": "burglary_alert", "broadcast": "1", "link": "vigie://broadcasts/1"},
                recipient=user,
                source="bench",
                priority=Delivery.Priority.HIGH,
                not_before=later,
            )
            for user in users
        )


def release() -> float:
    from django.utils import timezone

    from backend.messaging.models import Delivery

    released_at = time.time()
    Delivery.objects.filter(source="bench").update(not_before=timezone.now())
    return released_at


def unsettled() -> int:
    from backend.messaging.models import Delivery

    return Delivery.objects.filter(source="bench").exclude(status=Delivery.Status.SENT).count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="run_worker processes")
    parser.add_argument("--connections", type=int, default=100, help="FCM_CONNECTIONS per worker")
    parser.add_argument("--batch", type=int, default=2000, help="deliveries claimed per worker round")
    parser.add_argument("--raw-requests", type=int, default=30_000)
    parser.add_argument("--raw-concurrency", type=int, default=100)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="vigie-push-bench-"))
    fake, url = start_fake()
    workers: list[Worker] = []
    database = contextlib.ExitStack()
    try:
        raw_async = raw_capacity_aiohttp(url, requests=args.raw_requests, concurrency=args.raw_concurrency)
        raw_threads = raw_capacity_requests(
            url, requests=args.raw_requests // 2, threads=args.raw_concurrency
        )
        capacity = max(raw_async, raw_threads)
        print(
            f"fake FCM server raw capacity: {raw_async:,.0f} msg/s (aiohttp client, {args.raw_concurrency} in flight)"
        )
        print(
            f"                              {raw_threads:,.0f} msg/s (requests, {args.raw_concurrency} threads)"
        )

        database_url = database.enter_context(
            fresh_database(os.environ.get("DATABASE_URL"), workdir, prefix="vigie_bench")
        )
        credentials = workdir / "service-account.json"
        credentials.write_text(json.dumps(service_account_info(url, project_id=PROJECT_ID)))
        os.environ.update(
            DATABASE_URL=database_url,
            DJANGO_SETTINGS_MODULE="backend.settings",
            PUSH_BACKEND="fcm",
            FIREBASE_PROJECT_ID=PROJECT_ID,
            FCM_API_URL=url,
            GOOGLE_APPLICATION_CREDENTIALS=str(credentials),
            FCM_CONNECTIONS=str(args.connections),
            DELIVERY_LEASE_SECONDS="300",
        )
        os.environ.pop("REDIS_URL", None)
        started = time.perf_counter()
        seed(args.devices)
        print(
            f"seeded {args.devices:,} users, devices and push deliveries in {time.perf_counter() - started:.1f} s"
        )

        control(url, "/_reset", {})
        workers = [
            Worker(workdir, str(n), env=dict(os.environ), batch=args.batch, poll=0.05)
            for n in range(args.workers)
        ]
        for worker in workers:
            worker.wait_started(timeout=60)

        released_at = release()
        while True:
            stats = control(url, "/_stats")
            if stats["distinct"] >= args.devices:
                break
            if dead := [worker for worker in workers if worker.process.poll() is not None]:
                raise SystemExit("a worker died: " + dead[0].output()[-2000:])
            time.sleep(0.2)
        while unsettled():
            time.sleep(0.2)
        settled_at = time.time()
        stats = control(url, "/_stats")

        for worker in workers:
            worker.process.terminate()
        for worker in workers:
            worker.stop(timeout=60)
        # Again after the run: the machine may be shared, so the capacity is taken on both sides of it.
        raw_after = raw_capacity_aiohttp(url, requests=args.raw_requests, concurrency=args.raw_concurrency)
        print(f"fake FCM server raw capacity after the run: {raw_after:,.0f} msg/s (aiohttp client)")
        capacity = max(capacity, raw_after)

        to_last_message = stats["last_at"] - released_at
        rate = args.devices / to_last_message
        per_worker = rate / args.workers
        print(f"workers: {args.workers} × run_worker, {args.connections} FCM connections each")
        print(f"messages answered by the fake: {stats['total']:,} ({stats['distinct']:,} distinct tokens)")
        print(
            f"time to last delivery: {to_last_message:.1f} s (last row settled after {settled_at - released_at:.1f} s)"
        )
        print(f"throughput: {rate:,.0f} messages/s = {rate / capacity:.0%} of the fake's measured capacity")
        quota = FCM_QUOTA_PER_MINUTE / 60
        print(
            f"FCM quota {FCM_QUOTA_PER_MINUTE:,}/min = {quota:,.0f}/s: "
            f"{math.ceil(quota / per_worker)} worker processes at {per_worker:,.0f} msg/s each (this machine)"
        )
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.terminate()
        for worker in workers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.stop(timeout=30)
        fake.terminate()
        fake.wait(timeout=10)
        database.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
