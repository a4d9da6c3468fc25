"""Intake throughput: accepted observations per second through POST /api/v1/observations/ on daphne,
against a bare DRF endpoint (POST /api/v1/bench/ping/: same authentication, same JSON body, no work) on
the same server in the same run.

    .venv/bin/python benchmarks/intake.py [--requests 600] [--concurrency 8] [--servers 1]
                                          [--rounds 4] [--database-url URL]

A fresh database (a SQLite file in a temporary folder, or the PostgreSQL server of --database-url / the
DATABASE_URL environment variable, in a new database) is migrated and seeded with the demo data; the
requests come from the demo's active referent, authenticated by JWT. The bare endpoint is mounted only
because the server runs with VIGIE_BENCH=1 (never in the public schema). Throttles are lifted for the run.
`--servers N` starts N daphne processes (as behind a proxy in production) and spreads the client's
connections over them; both endpoints are measured on the same servers.
"""

import argparse
import asyncio
import json
import os
import shutil
import socket
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fresh_database(url: str | None, folder: Path) -> tuple[str, str | None]:
    """(DATABASE_URL for the run, the PostgreSQL database to drop afterwards or None)."""
    if not url:
        return f"sqlite:///{folder / 'bench.sqlite3'}", None
    import psycopg

    name = f"vigie_bench_{uuid.uuid4().hex[:8]}"
    base, _, _old = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", name


def drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


TOKEN_SCRIPT = f"""
from rest_framework_simplejwt.tokens import RefreshToken
from backend.accounts.models import User
print("TOKEN", RefreshToken.for_user(User.objects.get(phone="{REFERENT_PHONE}")).access_token)
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


def body(n: int) -> dict[str, Any]:
    occurred = datetime.now(UTC) - timedelta(minutes=5)
    return {
        "category": "vol",
        "description": f"Vol à l'étalage n°{n} à la supérette de la place, un homme en veste rouge.",
        "occurred_at": occurred.isoformat(),
        "latitude": 43.41,
        "longitude": 5.315,
        "in_progress": False,
    }


async def load(
    urls: list[str], token: str, *, requests: int, concurrency: int, expect: int
) -> tuple[float, int]:
    import aiohttp

    counter = iter(range(requests))
    accepted = 0
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def lane(url: str) -> None:
            nonlocal accepted
            for n in counter:
                async with session.post(url, data=json.dumps(body(n))) as response:
                    await response.read()
                    if response.status == expect:
                        accepted += 1
                    elif accepted == 0 and n < concurrency:
                        print(f"  unexpected {response.status}: {(await response.text())[:300]}")

        started = time.perf_counter()
        await asyncio.gather(*(lane(urls[index % len(urls)]) for index in range(concurrency)))
        elapsed = time.perf_counter() - started
    return accepted / elapsed, accepted


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--servers", type=int, default=1, help="daphne processes")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds of each endpoint")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="vigie-bench-"))
    database_url, created = fresh_database(args.database_url or None, folder)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VIGIE_BENCH": "1",
        "THROTTLE_USER": "10000000/min",
        "THROTTLE_ANON": "10000000/min",
        "MEDIA_ROOT": str(folder / "media"),
        "SMS_BACKEND": "console",
        "PUSH_BACKEND": "console",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "1",
    }
    env.pop("REDIS_URL", None) if not os.environ.get("REDIS_URL") else None
    servers: list[subprocess.Popen[bytes]] = []
    try:
        print(f"database: {'PostgreSQL' if created else 'SQLite'}; migrating and seeding the demo…")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo")
        token = next(
            line.split()[1]
            for line in manage(env, "shell", "-c", TOKEN_SCRIPT).splitlines()
            if line.startswith("TOKEN")
        )
        bases = []
        for _ in range(args.servers):
            port = free_port()
            servers.append(start_server(env, port))
            bases.append(f"http://127.0.0.1:{port}/api/v1")
        ping = [f"{base}/bench/ping/" for base in bases]
        intake_urls = [f"{base}/observations/" for base in bases]
        # Warm-up: imports, connections, caches, in every process.
        asyncio.run(load(ping, token, requests=50 * len(bases), concurrency=2 * len(bases), expect=201))
        asyncio.run(
            load(intake_urls, token, requests=20 * len(bases), concurrency=2 * len(bases), expect=201)
        )

        # Interleaved rounds, so that a change of the machine's load weighs on both endpoints alike.
        totals = {"bare": [0.0, 0], "intake": [0.0, 0]}
        per_round = max(args.requests // args.rounds, args.concurrency)
        for _round in range(args.rounds):
            for name, urls in (("bare", ping), ("intake", intake_urls)):
                rate, ok = asyncio.run(
                    load(urls, token, requests=per_round, concurrency=args.concurrency, expect=201)
                )
                totals[name][0] += ok / rate if rate else 0.0
                totals[name][1] += ok
        bare_ok, intake_ok = int(totals["bare"][1]), int(totals["intake"][1])
        bare = bare_ok / totals["bare"][0]
        intake = intake_ok / totals["intake"][0]
        print(
            f"requests per endpoint: {per_round * args.rounds} in {args.rounds} interleaved rounds, "
            f"concurrency: {args.concurrency}, daphne processes: {args.servers}, CPUs: {os.cpu_count()}"
        )
        print(f"bare DRF endpoint:      {bare:8.1f} req/s ({bare_ok} answered 201)")
        print(f"observation intake:     {intake:8.1f} accepted observations/s ({intake_ok} created)")
        print(f"ratio intake / bare:    {intake / bare:8.2f}")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
        if created:
            drop_database(args.database_url, created)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
