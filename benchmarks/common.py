"""Pieces shared by the benchmarks: their environment, the demo data and its tokens, percentiles, and the
processes (daphne, workers, Redis, a fresh database), which come from tests/live.py like the tests' own.

A benchmark runs as a script (`.venv/bin/python benchmarks/<name>.py`): it imports this module as
`benchmarks.common`, after putting the project's root on sys.path.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.live import (  # noqa: E402  (after the root is on sys.path)
    SERVE,
    Daphne,
    Worker,
    create_database,
    fresh_database,
    postgres_server,
    running_redis,
    start_daphne,
    token_for,
)

__all__ = [
    "ROOT",
    "SERVE",
    "Daphne",
    "Worker",
    "bench_env",
    "cli_parser",
    "create_database",
    "demo_tokens",
    "django_setup",
    "fresh_database",
    "manage",
    "percentile",
    "postgres_server",
    "running_redis",
    "seed_demo",
    "start_daphne",
    "submission",
    "token_for",
]

REFERENT_PHONE = "+33612000021"  # the demo's active referent
MODERATOR_PHONES = ("+33612000002", "+33612000003")  # the demo's moderators


def cli_parser(doc: str | None) -> argparse.ArgumentParser:
    """The command line of a benchmark, its module docstring as the help (line breaks kept)."""
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)


def on_fresh_database(args: Any, measure: Any, *, prefix: str = "vigie_bench") -> None:
    """Runs `measure(args, folder, database_url)` on a database made for the run (and a scratch folder),
    both removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="vigie-bench-"))
    try:
        with fresh_database(args.database_url, folder, prefix=prefix) as database_url:
            measure(args, folder, database_url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench_env(database_url: str, folder: Path, **extra: str) -> dict[str, str]:
    """This process's environment for the servers and workers of a run: its database, throttles lifted,
    messages to the console, media in the run's folder, quiet logs; `extra` on top."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "THROTTLE_USER": "10000000/min",
        "THROTTLE_ANON": "10000000/min",
        "MEDIA_ROOT": str(folder / "media"),
        "SMS_BACKEND": "console",
        "PUSH_BACKEND": "console",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def django_setup(**env: str) -> None:
    """Django in this process (seeding, counting: outside the measured load), on `env`'s settings."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()


def manage(env: dict[str, str], *args: str) -> str:
    """`manage.py <args>` in `env`; its output, or SystemExit with it when the command fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def seed_demo(env: dict[str, str]) -> None:
    """Migrates the run's database and seeds the demo data."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo")


# Tokens as a login issues them (a token family; staff's with the second factor, as the staff token
# endpoint's), so that the authentication measured is the one clients go through.
TOKEN_SCRIPT = """
from backend.accounts.models import User
from backend.accounts.tokens import tokens_issue
for phone in {phones!r}:
    user = User.objects.get(phone=phone)
    print("TOKEN", phone, tokens_issue(user=user, second_factor=user.is_staff)["access"])
"""


def demo_tokens(env: dict[str, str], phones: tuple[str, ...]) -> dict[str, str]:
    """An access token (JWT) for each of these users of the run's database, by phone."""
    output = manage(env, "shell", "-c", TOKEN_SCRIPT.format(phones=phones))
    return {
        parts[1]: parts[2]
        for parts in (line.split() for line in output.splitlines())
        if len(parts) == 3 and parts[0] == "TOKEN"
    }


def percentile(values: list[float], q: float) -> float:
    """The `q` quantile (0 ≤ q ≤ 1) by the nearest rank; NaN when there is no value."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def submission(
    description: str, *, category: str = "vol", latitude: float = 43.41, longitude: float = 5.315
) -> dict[str, Any]:
    """The body of POST /api/v1/observations/: something seen five minutes ago, over."""
    return {
        "category": category,
        "description": description,
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "latitude": latitude,
        "longitude": longitude,
        "in_progress": False,
    }
