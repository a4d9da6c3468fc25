"""Code requests: does the answer take the same time for a number that may log in and for one that may
not? (issue 12, finding 8: the SMS was sent inside the request, for known numbers only; with a provider
taking 0.3 s the medians were 655 ms vs 345 ms.)

    .venv/bin/python benchmarks/otp_timing.py [--requests 30] [--provider-seconds 0.3] [--no-worker]
                                              [--database-url URL]

A fresh database (a SQLite file in a temporary folder, or a new PostgreSQL database on the server of
--database-url / DATABASE_URL) is migrated and seeded with the demo data, plus one referent per known
request (a number gets one code a minute). One daphne runs with a deliberately slow SMS backend
(tests/backend/messaging/slow_backends.py: the message is written to a file, then the provider "takes" 0.3 s), and,
unless --no-worker, the outbox worker that really sends the codes meanwhile. POST /api/v1/auth/otp/ is
called one request at a time, alternating a known referent's number and an unknown one; the limits per
network and for the platform are lifted for the run. Prints the median and p90 of each and their gap.
"""

import argparse
import json
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    REFERENT_PHONE,
    Daphne,
    Worker,
    bench_env,
    cli_parser,
    manage,
    on_fresh_database,
    percentile,
    seed_demo,
    start_daphne,
)

KNOWN_SCRIPT = """
from backend.accounts.models import Role, User
commune = User.objects.get(phone={referent!r}).commune
for n in range({count}):
    User.objects.create_user("+336130{{:05d}}".format(n), role=Role.REFERENT, commune=commune,
                             display_name="Référent de mesure {{}}".format(n))
print("KNOWN", User.objects.filter(phone__startswith="+336130").count())
"""


def known_phone(n: int) -> str:
    return f"+336130{n:05d}"


def unknown_phone(n: int) -> str:
    return f"+336140{n:05d}"


def codes_received(folder: Path) -> int:
    """Code SMS the slow provider has received (the file backend writes one JSON file per message)."""
    if not folder.exists():
        return 0
    return sum("votre code" in json.loads(path.read_text())["body"] for path in folder.glob("*.json"))


def post_code_request(url: str, phone: str) -> float:
    """Seconds from sending the request to reading the whole answer (which must be 202)."""
    request = urllib.request.Request(  # noqa: S310  (the local daphne)
        url, data=f'{{"phone": "{phone}"}}'.encode(), headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 202:
            raise SystemExit(f"{phone}: HTTP {response.status}")
    return elapsed


def line(name: str, samples: list[float]) -> str:
    median, p90 = statistics.median(samples) * 1000, percentile(samples, 0.9) * 1000
    return f"{name:<16} n={len(samples):>4}  median {median:7.1f} ms  p90 {p90:7.1f} ms"


def main() -> None:
    parser = cli_parser(__doc__)
    parser.add_argument("--requests", type=int, default=30, help="requests of each kind")
    parser.add_argument("--provider-seconds", type=float, default=0.3, help="the slow SMS backend's delay")
    parser.add_argument("--no-worker", action="store_true", help="no outbox worker during the run")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()

    on_fresh_database(args, measure)


def measure(args: argparse.Namespace, folder: Path, database_url: str) -> None:
    warmup = 3
    env = bench_env(
        database_url,
        folder,
        SMS_BACKEND="tests.backend.messaging.slow_backends.SlowFileSmsBackend",
        SMS_FILE_PATH=str(folder / "sms"),
        SLOW_SMS_SECONDS=str(args.provider_seconds),
        THROTTLE_OTP_IP="1000000/hour",
        OTP_SENDS_PER_NETWORK_PER_HOUR="1000000",
        OTP_SENDS_GLOBAL_PER_HOUR="1000000",
    )
    kind = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    server: Daphne | None = None
    worker: Worker | None = None
    try:
        print(f"database: {kind}; migrating and seeding the demo…")
        seed_demo(env)
        manage(env, "shell", "-c", KNOWN_SCRIPT.format(referent=REFERENT_PHONE, count=args.requests + warmup))
        server = start_daphne(folder, env=env)
        if not args.no_worker:
            worker = Worker(folder, "otp", env=env, batch=None, poll=0.1)
            worker.wait_started()
        url = f"{server.url}/api/v1/auth/otp/"
        for n in range(warmup):  # imports, connections, caches
            post_code_request(url, known_phone(args.requests + n))
            post_code_request(url, unknown_phone(args.requests + n))
        known: list[float] = []
        unknown: list[float] = []
        for n in range(args.requests):  # alternated, so that a change of the machine's load weighs on both
            known.append(post_code_request(url, known_phone(n)))
            unknown.append(post_code_request(url, unknown_phone(n)))
        expected = args.requests + warmup
        deadline = time.monotonic() + (60 if worker is not None else 0)
        while codes_received(folder / "sms") < expected and time.monotonic() < deadline:
            time.sleep(0.2)
        sent = codes_received(folder / "sms")

        running = "no" if worker is None else "yes"
        print(
            f"provider delay: {args.provider_seconds:.2f} s per SMS; worker: {running}; CPUs: {os.cpu_count()}"
        )
        print(line("known number", known))
        print(line("unknown number", unknown))
        gap = (statistics.median(known) - statistics.median(unknown)) * 1000
        print(f"median gap (known − unknown): {gap:+.1f} ms")
        print(f"code SMS the provider received: {sent} (known numbers asked: {expected}, unknown ones: none)")
    finally:
        if worker is not None:
            worker.stop()
        if server is not None:
            server.stop(timeout=20)


if __name__ == "__main__":
    main()
