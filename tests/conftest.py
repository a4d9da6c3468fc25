"""Shared fixtures. Tests run on SQLite + in-memory layer by default, on PostgreSQL + Redis in CI."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from alerts.services import categories_seed_defaults
from backend.accounts.second_factor import AMR_CLAIM, STAFF_AMR
from backend.messaging.backends import locmem
from backend.messaging.worker import drain
from tests import factories

pytest_plugins = ["tests.plugins.services", "tests.live"]


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


def sms_code(phone: str | None = None) -> str:
    """The 6-digit code of the newest SMS (to `phone`, E.164, when given). Codes leave through the outbox:
    the worker's drain() sends what is queued first, as the worker would just after the request."""
    drain()
    for sms in reversed(locmem.sms_outbox):
        match = re.search(r"code est (\d{6})\b", sms.body)
        if match and (phone is None or sms.to == phone):
            return match.group(1)
    raise AssertionError(f"no SMS to {phone or 'anyone'} in {locmem.sms_outbox}")


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


def access_token_for(user: Any, *, second_factor: bool | None = None) -> str:
    """A JWT as Vigie issues it: a staff member's records the second factor (POST /auth/staff/token/),
    anyone else's does not (an SMS code). `second_factor=False` makes a staff token without it."""
    refresh = RefreshToken.for_user(user)
    if user.is_staff if second_factor is None else second_factor:
        refresh[AMR_CLAIM] = list(STAFF_AMR)
    return str(refresh.access_token)


def api_client_for(user: Any | None = None, *, second_factor: bool | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        token = access_token_for(user, second_factor=second_factor)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
