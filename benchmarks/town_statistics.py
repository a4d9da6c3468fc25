"""The town's statistics (issue 15): a year of aggregates for a commune of 100,000 observations in under
10 s on PostgreSQL, and /statistiques/ for a year in under 200 ms?

    .venv/bin/python benchmarks/town_statistics.py [--observations 100000] [--pages 20] [--database-url URL]

A fresh database (a SQLite file in a temporary folder, or a new PostgreSQL database on the server of
--database-url / DATABASE_URL) is migrated; one commune of six sectors gets `--observations` observations
spread over the twelve months of 2025 (every channel, category and outcome; a decision, a dispatch and its
acknowledgement, a close where the outcome has them), bulk-inserted. Measured:
- `statistics_refresh` of the twelve months (what the backfill, the nightly job and the pre-purge hook
  run), and as the baseline in the same run one GROUP BY count of the same year (the floor of any
  aggregation: no medians, nothing written);
- GET /statistiques/?from=2025-01&to=2025-12 by a signed-in CLSPD coordinator through Django's test client
  (charts, tables, counters), p50 and max of `--pages` requests: "computed" with the cache emptied before
  each (the first view after a month was computed), "cached" as every later view; and as the baseline
  /agents/ (a page with the same middleware and sign-in checks, no figures).
"""

import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import bench_env, cli_parser, django_setup, on_fresh_database, percentile

STATUSES = ["pending", "rejected", "merged", "dispatched", "acknowledged", "closed"]
WEIGHTS = [5, 20, 5, 10, 10, 50]


def _populate(count: int) -> Any:
    from django.db.models import Count

    from alerts.models import Agency, Category, Dispatch, Observation
    from backend.territory.models import Commune, Sector

    commune = Commune.objects.create(name="Mesure", slug="mesure", insee_code="13071", reference_prefix="MES")
    sectors = [Sector.objects.create(commune=commune, name=f"Secteur {n}", slug=f"s{n}") for n in range(6)]
    categories = list(Category.objects.filter(commune__isnull=True))
    agency = Agency.objects.create(name="Police municipale", kind=Agency.Kind.POLICE_MUNICIPALE)
    agency.communes.add(commune)
    draw = random.Random(15)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    batch: list[Observation] = []
    for n in range(count):
        created = start + timedelta(seconds=draw.randrange(365 * 24 * 3600 - 3600 * 24 * 3))
        status = draw.choices(STATUSES, WEIGHTS)[0]
        decided = created + timedelta(seconds=draw.randrange(60, 6 * 3600)) if status != "pending" else None
        finished = (
            decided + timedelta(seconds=draw.randrange(600, 48 * 3600))
            if decided and status in ("closed", "rejected", "merged")
            else None
        )
        batch.append(
            Observation(
                commune=commune, reference=f"MES-{n}", channel=draw.choice(["app", "sms", "web"]),
                category=draw.choice(categories), description="Mesure.", occurred_at=created,
                sector=draw.choice([*sectors, None]), status=status, decided_at=decided, created_at=created,
                updated_at=created, finished_at=finished,
            )
        )  # fmt: skip
        if len(batch) == 5000:
            Observation.objects.bulk_create(batch)
            batch = []
    Observation.objects.bulk_create(batch)
    sent = Observation.objects.filter(commune=commune, status__in=["dispatched", "acknowledged", "closed"])
    dispatches = []
    for pk, decided in sent.values_list("pk", "decided_at").iterator():
        assert decided is not None  # every outcome but pending was decided
        acknowledged = decided + timedelta(seconds=draw.randrange(30, 3600))
        dispatches.append(Dispatch(observation_id=pk, agency=agency, created_at=decided, acknowledged_at=acknowledged,
                                   status="acknowledged"))  # fmt: skip
    Dispatch.objects.bulk_create(dispatches, batch_size=5000)
    counts = dict(Observation.objects.filter(commune=commune).values_list("status").annotate(n=Count("id")))
    return commune, counts


def measure(args: Any, folder: Path, database_url: str) -> None:
    django_setup(**bench_env(database_url, folder, ALLOWED_HOSTS="testserver,localhost"))
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from alerts.models import Observation
    from alerts.statistics.models import MonthlyFigure
    from alerts.statistics.services import statistics_refresh
    from backend.accounts.models import Role, User

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    commune, counts = _populate(args.observations)
    print(f"{args.observations} observations of 2025, {database_url.split(':', 1)[0]}; inserted in "
          f"{time.perf_counter() - began:.1f} s; statuses {counts}")  # fmt: skip
    months = [date(2025, month, 1) for month in range(1, 13)]

    began = time.perf_counter()
    list(
        Observation.objects.filter(commune=commune, created_at__year=2025)
        .values_list("sector_id", "category_id", "channel", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    floor = time.perf_counter() - began
    began = time.perf_counter()
    statistics_refresh(commune=commune, months=months)
    refresh = time.perf_counter() - began
    rows = MonthlyFigure.objects.filter(commune=commune).count()
    print(f"{'statistics_refresh, 12 months':40} {refresh:8.2f} s   ({rows} aggregate rows; target < 10 s)")
    print(f"{'one GROUP BY count of the year (baseline)':40} {floor:8.2f} s")

    coordinator = User.objects.create_user(
        "+33612345678", password="x", role=Role.COORDINATOR, commune=commune
    )
    device = TOTPDevice.objects.create(user=coordinator, name="bench", confirmed=True)
    client = Client()
    client.force_login(coordinator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    year = "/statistiques/?from=2025-01&to=2025-12"
    runs = {
        f"{year}, computed": (year, True),
        f"{year}, cached": (year, False),
        "/agents/ (baseline)": ("/agents/", False),
    }
    timings: dict[str, list[float]] = {label: [] for label in runs}
    for label, (url, cold) in runs.items():
        for index in range(args.pages + 2):
            if cold:  # the first view after a month was computed: figures and charts made again
                cache.clear()
            began = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - began
            assert response.status_code == 200, (url, response.status_code)
            if index >= 2:  # two to warm up: templates, connection
                timings[label].append(elapsed)
    for label, values in timings.items():
        print(f"{label:52} p50 {percentile(values, 0.5) * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms")
    print("target: the page for a year under 200 ms")


def main() -> None:
    parser = cli_parser(__doc__)
    parser.add_argument("--observations", type=int, default=100_000, help="observations of the commune")
    parser.add_argument("--pages", type=int, default=20, help="page requests measured")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    on_fresh_database(args, measure)


if __name__ == "__main__":
    main()
