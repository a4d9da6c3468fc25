"""End-to-end load: observations submitted and approved through the API at a fixed rate, consoles open
on every daphne, on PostgreSQL and Redis; the same run on one daphne and on two.

    .venv/bin/python benchmarks/e2e_load.py                       # 60 s at 4 submissions/s, 1 then 2 daphnes
    .venv/bin/python benchmarks/e2e_load.py --duration 20 --rate 2 --daphnes 2

Each second, `rate` submissions leave on schedule (open loop: a slow server does not slow the load
down), spread over the daphnes in turn; each 201 is followed at once by the approval, sent to the next
daphne. A moderator console and an operator console are connected to every daphne. At the end:

- throughput (answered requests per second), latency percentiles of submissions and approvals, errors;
- N submitted (201) = N stored (rows) = N seen (the observation's `observation.pending` event on every
  moderator console and its `dispatch.created` on every operator console), and the time from the
  request to the event on the consoles;
- the ratio two daphnes / one daphne.

It uses its own database (`--database-url`, created and migrated when missing) and Redis database, starts
its daphnes (`python -m backend.core.serve`) and one worker (push and SMS to files), and stops them.
"""

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    SERVE,
    Daphne,
    Worker,
    bench_env,
    cli_parser,
    create_database,
    django_setup,
    manage,
    percentile,
    postgres_server,
    start_daphne,
    submission,
    token_for,
)


@dataclass
class Result:
    daphnes: int
    duration: float
    rate: float
    stored: int = 0
    seen: int = 0
    errors: list[str] = field(default_factory=list)
    submit_ms: list[float] = field(default_factory=list)
    approve_ms: list[float] = field(default_factory=list)
    to_moderators_ms: list[float] = field(default_factory=list)
    to_police_ms: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def submitted(self) -> int:
        return len(self.submit_ms)

    @property
    def approved(self) -> int:
        return len(self.approve_ms)

    @property
    def throughput(self) -> float:
        return (self.submitted + self.approved) / self.elapsed if self.elapsed else 0.0


# --- environment ---------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Creates the run's database when missing, and migrates it."""
    create_database(postgres_server(url), url.partition("?")[0].rpartition("/")[2], exist_ok=True)
    manage(bench_env(url, Path(tempfile.gettempdir())), "migrate", "--noinput", "-v0")


@dataclass
class Town:
    commune_id: int
    referent_tokens: list[str]
    moderator_tokens: list[str]
    operator_tokens: list[str]


def unique_phone() -> str:
    """A mobile number not used by an earlier run on the same database."""
    return f"+3361{uuid.uuid4().int % 10**7:07d}"  # 06 1x xx xx xx: a valid mobile range


def make_town(label: str, *, referents: int, consoles: int) -> Town:
    """The tests' factories, with phones, slug and reference prefix unique across runs on one database."""
    from alerts.services import categories_seed_defaults
    from backend.accounts.models import Role
    from backend.messaging.models import Device
    from tests import factories
    from tests.alerts import factories as alerts_factories
    from tests.neighbours import factories as neighbours_factories

    categories_seed_defaults()
    prefix = "B" + uuid.uuid4().hex[:5].upper()  # references are unique across communes
    commune = factories.commune(name=f"Bench {label}", slug=f"bench-{label}", prefix=prefix)
    neighbours_factories.ready_commune(commune)
    people = [neighbours_factories.referent(commune, phone=unique_phone()).user for _ in range(referents)]
    for user in people:
        Device.objects.create(user=user, token=f"bench-{uuid.uuid4().hex}", platform="android")
    moderators = [
        factories.user(role=Role.MODERATOR, commune=commune, phone=unique_phone()) for _ in range(consoles)
    ]
    operators = [
        factories.user(role=Role.OPERATOR, commune=commune, phone=unique_phone()) for _ in range(consoles)
    ]
    agency = alerts_factories.agency(
        commune=commune, name=f"Police municipale {label}", members=tuple(operators)
    )
    alerts_factories.routing(commune, agency)
    alerts_factories.fallback(commune, agency)
    return Town(
        commune.pk,
        [token_for(user) for user in people],
        [token_for(user) for user in moderators],
        [token_for(user) for user in operators],
    )


def start_processes(count: int, env: dict[str, str], folder: Path) -> tuple[list[Daphne], Worker]:
    """`count` deploy daphnes (ready once /readyz answers) and one worker."""
    servers: list[Daphne] = []
    try:
        for _ in range(count):
            servers.append(
                start_daphne(
                    folder, env=env, command=SERVE, options=("--access-log", "/dev/null"), probe="/readyz"
                )
            )
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers, Worker(folder, "bench", env=env, batch=None, poll=0.5)


def stop_processes(servers: list[Daphne], worker: Worker) -> None:
    for process in [*(server.process for server in servers), worker.process]:
        process.terminate()
    for server in servers:
        server.stop(timeout=40)
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.stop(timeout=40)


# --- the run -------------------------------------------------------------------------------------


async def run_load(urls: list[str], town: Town, *, duration: float, rate: float, result: Result) -> None:
    import aiohttp

    pending_seen: dict[int, dict[str, float]] = {}  # observation id → console name → arrival
    dispatch_seen: dict[int, dict[str, float]] = {}
    submitted_at: dict[int, float] = {}
    approved_at: dict[int, float] = {}
    consoles: list[str] = []
    ready = asyncio.Event()
    connected = 0

    async def console(session: aiohttp.ClientSession, name: str, url: str) -> None:
        nonlocal connected
        async with session.ws_connect(url, heartbeat=30) as socket:
            async for message in socket:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                data = json.loads(message.data)
                now = time.monotonic()
                if data.get("type") == "hello":
                    connected += 1
                    if connected == len(consoles):
                        ready.set()
                elif data.get("type") == "observation.pending":
                    pending_seen.setdefault(int(data["data"]["id"]), {})[name] = now
                elif data.get("type") == "dispatch.created":
                    dispatch_seen.setdefault(int(data["data"]["observation"]["id"]), {})[name] = now

    async def post(
        session: aiohttp.ClientSession,
        what: str,
        url: str,
        token: str,
        body: dict[str, Any],
        *,
        expect: int,
        latencies: list[float],
    ) -> str | None:
        """The answer's text when its status is `expect` (its latency appended to `latencies`); else None,
        the failure counted in `result.errors` under `what`."""
        started = time.monotonic()
        try:
            async with session.post(url, json=body, headers={"Authorization": f"Bearer {token}"}) as response:
                status, text = response.status, await response.text()
        except Exception as exc:
            result.errors.append(f"{what}: {type(exc).__name__}")
            return None
        if status != expect:
            result.errors.append(f"{what}: HTTP {status}")
            return None
        latencies.append((time.monotonic() - started) * 1000)
        return text

    async def one(session: aiohttp.ClientSession, index: int) -> None:
        base = urls[index % len(urls)]
        body = submission(
            f"Charge de test n° {index} : deux personnes forcent un portail.",
            category="cambriolage",
            latitude=43.415,
            longitude=5.31,
        )
        token = town.referent_tokens[index % len(town.referent_tokens)]
        started = time.monotonic()
        text = await post(
            session,
            "submit",
            f"{base}/api/v1/observations/",
            token,
            body,
            expect=201,
            latencies=result.submit_ms,
        )
        if text is None:
            return
        observation = int(json.loads(text)["id"])
        submitted_at[observation] = started
        other = urls[(index + 1) % len(urls)]
        moderator = town.moderator_tokens[index % len(town.moderator_tokens)]
        approved_at[observation] = time.monotonic()
        await post(
            session,
            "approve",
            f"{other}/api/v1/moderation/{observation}/approve/",
            moderator,
            {},
            expect=200,
            latencies=result.approve_ms,
        )

    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=120)
    ) as session:
        watchers = []
        for position, url in enumerate(urls):
            ws = url.replace("http://", "ws://")
            for kind, tokens in (("moderator", town.moderator_tokens), ("operator", town.operator_tokens)):
                name = f"{kind}@{position}"
                consoles.append(name)
                watchers.append(
                    asyncio.create_task(console(session, name, f"{ws}/ws/console/?token={tokens[position]}"))
                )
        await asyncio.wait_for(ready.wait(), 30)
        await asyncio.sleep(1)
        tasks = []
        started = time.monotonic()
        total = int(duration * rate)
        for index in range(total):
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(session, index)))
        await asyncio.gather(*tasks)
        result.elapsed = time.monotonic() - started
        moderators = [name for name in consoles if name.startswith("moderator")]
        police = [name for name in consoles if name.startswith("operator")]

        def everywhere(observation: int) -> bool:
            return set(pending_seen.get(observation, {})) >= set(moderators) and set(
                dispatch_seen.get(observation, {})
            ) >= set(police)

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(everywhere(o) for o in approved_at):
            await asyncio.sleep(0.2)
        for observation in submitted_at:
            if everywhere(observation):
                result.seen += 1
                result.to_moderators_ms.extend(
                    (arrival - submitted_at[observation]) * 1000
                    for arrival in pending_seen[observation].values()
                )
                result.to_police_ms.extend(
                    (arrival - approved_at[observation]) * 1000
                    for arrival in dispatch_seen[observation].values()
                )
        for watcher in watchers:
            watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)


def scenario(args: argparse.Namespace, daphnes: int) -> Result:
    from alerts.models import Observation

    label = f"{daphnes}d{uuid.uuid4().hex[:6]}"
    town = make_town(label, referents=8, consoles=max(daphnes, 1))
    folder = Path(tempfile.mkdtemp(prefix=f"vigie-bench-{label}-"))
    env = bench_env(
        args.database_url,
        folder,
        REDIS_URL=args.redis_url,
        PUSH_BACKEND="file",
        PUSH_FILE_PATH=str(folder / "push"),
        SMS_BACKEND="file",
        SMS_FILE_PATH=str(folder / "sms"),
    )
    servers, worker = start_processes(daphnes, env, folder)
    result = Result(daphnes=daphnes, duration=args.duration, rate=args.rate)
    try:
        urls = [server.url for server in servers]
        asyncio.run(run_load(urls, town, duration=args.duration, rate=args.rate, result=result))
    finally:
        stop_processes(servers, worker)
    result.stored = Observation.objects.filter(commune_id=town.commune_id).count()
    return result


def report(result: Result) -> str:
    def line(name: str, values: list[float]) -> str:
        return (
            f"  {name:<28} p50 {percentile(values, 0.50):7.1f}  p95 {percentile(values, 0.95):7.1f}  "
            f"p99 {percentile(values, 0.99):7.1f}  max {max(values, default=float('nan')):7.1f} ms"
        )

    return "\n".join(
        [
            f"{result.daphnes} daphne(s), {result.rate:g} submissions/s for {result.duration:g} s "
            f"(+ as many approvals), {result.elapsed:.1f} s:",
            f"  throughput                   {result.throughput:.2f} requests/s answered "
            f"({result.submitted} submissions, {result.approved} approvals)",
            line("submission (POST 201)", result.submit_ms),
            line("approval (POST 200)", result.approve_ms),
            line("submit → moderator consoles", result.to_moderators_ms),
            line("approve → police consoles", result.to_police_ms),
            f"  errors                       {len(result.errors)} {sorted(set(result.errors))[:5]}",
            f"  N submitted {result.submitted} = N stored {result.stored} = N seen {result.seen}: "
            f"{'yes' if result.submitted == result.stored == result.seen == int(result.duration * result.rate) else 'NO'}",
        ]
    )


def main() -> None:
    parser = cli_parser(__doc__)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--rate", type=float, default=4.0, help="submissions per second (default 4)")
    parser.add_argument("--daphnes", default="1,2", help="runs to make, e.g. 1,2 (default) or 2")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/vigie_bench", help="its own database"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="its own Redis database")
    args = parser.parse_args()
    ensure_database(args.database_url)
    # Setup and counts only, outside the load.
    django_setup(DATABASE_URL=args.database_url, REDIS_URL=args.redis_url, DJANGO_ALLOW_ASYNC_UNSAFE="true")
    results = []
    for count in [int(item) for item in args.daphnes.split(",")]:
        result = scenario(args, count)
        print(report(result), flush=True)
        results.append(result)
    if len(results) == 2:
        one, two = sorted(results, key=lambda item: item.daphnes)
        print(
            f"ratio {two.daphnes} / {one.daphnes} daphnes: throughput {two.throughput / one.throughput:.2f}×, "
            f"p95 submission {percentile(two.submit_ms, 0.95) / percentile(one.submit_ms, 0.95):.2f}×, "
            f"p95 approval {percentile(two.approve_ms, 0.95) / percentile(one.approve_ms, 0.95):.2f}×"
        )
    failed = [r for r in results if r.errors or not (r.submitted == r.stored == r.seen)]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
