"""Two coordinators deciding on one referent at the same moment: one decision wins, the other is a 409."""

import threading

import pytest
from django.db import connection

from backend.core.errors import Conflict
from neighbours import services
from neighbours.models import Referent, ReferentStatusChange
from tests.neighbours import factories as nf


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_approve_and_refuse_at_once(commune):
    referent = nf.referent(commune, status=Referent.Status.PENDING)
    first, second = nf.coordinator(commune), nf.coordinator(commune)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(action, actor):
        try:
            barrier.wait(timeout=10)
            action(referent=referent, actor=actor, reason="Décision simultanée.")
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(services.referent_approve, first)),
        threading.Thread(target=decide, args=(services.referent_refuse, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "ok"]
    assert ReferentStatusChange.objects.filter(referent=referent).count() == 1
    referent.refresh_from_db()
    assert referent.status in (Referent.Status.ACTIVE, Referent.Status.REFUSED)
