"""An observation's status changes are the table Observation.TRANSITIONS, applied by one function
(alerts.services.transitions.observation_status_set) that writes the history row or refuses."""

from typing import Any

import pytest

from alerts.models import Observation, ObservationTransition
from alerts.services.transitions import observation_status_set
from backend.core.errors import Conflict
from tests.alerts import factories as f

pytestmark = pytest.mark.django_db

Status = Observation.Status
ALLOWED = [(start, to) for start, targets in Observation.TRANSITIONS.items() for to in sorted(targets)]
REFUSED = [
    (start, to) for start in Status.values for to in Status.values if to not in Observation.TRANSITIONS[start]
]


def test_the_table_covers_every_status() -> None:
    assert set(Observation.TRANSITIONS) == set(Status.values)
    assert all(targets <= set(Status.values) for targets in Observation.TRANSITIONS.values())
    assert all(not Observation.TRANSITIONS[status] for status in Status.FINISHED)


def _in_status(commune: Any, status: str) -> Observation:
    observation = f.observation(f.referent(commune))
    Observation.objects.filter(pk=observation.pk).update(status=status)
    observation.refresh_from_db()
    return observation


@pytest.mark.parametrize(("start", "to"), ALLOWED)
def test_allowed_transitions_write_their_history(commune: Any, start: str, to: str) -> None:
    observation = _in_status(commune, start)
    moderator = f.moderator(commune)
    observation_status_set(observation, actor=moderator, to=to, reason="test")
    observation.refresh_from_db()
    assert observation.status == to
    last = ObservationTransition.objects.filter(observation=observation).latest("id")
    assert (last.from_status, last.to_status, last.actor, last.reason) == (start, to, moderator, "test")
    assert (observation.finished_at is not None) == (to in Status.FINISHED)
    assert observation.claimed_by is None


@pytest.mark.parametrize(("start", "to"), REFUSED)
def test_other_transitions_are_refused_and_write_nothing(commune: Any, start: str, to: str) -> None:
    observation = _in_status(commune, start)
    history = ObservationTransition.objects.filter(observation=observation).count()
    with pytest.raises(Conflict):
        observation_status_set(observation, actor=None, to=to)
    observation.refresh_from_db()
    assert observation.status == start
    assert ObservationTransition.objects.filter(observation=observation).count() == history
