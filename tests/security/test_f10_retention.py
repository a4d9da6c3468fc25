"""Finding 10: retention never ran and covered too little.

Before: nothing scheduled `purge_expired_observations`; it skipped observations that never finish,
`InboundMessage` (SMS texts, unknown third parties' numbers), `PhoneCode` (phone and address of anyone who
asked a code), audit IP addresses and `Observation.ip`; it found events and deliveries by strings and JSON
paths, so an event of another shape kept its text. Now the worker's daily job purges every registered
table, and what hangs from an observation goes with it by key.
"""

import gc
import signal
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command

from alerts import services
from alerts.events import event_emit, moderation_group
from alerts.models import CommuneAlertSettings, Dispatch, Event, Observation
from backend.accounts.models import PhoneCode
from backend.audit.models import AuditEvent
from backend.audit.services import audit_record
from backend.core.periodic import periodic_jobs
from backend.messaging.models import Delivery
from commerces.models import InboundMessage
from tests.alerts import factories as f
from tests.helpers import api_client_for
from tests.neighbours import factories as neighbours_factories

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
HOOK = "https://pm.example.fr/vigie"
DUTY_PHONE = "+33600000099"


@pytest.fixture
def worker_once(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`manage.py run_worker --once`, in this process (so that it sees the frozen clock). Its per-loop
    `close_old_connections()` would close the test's connection (held inside the test's transaction), so it
    is a no-op here; the signal handlers and collector thresholds it sets are put back afterwards."""
    monkeypatch.setattr(
        "backend.messaging.management.commands.run_worker.close_old_connections", lambda: None
    )
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    thresholds = gc.get_threshold()
    yield lambda: call_command("run_worker", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    gc.set_threshold(*thresholds)


@pytest.fixture
def people(commune: Any, time_machine: Any) -> dict[str, Any]:
    time_machine.move_to(T0, tick=False)
    neighbours_factories.ready_commune(commune)
    officer = f.operator(commune)
    agency = f.agency(commune=commune, members=(officer,), duty_phone=DUTY_PHONE, webhook_url=HOOK)
    f.routing(commune, agency)
    f.fallback(commune, agency)
    author = neighbours_factories.referent(commune).user
    return {"author": author, "moderator": f.moderator(commune), "officer": officer}


def test_the_daily_job_of_the_worker_purges_what_the_old_purge_never_touched(
    people: dict[str, Any], commune: Any, time_machine: Any, worker_once: Any
) -> None:
    time_machine.move_to(T0, tick=False)
    author = people["author"]
    never_finished = f.observation(author, description="En attente pour toujours.")
    response = api_client_for(None).post(
        "/api/v1/auth/otp/", {"phone": str(author.phone)}, format="json", REMOTE_ADDR="203.0.113.8"
    )
    assert response.status_code == 202
    assert PhoneCode.objects.filter(phone=str(author.phone)).exists()
    sms = InboundMessage.objects.create(
        provider="twilio",
        provider_id="SM-f10",
        sender="+33698765432",
        body="Bonjour, je suis la voisine de Camille, au 3 rue des Lilas.",
        status=InboundMessage.Status.QUARANTINED,
        commune=commune,
    )
    audited = audit_record(actor=author, action="test.f10", ip="203.0.113.8")

    time_machine.move_to(T0 + timedelta(days=300), tick=False)
    recent = f.observation(author, description="Plus récent, avec une adresse IP.", ip="203.0.113.9")

    # 549 days later: past the maximum age of an observation (548 days by default), and past every
    # shorter period; the worker runs its periodic jobs.
    time_machine.move_to(T0 + timedelta(days=549), tick=False)
    worker_once()

    assert not Observation.objects.filter(pk=never_finished.pk).exists()
    assert not InboundMessage.objects.filter(pk=sms.pk).exists()
    assert not PhoneCode.objects.filter(phone=str(author.phone)).exists()
    audited.refresh_from_db()
    assert audited.ip is None  # the trail stays, without the address
    recent.refresh_from_db()
    assert recent.ip is None  # 249 days old: kept, without the address
    assert AuditEvent.objects.filter(action="retention.purged").exists()
    assert "core.retention" in {job.name for job in periodic_jobs()}


def _closed_observation(people: dict[str, Any], commune: Any, time_machine: Any) -> Observation:
    """At T0, in a commune that keeps finished observations one day: dispatched (a webhook), escalated
    (an SMS to the duty phone), closed (the author is told)."""
    time_machine.move_to(T0, tick=False)
    CommuneAlertSettings.objects.filter(commune=commune).update(retention_days=1)
    observation = f.observation(people["author"], description="Camille Martin a vu deux hommes.")
    services.observation_approve(observation=observation, actor=people["moderator"])
    dispatch = Dispatch.objects.get(observation=observation)
    assert dispatch.ack_deadline is not None
    services.dispatches_escalate(now=dispatch.ack_deadline + timedelta(minutes=1))
    services.dispatch_close(dispatch=dispatch, actor=people["officer"], outcome="no_trace")
    observation.refresh_from_db()
    assert observation.status == Observation.Status.CLOSED
    return observation


def test_events_and_deliveries_of_a_purged_observation_go_with_it(
    people: dict[str, Any], commune: Any, time_machine: Any, worker_once: Any
) -> None:
    observation = _closed_observation(people, commune, time_machine)
    deliveries = (
        Delivery.objects.filter(address=HOOK)
        | Delivery.objects.filter(address=DUTY_PHONE)
        | Delivery.objects.filter(recipient=people["author"])
    )
    assert deliveries.filter(channel="webhook").exists()
    assert deliveries.filter(address=DUTY_PHONE).exists()
    assert deliveries.filter(recipient=people["author"]).exists()
    assert Event.objects.exists()

    # A day and a minute later: the observation is past its commune's period (1 day); its events are not
    # yet old enough for the console's own pruning (24 h + 1 h).
    time_machine.move_to(T0 + timedelta(days=1, minutes=1), tick=False)
    worker_once()

    assert not Observation.objects.filter(pk=observation.pk).exists()
    assert not deliveries.exists()
    assert not Event.objects.exists()


def test_an_event_of_a_shape_the_purge_never_heard_of_goes_with_its_observation(
    people: dict[str, Any], commune: Any, time_machine: Any, worker_once: Any
) -> None:
    observation = _closed_observation(people, commune, time_machine)
    # No "id", no "observation" in its data: only the key ties it to the observation.
    event_emit(
        type="observation.future_kind",
        data={"texte": "Camille Martin, 06 12 34 56 78"},
        groups=[moderation_group(commune.pk)],
        observation=observation,
    )

    time_machine.move_to(T0 + timedelta(days=1, minutes=1), tick=False)
    worker_once()

    assert not Observation.objects.filter(pk=observation.pk).exists()
    assert not Event.objects.filter(type="observation.future_kind").exists()
    assert not any("Camille" in str(event.data) for event in Event.objects.all())
