"""Retention tests run on a frozen clock (time-machine): rows are written at T0, then the clock moves."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from backend.core.retention import (
    register_retention_pre_purge,
    retention_report,
    unregister_retention_pre_purge,
)

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
def pre_purge_calls() -> Iterator[list[dict[str, Any]]]:
    """A pre-purge hook that records, each time it is called, what was still to purge at that moment:
    where the statistics the town keeps will aggregate (the statistics issue plugs in there)."""
    calls: list[dict[str, Any]] = []

    def spy(*, now: datetime) -> None:
        calls.append({"now": now, "expired": retention_report(now=now)})

    register_retention_pre_purge("tests.spy", spy)
    yield calls
    unregister_retention_pre_purge("tests.spy")
