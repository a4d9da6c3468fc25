"""The emergency cell's world: a commune with a moderator, a roster (two members, one with a deputy), a
police agency, a referent; another commune with its own."""

from datetime import UTC, datetime
from typing import Any

import pytest

from alerts.models import EmergencyActivation
from alerts.services.emergency import emergency_activate
from alerts.services.emergency_roster import roster_set
from backend.accounts.models import Role
from tests import factories
from tests.alerts import factories as f
from tests.alerts.observations.conftest import submitter_rules  # noqa: F401 - the same simple rules, autouse

T0 = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)


@pytest.fixture
def cell(commune: Any, other_commune: Any, time_machine: Any) -> dict[str, Any]:
    time_machine.move_to(T0, tick=False)
    moderator = f.moderator(commune)
    member = f.operator(commune)
    deputy = f.operator(commune)
    lone = factories.user(role=Role.ADMIN, commune=commune)
    outsider = f.operator(commune)
    pm = f.agency(commune=commune, members=(member, deputy, outsider))
    f.routing(commune, pm)
    roster_set(commune=commune, actor=moderator, seats=[(member, deputy), (lone, None)])
    other_moderator = f.moderator(other_commune)
    other_pm = f.agency(commune=other_commune, name="PM de Septèmes")
    f.routing(other_commune, other_pm)
    return {
        "commune": commune,
        "moderator": moderator,
        "member": member,
        "deputy": deputy,
        "lone": lone,
        "outsider": outsider,
        "referent": f.referent(commune),
        "other_commune": other_commune,
        "other_moderator": other_moderator,
        "other_referent": f.referent(other_commune),
    }


def activate(world: dict[str, Any], **fields: Any) -> EmergencyActivation:
    values: dict[str, Any] = {
        "commune": world["commune"],
        "actor": world["moderator"],
        "requested_by_quality": "mayor",
        "requested_by_name": "Monique Slissa",
        "reason": "Série de cambriolages aux Cadeneaux.",
        "categories": ["cambriolage"],
        **fields,
    }
    return emergency_activate(**values)
