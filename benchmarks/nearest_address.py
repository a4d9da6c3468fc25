"""The nearest address of a point (issue 14): under 5 ms per lookup for a commune of 20,000 addresses?

    .venv/bin/python benchmarks/nearest_address.py [--addresses 20000] [--lookups 2000] [--baseline 100]
                                                   [--database-url URL]

A fresh database (a SQLite file in a temporary folder, or a new PostgreSQL database on the server of
--database-url / DATABASE_URL) is migrated; one commune gets `--addresses` synthetic addresses, drawn at
random over Les Pennes-Mirabeau's 7 × 7 km. Then random points of that area are looked up one at a time
as the intake does (backend/territory/nearest_sql.py: a widening box on the index, haversine in Python,
150 m at most), and, as the baseline in the same run, the naive way: every address of the commune read,
the nearest by haversine. Prints p50 and p99 per lookup of each, and checks they agree.
"""

import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import bench_env, cli_parser, django_setup, on_fresh_database, percentile

SOUTH, NORTH, WEST, EAST = 43.38, 43.44, 5.27, 5.36
MAX_DISTANCE = 150


def measure(args: Any, folder: Path, database_url: str) -> None:
    django_setup(**bench_env(database_url, folder))
    from django.core.management import call_command

    from backend.territory.models import Address, Commune
    from backend.territory.nearest_sql import address_nearest, haversine_m

    call_command("migrate", verbosity=0)
    draw = random.Random(14)
    commune = Commune.objects.create(name="Mesure", slug="mesure", insee_code="13071", reference_prefix="MES")
    Address.objects.bulk_create(
        (
            Address(
                commune=commune,
                ban_id=f"13071_{n // 20:04d}_{n % 20 + 1:05d}",
                number=n % 20 + 1,
                street=f"Voie {n // 20}",
                postcode="13170",
                commune_name="Mesure",
                latitude=draw.uniform(SOUTH, NORTH),
                longitude=draw.uniform(WEST, EAST),
            )
            for n in range(args.addresses)
        ),
        batch_size=2000,
    )
    points = [(draw.uniform(SOUTH, NORTH), draw.uniform(WEST, EAST)) for _ in range(args.lookups)]

    def fast(latitude: float, longitude: float) -> Any:
        return address_nearest(
            commune_id=commune.pk, latitude=latitude, longitude=longitude, max_distance=MAX_DISTANCE
        )

    def naive(latitude: float, longitude: float) -> tuple[str, int] | None:
        rows = Address.objects.filter(commune=commune).values_list(
            "number", "street", "postcode", "commune_name", "latitude", "longitude"
        )
        distance, row = min((haversine_m(latitude, longitude, row[4], row[5]), row) for row in rows)
        return (
            (f"{row[0]} {row[1]}, {row[2]} {row[3]}", round(distance)) if distance <= MAX_DISTANCE else None
        )

    for latitude, longitude in points[:50]:  # warm up: connection, statement cache, pages
        fast(latitude, longitude)
    timings: dict[str, list[float]] = {"box": [], "scan": []}
    cpu: list[float] = []  # this thread's CPU time: what the wall time is without the other processes
    answers = []
    for latitude, longitude in points:
        start, start_cpu = time.perf_counter(), time.thread_time()
        answers.append(fast(latitude, longitude))
        timings["box"].append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    # The baseline afterwards: its 20,000 rows per lookup would leave garbage for the next lookup's timing.
    for (latitude, longitude), answer in zip(points[: args.baseline], answers, strict=False):
        start = time.perf_counter()
        expected = naive(latitude, longitude)
        timings["scan"].append(time.perf_counter() - start)
        if (answer.label, answer.distance) != expected if answer else expected is not None:
            raise SystemExit(f"disagreement at {latitude}, {longitude}: {answer} vs {expected}")
    found = sum(answer is not None for answer in answers)
    vendor = database_url.split(":", 1)[0]
    print(
        f"{args.addresses} addresses, {vendor}; {found}/{len(points)} points within {MAX_DISTANCE} m of one"
    )
    for name, values in timings.items():
        label = "box + haversine (address_nearest)" if name == "box" else "naive full scan (baseline)"
        print(
            f"{label:36} {len(values):5d} lookups  p50 {percentile(values, 0.5) * 1000:7.3f} ms  "
            f"p99 {percentile(values, 0.99) * 1000:7.3f} ms  max {max(values) * 1000:7.3f} ms"
        )
    print(
        f"{'address_nearest, CPU time':36} {len(cpu):5d} lookups  p50 {percentile(cpu, 0.5) * 1000:7.3f} ms  "
        f"p99 {percentile(cpu, 0.99) * 1000:7.3f} ms  max {max(cpu) * 1000:7.3f} ms"
    )


def main() -> None:
    parser = cli_parser(__doc__)
    parser.add_argument("--addresses", type=int, default=20_000, help="addresses of the commune")
    parser.add_argument("--lookups", type=int, default=2000, help="points looked up")
    parser.add_argument("--baseline", type=int, default=100, help="of which also by a full scan")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    on_fresh_database(args, measure)


if __name__ == "__main__":
    main()
