"""PostgreSQL and Redis for the tests that only mean something there (row locks, concurrency, Redis across
processes): the `services` marker.

`make test` runs the suite twice. On SQLite (the embedded default) it deselects them (`-m "not services"`);
on PostgreSQL + Redis it runs everything. With VIGIE_REQUIRE_SERVICES=1 (.ci/run) a missing or silent
service fails every test of the run once per session: never a skip, so CI cannot go green on SQLite.
Without it, `services` tests run on what they find (tests/live.py starts a throwaway redis-server).
"""

import os
from pathlib import Path

import pytest

REQUIRE_SERVICES = os.environ.get("VIGIE_REQUIRE_SERVICES") == "1"


def missing_services() -> list[str]:
    """What VIGIE_REQUIRE_SERVICES=1 (.ci/run) asks for and does not get: PostgreSQL and a live Redis."""
    problems = []
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://")):
        problems.append("DATABASE_URL must point at PostgreSQL")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        problems.append("REDIS_URL is not set")
    else:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
        except Exception as exc:
            problems.append(f"Redis at {redis_url} does not answer ({type(exc).__name__}: {exc})")
    return problems


def pytest_configure(config: pytest.Config) -> None:
    """The folder of the SQLite test database (backend/settings.py's TEST NAME; settings create no folder)."""
    from django.db import connection

    test_name = connection.settings_dict["TEST"]["NAME"]
    if test_name and connection.vendor == "sqlite":
        Path(test_name).parent.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session", autouse=True)
def _required_services() -> None:
    """A missing service fails every test of the run (never a skip) when VIGIE_REQUIRE_SERVICES=1."""
    if REQUIRE_SERVICES and (problems := missing_services()):
        pytest.fail("VIGIE_REQUIRE_SERVICES=1: " + "; ".join(problems), pytrace=False)
