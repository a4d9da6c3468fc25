"""A town to work in for the deployment tests (daphnes, workers and Redis come from tests/live.py)."""

import http.client
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from alerts.models import Agency
from alerts.services import categories_seed_defaults
from backend.accounts.models import Role, User
from backend.messaging.models import Device
from backend.territory.models import Commune
from tests import factories
from tests.alerts import factories as alerts_factories
from tests.live import token_for
from tests.neighbours import factories as neighbours_factories

NORTH_POINT = alerts_factories.NORTH_POINT


@dataclass
class Town:
    commune: Commune
    referents: list[User]
    moderators: list[User]
    operators: list[User]
    agency: Agency
    tokens: dict[int, str] = field(default_factory=dict)


def town(*, referents: int = 4, moderators: int = 2, operators: int = 2) -> Town:
    """A commune ready for submissions (protocol, charter), referents with one push device each, moderators,
    and one agency with its operators that routing sends everything to."""
    # A transactional test before this one may have flushed the categories that a migration seeds.
    categories_seed_defaults()
    commune = neighbours_factories.ready_commune(factories.commune())
    people = [neighbours_factories.referent(commune).user for _ in range(referents)]
    for index, person in enumerate(people):
        Device.objects.create(user=person, token=f"device-token-{person.pk}-{index}", platform="android")
    staff_moderators = [factories.user(role=Role.MODERATOR, commune=commune) for _ in range(moderators)]
    staff_operators = [factories.user(role=Role.OPERATOR, commune=commune) for _ in range(operators)]
    agency = alerts_factories.agency(commune=commune, members=tuple(staff_operators))
    alerts_factories.routing(commune, agency)
    alerts_factories.fallback(commune, agency)
    created = Town(commune, people, staff_moderators, staff_operators, agency)
    for person in [*people, *staff_moderators, *staff_operators]:
        created.tokens[person.pk] = token_for(person)
    return created


def submission_send(connection: http.client.HTTPConnection, place: "Town", index: int) -> None:
    """Sends submission `index` on `connection`, from one of the town's referents (its answer is read
    by the caller)."""
    author = place.referents[index % len(place.referents)]
    connection.request(
        "POST",
        "/api/v1/observations/",
        body=json.dumps(submission(index)),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {place.tokens[author.pk]}"},
    )


def submission(index: int) -> dict[str, Any]:
    return {
        "category": "cambriolage",
        "description": f"Deux personnes forcent un portail, signalement de test n° {index}.",
        "occurred_at": (timezone.now() - timedelta(minutes=20)).isoformat(),
        **NORTH_POINT,
    }
