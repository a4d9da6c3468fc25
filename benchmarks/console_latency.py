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
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    MODERATOR_PHONES,
    REFERENT_PHONE,
    bench_env,
    cli_parser,
    demo_tokens,
    fresh_database,
    percentile,
    running_redis,
    seed_demo,
    start_daphne,
    submission,
)


def line(name: str, samples: list[float]) -> str:
    p50, p95, p99 = (percentile(samples, q) * 1000 for q in (0.50, 0.95, 0.99))
    top = max(samples, default=float("nan")) * 1000
    return (
        f"{name:<34} n={len(samples):>6}  p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  "
        f"p99 {p99:7.2f} ms  max {top:7.2f} ms"
    )


def observation_body(marker: str) -> dict[str, Any]:
    return submission(f"Vol à l'étalage à la supérette de la place ({marker}).")


async def layer_round_trips(redis_url: str, count: int) -> list[float]:
    """group_send → receive on one channel of the Redis layer the settings use, from this process (no
    daphne)."""
    from channels_redis.pubsub import RedisPubSubChannelLayer

    layer = RedisPubSubChannelLayer(hosts=[redis_url])
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
    parser = cli_parser(__doc__)
    parser.add_argument("--consoles", type=int, default=20)
    parser.add_argument("--rate", type=float, default=50.0, help="submissions per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--samples", type=int, default=500, help="layer and HTTP round trips")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="vigie-console-bench-"))
    try:
        with (
            fresh_database(args.database_url, folder, prefix="vigie_console_bench") as database_url,
            running_redis(args.redis_url, folder=folder) as redis_url,
        ):
            measure(args, folder, database_url, redis_url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(args: argparse.Namespace, folder: Path, database_url: str, redis_url: str) -> None:
    env = bench_env(database_url, folder, REDIS_URL=redis_url)
    kind = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"database: {kind}; Redis: {redis_url}; migrating and seeding…")
    seed_demo(env)
    tokens = demo_tokens(env, (REFERENT_PHONE, *MODERATOR_PHONES))
    server = start_daphne(folder, env=env)
    base = server.url
    try:
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
        daphne_cpu = process_cpu_seconds(server.process.pid)
    finally:
        server.stop(timeout=20)
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
    # Steadier than the latencies, which swing from run to run when the rate is near a core's worth.
    print(f"daphne CPU over its life (start, warm-up, the run): {daphne_cpu:.1f} s")
    event_p50 = percentile(result["latencies"], 0.5)
    print(
        f"ratio p50 console event / bare HTTP: {event_p50 / statistics.median(http):.1f}; "
        f"/ raw layer: {event_p50 / statistics.median(layer):.1f}"
    )


if __name__ == "__main__":
    main()
