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
3. CPU per message, on this machine's shared cores: of the raw client and of the fake while it answers
   it; of one process pushing through FcmPushBackend.send_many with no database at all (the SDK's own
   floor: building the Messages, the SDK's encoding, httpx's request/response objects, our auth and
   transport), and of the fake then; of the workers, of the fake and of the rest of the machine
   (PostgreSQL, this script) during the fan-out. When every process is bound by CPU on the same cores,
   the share of the raw capacity a sender can reach is (raw client + fake) / (sender + fake + database)
   CPU per message: the ceilings printed, for the SDK alone and for the workers as measured.

    .venv/bin/python benchmarks/push_fanout.py --database-side [--devices 20000]

runs instead, in this process, `process_batch` with a push backend that sends nothing until every
delivery is settled: the worker's CPU per message on the database side, and its PostgreSQL server
process's.
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
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_cpu() -> float:
    """CPU seconds every core of the machine has been busy so far (idle and iowait left out), from /proc."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


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
    return raw_capacity_aiohttp_cpu(url, requests=requests, concurrency=concurrency)[0]


def raw_capacity_aiohttp_cpu(
    url: str, *, requests: int, concurrency: int, fake_pid: int | None = None
) -> tuple[float, float, float]:
    """(msg/s, this client's CPU ms per message, the fake's CPU ms per message or NaN)."""
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

    cpu = time.process_time()
    fake_cpu = process_cpu(fake_pid) if fake_pid else math.nan
    rate = asyncio.run(run())
    cpu = time.process_time() - cpu
    fake_cpu = process_cpu(fake_pid) - fake_cpu if fake_pid else math.nan
    return rate, cpu / requests * 1000, fake_cpu / requests * 1000


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


FLOOR_MESSAGE = {
    "title": "Alerte cambriolage",
    "body": "Cambriolage signalé secteur de la Gavotte : fermez portes et fenêtres.",
    "data": {"kind": "burglary_alert", "broadcast": "1", "link": "vigie://broadcasts/1"},
    "priority": "high",
}


def sdk_floor_process(url: str, credentials: str, messages: int) -> None:
    """In its own process (`--sdk-floor`): FcmPushBackend.send_many in a loop, calls of the worker's size,
    the message of the fan-out to distinct tokens, no database; prints a JSON line (rate, CPU per message)."""
    from backend.messaging.backends.base import PushMessage, PushOutcome
    from backend.messaging.backends.fcm import FcmConfig, FcmPushBackend
    from backend.messaging.worker import gc_tune

    gc_tune()  # as run_worker does

    backend = FcmPushBackend(FcmConfig(project_id=PROJECT_ID, credentials_path=credentials, api_url=url))
    per_call = backend.batch_size * backend.chunks_in_flight

    def call(start: int) -> None:
        batch = [PushMessage(token=f"floor-{n:08d}", **FLOOR_MESSAGE) for n in range(start, start + per_call)]  # type: ignore[arg-type]
        results = backend.send_many(batch)
        if any(result.outcome != PushOutcome.SENT for result in results):
            raise SystemExit(f"SDK floor: not sent: {results[0]}")

    call(-per_call)  # warm-up: the OAuth token, the connections
    calls = max(messages // per_call, 1)
    cpu, started = time.process_time(), time.perf_counter()
    for n in range(calls):
        call(n * per_call)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    sent = calls * per_call
    print(json.dumps({"messages": sent + per_call, "rate": sent / wall, "cpu_ms": cpu / sent * 1000}))


def sdk_floor(url: str, credentials: Path, *, messages: int, fake_pid: int) -> tuple[float, float, float]:
    """(msg/s, CPU ms per message of the sending process, the fake's CPU ms per message)."""
    fake_cpu = process_cpu(fake_pid)
    result = subprocess.run(
        [sys.executable, __file__, "--sdk-floor", url, str(credentials), str(messages)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings", "DEBUG": "1", "DATABASE_URL": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    fake_cpu = process_cpu(fake_pid) - fake_cpu
    if result.returncode != 0:
        raise SystemExit(f"SDK floor run failed:\n{result.stdout}\n{result.stderr}")
    floor = json.loads(result.stdout.strip().splitlines()[-1])
    return floor["rate"], floor["cpu_ms"], fake_cpu / floor["messages"] * 1000


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


class NoSendPushBackend:
    """A push backend that sends nothing and answers SENT (`--database-side`): the worker's own work."""

    batch_size = 500
    chunks_in_flight = 4

    def send_many(self, messages: list[Any]) -> list[Any]:
        from backend.messaging.backends.base import PushOutcome, PushResult

        return [
            PushResult(PushOutcome.SENT, provider_id=f"projects/{PROJECT_ID}/messages/{n}")
            for n in range(len(messages))
        ]


def database_side(devices: int, batch: int) -> None:
    """`process_batch(limit=batch)` in this process until every delivery is settled, with a push backend
    that sends nothing: the worker's database side (claim, receipts, settlement, building the PushMessages)
    and, on PostgreSQL, its server process's CPU per message."""
    workdir = Path(tempfile.mkdtemp(prefix="vigie-push-bench-"))
    try:
        with fresh_database(os.environ.get("DATABASE_URL"), workdir, prefix="vigie_bench") as database_url:
            os.environ.update(
                DATABASE_URL=database_url,
                DJANGO_SETTINGS_MODULE="backend.settings",
                DEBUG="1",
                PUSH_BACKEND=f"{__name__}.NoSendPushBackend",
            )
            os.environ.pop("REDIS_URL", None)
            seed(devices)
            from django.db import connection

            from backend.messaging.worker import gc_tune, process_batch

            gc_tune()  # as run_worker does
            release()
            server_pid = None
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    server_pid = cursor.fetchone()[0]
            cpu = time.process_time()
            server_cpu = process_cpu(server_pid) if server_pid else 0.0
            handled = 0
            while done := process_batch(limit=batch):
                handled += done
            cpu = time.process_time() - cpu
            server_cpu = process_cpu(server_pid) - server_cpu if server_pid else math.nan
            if unsettled():
                raise SystemExit(f"{unsettled()} deliveries not settled")
            connection.close()  # the database is dropped WITH (FORCE): pooled connections go with it
        server = (
            f", its PostgreSQL server process {server_cpu / handled * 1000:.3f} ms"
            if not math.isnan(server_cpu)
            else " (SQLite: the database work is in the worker)"
        )
        print(
            f"database side ({handled:,} deliveries, process_batch(limit={batch}), no sending): "
            f"worker {cpu / handled * 1000:.3f} ms CPU per message{server}"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


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
    parser.add_argument(
        "--floor-messages", type=int, default=20_000, help="messages of the SDK floor run (no database)"
    )
    parser.add_argument(
        "--database-side",
        action="store_true",
        help="only the worker's database side: process_batch with a backend that sends nothing, no fake",
    )
    parser.add_argument(
        "--sdk-floor", nargs=3, metavar=("URL", "CREDENTIALS", "MESSAGES"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.database_side:
        database_side(args.devices, args.batch)
        return
    if args.sdk_floor:
        django_setup()
        sdk_floor_process(args.sdk_floor[0], args.sdk_floor[1], int(args.sdk_floor[2]))
        return

    workdir = Path(tempfile.mkdtemp(prefix="vigie-push-bench-"))
    fake, url = start_fake()
    workers: list[Worker] = []
    database = contextlib.ExitStack()
    try:
        raw_async, raw_cpu, raw_fake_cpu = raw_capacity_aiohttp_cpu(
            url, requests=args.raw_requests, concurrency=args.raw_concurrency, fake_pid=fake.pid
        )
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

        credentials = workdir / "service-account.json"
        credentials.write_text(json.dumps(service_account_info(url, project_id=PROJECT_ID)))
        floor_rate, floor_cpu, floor_fake_cpu = sdk_floor(
            url, credentials, messages=args.floor_messages, fake_pid=fake.pid
        )
        print(
            f"SDK floor (FcmPushBackend.send_many in 1 process, no database): {floor_rate:,.0f} msg/s, "
            f"{floor_cpu:.3f} ms CPU per message"
        )

        database_url = database.enter_context(
            fresh_database(os.environ.get("DATABASE_URL"), workdir, prefix="vigie_bench")
        )
        os.environ.update(
            DATABASE_URL=database_url,
            DJANGO_SETTINGS_MODULE="backend.settings",
            DEBUG="1",
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

        cpu_at_release = (
            sum(process_cpu(worker.process.pid) for worker in workers),
            process_cpu(fake.pid),
            machine_cpu(),
            time.process_time(),
        )
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
        run_workers_cpu, run_fake_cpu, run_machine_cpu, run_own_cpu = (
            sum(process_cpu(worker.process.pid) for worker in workers) - cpu_at_release[0],
            process_cpu(fake.pid) - cpu_at_release[1],
            machine_cpu() - cpu_at_release[2],
            time.process_time() - cpu_at_release[3],
        )

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
        # CPU per message (ms). The rest of the machine: PostgreSQL (or nothing more for SQLite, which
        # runs in the workers) and whatever else the shared machine ran meanwhile.
        sent = stats["total"]
        workers_ms = run_workers_cpu / sent * 1000
        fake_ms = run_fake_cpu / sent * 1000
        rest_ms = max(run_machine_cpu - run_workers_cpu - run_fake_cpu - run_own_cpu, 0.0) / sent * 1000
        print(
            f"CPU per message: raw client {raw_cpu:.3f} ms + fake {raw_fake_cpu:.3f} ms; "
            f"SDK floor {floor_cpu:.3f} ms + fake {floor_fake_cpu:.3f} ms; "
            f"fan-out: workers {workers_ms:.3f} ms + fake {fake_ms:.3f} ms "
            f"+ rest of the machine (database, other jobs) {rest_ms:.3f} ms"
        )
        raw_cost = raw_cpu + raw_fake_cpu
        print(
            "ceiling on these shared cores, (raw client + fake) / (sender + fake + rest) CPU per message: "
            f"SDK alone {raw_cost / (floor_cpu + floor_fake_cpu):.0%} of the raw capacity, "
            f"the workers as measured {raw_cost / (workers_ms + fake_ms + rest_ms):.0%}"
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
