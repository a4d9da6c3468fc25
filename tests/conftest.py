"""Shared fixtures. Tests run on SQLite + in-memory layer by default, on PostgreSQL + Redis in CI."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from alerts.services import categories_seed_defaults
from backend.messaging.backends import locmem
from tests import factories

pytest_plugins = ["tests.plugins.services", "tests.plugins.openapi", "tests.live"]


@pytest.fixture(autouse=True)
def _messaging_in_memory(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.SMS_BACKEND = "locmem"
    settings.PUSH_BACKEND = "locmem"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.PUSH_FILE_PATH = tmp_path / "push"
    settings.MEDIA_ROOT = tmp_path / "media"
    locmem.reset()
    cache.clear()
    yield
    locmem.reset()


@pytest.fixture(autouse=True)
def _default_categories(request: pytest.FixtureRequest) -> None:
    """Transactional tests flush every table, rows seeded by migrations included: put the taxonomy back."""
    names = set(request.fixturenames)
    if "transactional_db" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    elif request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("_django_db_helper")
    else:
        return
    categories_seed_defaults()


@pytest.fixture
def sms_outbox() -> list[locmem.SentSms]:
    return locmem.sms_outbox


@pytest.fixture
def push_outbox() -> list[Any]:
    return locmem.push_outbox


@pytest.fixture
def commune(db: None) -> Any:
    return factories.commune()


@pytest.fixture
def other_commune(db: None) -> Any:
    return factories.commune(
        name="Septèmes-les-Vallons", slug="septemes-les-vallons", prefix="SLV", lon_offset=0.2
    )


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
