"""Two moderators act on one item at the same instant: one wins, the other gets 409.

Threads with their own database connections; on PostgreSQL (DATABASE_URL) the row locks decide, on SQLite
the database lock serialises the transactions. Either way exactly one wins."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from alerts import services
from alerts.models import Dispatch, Observation
from backend.core.errors import Conflict
from backend.messaging.models import Delivery
from tests.alerts import factories as f
from tests.helpers import race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_claims_one_winner(commune: Any) -> None:
    first, second = f.moderator(commune), f.moderator(commune)
    observation = f.observation(f.referent(commune))
    results = race(
        lambda: services.observation_claim(observation=observation, actor=first),
        lambda: services.observation_claim(observation=observation, actor=second),
    )
    winners = [result for result in results if isinstance(result, Observation)]
    losers = [result for result in results if isinstance(result, Conflict)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    holder = Observation.objects.select_related("claimed_by").get(pk=observation.pk).claimed_by
    assert holder is not None
    assert holder.display_name in losers[0].message
    assert losers[0].status_code == 409


def test_approve_and_reject_at_once_one_decision(commune: Any) -> None:
    first, second = f.moderator(commune), f.moderator(commune)
    f.routing(commune, f.agency(commune=commune))
    observation = f.observation(f.referent(commune))
    results = race(
        lambda: services.observation_approve(observation=observation, actor=first),
        lambda: services.observation_reject(observation=observation, actor=second, reason="false_report"),
    )
    assert sum(isinstance(result, Observation) for result in results) == 1, results
    assert sum(isinstance(result, Conflict) for result in results) == 1, results
    final = Observation.objects.get(pk=observation.pk)
    assert final.transitions.count() == 2
    assert (final.status == Observation.Status.DISPATCHED) == Dispatch.objects.exists()


def test_references_are_unique_under_concurrent_intake(commune: Any) -> None:
    authors = [f.referent(commune) for _ in range(4)]
    results = race(*[lambda author=author: f.observation(author) for author in authors])
    assert all(isinstance(result, Observation) for result in results), results
    references = sorted(result.reference for result in results)
    assert len(set(references)) == 4
    assert references[-1].endswith("-000004")


def test_two_workers_escalate_each_dispatch_once(commune: Any) -> None:
    moderator = f.moderator(commune)
    pm = f.agency(commune=commune, duty_phone="+33600000098")
    f.routing(commune, pm)
    author = f.referent(commune)
    for _ in range(3):
        services.observation_approve(observation=f.observation(author), actor=moderator)
    later = timezone.now() + timedelta(hours=2)
    results = race(
        lambda: services.dispatches_escalate(now=later),
        lambda: services.dispatches_escalate(now=later),
    )
    assert sum(results) == 3, results
    assert Dispatch.objects.filter(escalated_at__isnull=False).count() == 3
    assert Delivery.objects.filter(address="+33600000098").count() == 3
