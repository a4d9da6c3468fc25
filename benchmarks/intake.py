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
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    REFERENT_PHONE,
    Daphne,
    bench_env,
    cli_parser,
    demo_tokens,
    on_fresh_database,
    seed_demo,
    start_daphne,
    submission,
)


def body(n: int) -> dict[str, Any]:
    return submission(f"Vol à l'étalage n°{n} à la supérette de la place, un homme en veste rouge.")


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
    parser = cli_parser(__doc__)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--servers", type=int, default=1, help="daphne processes")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds of each endpoint")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()

    on_fresh_database(args, measure)


def measure(args: argparse.Namespace, folder: Path, database_url: str) -> None:
    env = bench_env(database_url, folder, VIGIE_BENCH="1")
    kind = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    servers: list[Daphne] = []
    try:
        print(f"database: {kind}; migrating and seeding the demo…")
        seed_demo(env)
        token = demo_tokens(env, (REFERENT_PHONE,))[REFERENT_PHONE]
        for _ in range(args.servers):
            servers.append(start_daphne(folder, env=env))
        bases = [f"{server.url}/api/v1" for server in servers]
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
            server.process.terminate()
        for server in servers:
            server.stop(timeout=20)


if __name__ == "__main__":
    main()
