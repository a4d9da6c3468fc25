"""Broadcast tests: a commune of three sectors (nord and sud adjacent, est apart), staff, referents
(neighbours' real "referents" audience) with app devices."""

from itertools import count
from typing import Any

import pytest

from backend.accounts.models import Role, User
from backend.messaging.models import Device
from backend.territory.models import Commune, Sector
from tests import factories
from tests.factories import box
from tests.neighbours import factories as nf

_tokens = count(1)


@pytest.fixture
def commune3(commune: Commune) -> Commune:
    """The test commune plus `est`, adjacent to nobody."""
    Sector.objects.create(commune=commune, name="Est", slug="est", polygon=box(43.40, 5.32, 43.42, 5.34))
    return nf.ready_commune(commune)


@pytest.fixture
def moderator(commune: Commune) -> User:
    return factories.user(role=Role.MODERATOR, commune=commune)


@pytest.fixture
def operator(commune: Commune) -> User:
    return factories.user(role=Role.OPERATOR, commune=commune)


def referent(commune: Commune, sector: str, *, devices: int = 1, **fields: Any) -> User:
    user = nf.referent(commune, sector_slug=sector, **fields).user
    for _ in range(devices):
        Device.objects.create(user=user, token=f"tok-{user.pk}-{next(_tokens)}", platform="android")
    return user


def tokens_of(*users: User) -> set[str]:
    return set(Device.objects.filter(user__in=users).values_list("token", flat=True))


BODY = {
    "kind": "burglary_alert",
    "title": "Alerte cambriolage",
    "body": "Cambriolages signalés secteur Nord. Fermez portes et fenêtres.",
    "sectors": ["nord"],
    "include_adjacent": True,
    "audiences": ["referents"],
    "channels": ["push", "sms"],
}
