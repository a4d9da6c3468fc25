"""Console latency: from an observation's submission to its event on N live consoles, on daphne + Redis.

    .venv/bin/python benchmarks/console_latency.py [--consoles 20] [--rate 50] [--seconds 10]
        [--database-url URL] [--redis-url URL]

A fresh database (a temporary SQLite file, or a new PostgreSQL database on the server of --database-url /
DATABASE_URL, dropped afterwards) is migrated and seeded with the demo data. One daphne runs with the
Redis channel layer (--redis-url / REDIS_URL, or a throwaway redis-server on a free port). N consoles
(moderators' sockets, /ws/console/?token=…) connect; then M observations per second are POSTed to
/api/v1/observations/ by the demo's referent for S seconds. Each one lands in the moderation queue and
its `observation.pending` event reaches every console: the latency of a (submission, console) pair is
the time from the start of the POST to the event's arrival on that socket. Also printed: from the event
row's `at` (written in the submission's transaction) to the arrival, i.e. commit + channel layer + socket,
without the intake's own work.

In the same run: the raw channel-layer round trip (group_send → receive on the same Redis, from this
process, no daphne) and a bare HTTP round trip (GET /livez on the same daphne), and the ratio.
"""

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REFERENT_PHONE = "+33612000021"
MODERATOR_PHONES = ("+33612000002", "+33612000003")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fresh_database(url: str | None, folder: Path) -> tuple[str, str | None]:
    if not url:
        return f"sqlite:///{folder / 'bench.sqlite3'}", None
    import psycopg

    name = f"vigie_console_bench_{uuid.uuid4().hex[:8]}"
    base, _, _old = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", name


def drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_redis(folder: Path) -> tuple[str, subprocess.Popen[bytes]]:
    binary = shutil.which("redis-server")
    if not binary:
        raise SystemExit("redis-server not found: install it or pass --redis-url")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return f"redis://127.0.0.1:{port}/0", process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("redis-server did not start")


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


TOKEN_SCRIPT = """
from rest_framework_simplejwt.tokens import RefreshToken
from backend.accounts.models import User
for phone in {phones!r}:
    print("TOKEN", phone, RefreshToken.for_user(User.objects.get(phone=phone)).access_token)
"""


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "backend.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("daphne did not start")


def percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


def line(name: str, samples: list[float]) -> str:
    p = percentiles(samples)
    return (
        f"{name:<34} n={len(samples):>6}  p50 {p['p50'] * 1000:7.2f} ms  p95 {p['p95'] * 1000:7.2f} ms  "
        f"p99 {p['p99'] * 1000:7.2f} ms  max {p['max'] * 1000:7.2f} ms"
    )


def observation_body(marker: str) -> dict[str, Any]:
    occurred = datetime.now(UTC) - timedelta(minutes=5)
    return {
        "category": "vol",
        "description": f"Vol à l'étalage à la supérette de la place ({marker}).",
        "occurred_at": occurred.isoformat(),
        "latitude": 43.41,
        "longitude": 5.315,
        "in_progress": False,
    }


async def layer_round_trips(redis_url: str, count: int) -> list[float]:
    """group_send → receive on one channel of the Redis layer, from this process (no daphne)."""
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(hosts=[redis_url], capacity=1000)
    channel = await layer.new_channel()
    await layer.group_add("bench.console", channel)
    samples = []
    try:
        for n in range(count):
            started = time.perf_counter()
            await layer.group_send("bench.console", {"type": "bench", "n": n})
            message = await layer.receive(channel)
            samples.append(time.perf_counter() - started)
            assert message["n"] == n
    finally:
        await layer.group_discard("bench.console", channel)
        await layer.flush()
    return samples


async def http_round_trips(base: str, count: int) -> list[float]:
    import aiohttp

    samples = []
    async with aiohttp.ClientSession() as session:
        for _ in range(count):
            started = time.perf_counter()
            async with session.get(f"{base}/livez") as response:
                await response.read()
                assert response.status == 200
            samples.append(time.perf_counter() - started)
    return samples


async def run(
    base: str, referent_token: str, moderator_tokens: list[str], *, consoles: int, rate: float, seconds: float
) -> dict[str, Any]:
    import aiohttp

    ws_base = base.replace("http://", "ws://")
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    fanout: list[float] = []  # the event row's `at` (in the transaction) → arrival: commit + layer + socket
    http_times: list[float] = []
    statuses: dict[int, int] = {}
    received: list[set[str]] = [set() for _ in range(consoles)]
    total = int(rate * seconds)
    done = asyncio.Event()

    async with aiohttp.ClientSession() as session:
        sockets = []
        for index in range(consoles):
            token = moderator_tokens[index % len(moderator_tokens)]
            ws = await session.ws_connect(f"{ws_base}/ws/console/?token={token}", max_msg_size=0)
            hello = await ws.receive_json(timeout=30)
            assert hello["type"] == "hello", hello
            sockets.append(ws)

        async def listen(index: int, ws: Any) -> None:
            async for message in ws:
                now = time.perf_counter()
                wall = time.time()
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                event = json.loads(message.data)
                if event.get("type") != "observation.pending":
                    continue
                description = event["data"].get("description", "")
                marker = description.rpartition("(")[2].rstrip(").")
                if marker in sent_at and marker not in received[index]:
                    received[index].add(marker)
                    latencies.append(now - sent_at[marker])
                    written = datetime.fromisoformat(event["at"]).timestamp()
                    fanout.append(wall - written)
                    if all(len(seen) >= total for seen in received):
                        done.set()

        listeners = [asyncio.create_task(listen(i, ws)) for i, ws in enumerate(sockets)]
        await asyncio.sleep(1.0)  # presence events of the connections settle
        headers = {"Authorization": f"Bearer {referent_token}", "Content-Type": "application/json"}
        connector = aiohttp.TCPConnector(limit=64)
        async with aiohttp.ClientSession(connector=connector, headers=headers) as poster:

            async def submit(n: int) -> None:
                marker = f"bench-{n}"
                body = json.dumps(observation_body(marker))
                started = time.perf_counter()
                sent_at[marker] = started
                async with poster.post(f"{base}/api/v1/observations/", data=body) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                http_times.append(time.perf_counter() - started)

            begin = time.perf_counter()
            tasks = []
            for n in range(total):
                delay = begin + n / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(submit(n)))
            await asyncio.gather(*tasks)
            offered = time.perf_counter() - begin
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=30)
        for task in listeners:
            task.cancel()
        for ws in sockets:
            await ws.close()
    delivered = sum(len(seen) for seen in received)
    return {
        "latencies": latencies,
        "fanout": fanout,
        "http": http_times,
        "statuses": statuses,
        "expected": total * consoles,
        "delivered": delivered,
        "offered_seconds": offered,
        "total": total,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--consoles", type=int, default=20)
    parser.add_argument("--rate", type=float, default=50.0, help="submissions per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--samples", type=int, default=500, help="layer and HTTP round trips")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="vigie-console-bench-"))
    database_url, created = fresh_database(args.database_url or None, folder)
    redis_process = None
    redis_url = args.redis_url
    if not redis_url:
        redis_url, redis_process = start_redis(folder)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "THROTTLE_USER": "10000000/min",
        "THROTTLE_ANON": "10000000/min",
        "MEDIA_ROOT": str(folder / "media"),
        "SMS_BACKEND": "console",
        "PUSH_BACKEND": "console",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "1",
    }
    server = None
    try:
        print(
            f"database: {'PostgreSQL' if created else 'SQLite'}; Redis: {redis_url}; migrating and seeding…"
        )
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo")
        phones = (REFERENT_PHONE, *MODERATOR_PHONES)
        tokens = {
            parts[1]: parts[2]
            for parts in (
                output_line.split()
                for output_line in manage(env, "shell", "-c", TOKEN_SCRIPT.format(phones=phones)).splitlines()
            )
            if parts and parts[0] == "TOKEN"
        }
        port = free_port()
        server = start_server(env, port)
        base = f"http://127.0.0.1:{port}"
        # Warm-up: imports, connections, the first socket.
        asyncio.run(
            run(
                base,
                tokens[REFERENT_PHONE],
                [tokens[p] for p in MODERATOR_PHONES],
                consoles=2,
                rate=5,
                seconds=1,
            )
        )
        layer = asyncio.run(layer_round_trips(redis_url, args.samples))
        http = asyncio.run(http_round_trips(base, args.samples))
        result = asyncio.run(
            run(
                base,
                tokens[REFERENT_PHONE],
                [tokens[p] for p in MODERATOR_PHONES],
                consoles=args.consoles,
                rate=args.rate,
                seconds=args.seconds,
            )
        )
        print(
            f"consoles: {args.consoles}, offered: {args.rate:g} submissions/s for {args.seconds:g} s "
            f"({result['total']} submissions, all answered after {result['offered_seconds']:.1f} s), one daphne, "
            f"CPUs: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}"
        )
        print(f"HTTP statuses of the submissions: {result['statuses']}")
        print(f"events delivered: {result['delivered']} of {result['expected']} (submission × console)")
        print(line("submission → console event", result["latencies"]))
        print(line("event row written → console", result["fanout"]))
        print(line("submission HTTP response", result["http"]))
        print(line("raw channel-layer round trip", layer))
        print(line("bare HTTP round trip (GET /livez)", http))
        event_p50 = percentiles(result["latencies"])["p50"]
        print(
            f"ratio p50 console event / bare HTTP: {event_p50 / statistics.median(http):.1f}; "
            f"/ raw layer: {event_p50 / statistics.median(layer):.1f}"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(timeout=10)
        if created:
            drop_database(args.database_url, created)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
