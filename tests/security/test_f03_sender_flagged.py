"""Finding 3: `sender.flagged` carried the reporter's name to the commune-wide staff group, so police
consoles received it live and again on every reconnect."""

import pytest

from alerts import services
from alerts.console.selectors import events_replay
from alerts.models import Event
from tests.alerts import factories as f
from tests.security.conftest import Towns

pytestmark = pytest.mark.django_db


def test_a_flagged_sender_is_told_to_moderators_only(towns: Towns) -> None:
    author, moderator = towns.people["referent_a"], towns.people["moderator_a"]
    start = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for _ in range(3):
        services.observation_reject(observation=f.observation(author), actor=moderator, reason="false_report")
    flagged = Event.objects.get(type="sender.flagged")
    assert author.display_name in str(flagged.data)
    assert set(flagged.targets.values_list("group", flat=True)) == {f"moderation.{towns.a.pk}"}
    # Every group a police console of commune A may join: its commune's, its agencies', its own.
    police = [
        f"commune.{towns.a.pk}",
        f"dispatches.{towns.a.pk}",
        f"agency.{towns.pm_a.pk}",
        f"agency.{towns.pn.pk}",
        f"user.{towns.people['operator_pm_a'].pk}",
    ]
    replayed = events_replay(groups=police, after_id=start).events
    assert all(event["type"] != "sender.flagged" for event in replayed)
    assert author.display_name not in str(replayed)
    moderation = events_replay(groups=[f"moderation.{towns.a.pk}"], after_id=start).events
    assert any(event["type"] == "sender.flagged" for event in moderation)
