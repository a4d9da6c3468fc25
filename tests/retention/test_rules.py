"""Each registered table: a row just inside its period stays, one just past it goes, a second run purges
nothing; and what each app's rules do beyond deleting rows (files, accounts, per-commune periods)."""

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from alerts import services
from alerts.broadcasts.models import Broadcast, BroadcastRecipient
from alerts.events import event_emit, moderation_group
from alerts.models import (
    CommuneAlertSettings,
    Dispatch,
    DispatchNote,
    Event,
    Notification,
    Observation,
    ObservationAddition,
    ObservationDelivery,
    ObservationPhoto,
    ObservationTransition,
)
from alerts.retention import OBSERVATION_RULES
from backend.accounts.models import User
from backend.audit.models import AuditEvent
from backend.core.retention import retention_purge, retention_report, retention_rule
from backend.messaging.models import Delivery
from commerces.models import InboundMessage
from neighbours.models import Referent, ReferentStatusChange
from tests import factories
from tests.alerts import factories as f
from tests.commerces import factories as commerces_factories
from tests.neighbours import factories as neighbours_factories
from tests.retention.conftest import T0
from tests.retention.rows import MAKERS, MARGIN, World, world

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_a_row_just_inside_its_period_stays_and_one_just_past_it_goes(
    name: str, commune: Any, time_machine: Any
) -> None:
    time_machine.move_to(T0, tick=False)
    purged = MAKERS[name](world(commune))
    rule = retention_rule(name)
    edge = T0 + rule.period() + MARGIN.get(name, timedelta())

    time_machine.move_to(edge - MINUTE, tick=False)
    assert retention_report(only=[name]) == {name: 0}
    assert retention_purge(only=[name]) == {name: 0}
    assert not purged()

    time_machine.move_to(edge + MINUTE, tick=False)
    assert retention_report(only=[name]) == {name: 1}
    assert retention_purge(only=[name]) == {name: 1}
    assert purged()
    assert retention_purge(only=[name]) == {name: 0}  # a second run purges nothing


@pytest.fixture
def police(commune: Any) -> dict[str, Any]:
    officer = f.operator(commune)
    agency = f.agency(
        commune=commune,
        members=(officer,),
        duty_phone="+33600000099",
        webhook_url="https://pm.example.fr/hook",
    )
    f.routing(commune, agency)
    f.fallback(commune, agency)
    return {"officer": officer, "agency": agency}


def _handled_observation(w: World, police: dict[str, Any]) -> Observation:
    """Dispatched (webhook), a follow-up, a note, escalated (duty-phone SMS), closed: rows everywhere."""
    observation = f.observation(
        w.author, photos=[f.upload()], description="Camille a vu deux hommes.", place="Devant chez Camille"
    )
    services.observation_approve(
        observation=observation, actor=w.moderator, redacted_place="Devant une maison"
    )
    services.observation_add_text(
        observation=observation, author=w.author, text="Complément : c'est Camille.", channel="app"
    )
    dispatch = Dispatch.objects.get(observation=observation)
    assert services.dispatches_escalate(now=timezone.now() + timedelta(hours=2)) == 1
    services.dispatch_add_note(dispatch=dispatch, actor=police["officer"], text="Patrouille passée.")
    services.dispatch_close(dispatch=dispatch, actor=police["officer"], outcome="no_trace")
    observation.refresh_from_db()
    assert observation.status == Observation.Status.CLOSED
    return observation


def test_an_observation_goes_with_everything_that_hangs_from_it_found_by_key(
    commune: Any, police: dict[str, Any], time_machine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    time_machine.move_to(T0, tick=False)
    w = world(commune)
    observation = _handled_observation(w, police)
    # An event of a type the purge never heard of, whose data names no observation: found by its key.
    event_emit(
        type="observation.new_kind",
        data={"texte": "Camille, 06 12 34 56 78"},
        groups=[moderation_group(commune.pk)],
        observation=observation,
    )
    photo = ObservationPhoto.objects.get(observation=observation)
    storage = ObservationPhoto._meta.get_field("file").storage
    file_name = str(photo.file.name)
    assert storage.exists(file_name)
    linked = list(
        ObservationDelivery.objects.filter(observation=observation).values_list("delivery_id", flat=True)
    )
    assert {"webhook", "sms"} <= set(Delivery.objects.filter(pk__in=linked).values_list("channel", flat=True))
    rows = {
        model: model.objects.filter(observation=observation).count()
        for model in (ObservationAddition, ObservationTransition, Dispatch, Notification, Event)
    }
    assert all(rows.values()), rows
    assert DispatchNote.objects.filter(dispatch__observation=observation).exists()
    placed = Q(place__contains="Camille") | Q(redacted_place__contains="maison")
    assert Observation.objects.filter(placed).count() == 1
    unfinished = f.observation(w.author, description="Jamais traité, plus jeune que l'âge maximal.")

    time_machine.move_to(T0 + timedelta(days=366), tick=False)
    # The alias purges the observations' rules only: events and deliveries go with them, not by age.
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_expired_observations", stdout=out)
    assert "Signalements effacés : 1" in out.getvalue()

    assert not Observation.objects.filter(pk=observation.pk).exists()
    assert Observation.objects.filter(pk=unfinished.pk).exists()
    assert not storage.exists(file_name)
    assert not Delivery.objects.filter(pk__in=linked).exists()
    assert not Event.objects.filter(type="observation.new_kind").exists()
    assert not DispatchNote.objects.exists()
    assert not any("Camille" in str(event.data) for event in Event.objects.all())
    # The place and its redaction went with the row, as the description did.
    assert not Observation.objects.filter(placed).exists()
    again = StringIO()
    call_command("purge_expired_observations", stdout=again)
    assert "Signalements effacés : 0" in again.getvalue()


def test_a_never_finished_observation_goes_after_the_maximum_age(commune: Any, time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    w = world(commune)
    pending = f.observation(w.author)
    claimed = f.observation(w.author)
    services.observation_claim(observation=claimed, actor=w.moderator)
    time_machine.move_to(T0 + timedelta(days=548) + MINUTE, tick=False)
    assert retention_purge(only=OBSERVATION_RULES)["alerts.observations_unfinished"] == 2
    assert not Observation.objects.filter(pk__in=[pending.pk, claimed.pk]).exists()


def test_each_commune_keeps_its_finished_observations_for_its_own_period(
    commune: Any, other_commune: Any, time_machine: Any
) -> None:
    time_machine.move_to(T0, tick=False)
    here, there = world(commune), world(other_commune)
    CommuneAlertSettings.objects.update_or_create(commune=commune, defaults={"retention_days": 30})
    short = f.observation(here.author)
    services.observation_reject(observation=short, actor=here.moderator, reason="insufficient")
    default = f.observation(there.author, longitude=5.51)
    services.observation_reject(observation=default, actor=there.moderator, reason="insufficient")

    time_machine.move_to(T0 + timedelta(days=30) + MINUTE, tick=False)
    assert retention_purge(only=OBSERVATION_RULES)["alerts.observations_finished"] == 1
    assert not Observation.objects.filter(pk=short.pk).exists()
    assert Observation.objects.filter(pk=default.pk).exists()  # no own period: OBSERVATION_RETENTION_DAYS


def test_a_duplicate_outlives_the_observation_it_was_merged_into(
    commune: Any, police: dict[str, Any], time_machine: Any
) -> None:
    time_machine.move_to(T0, tick=False)
    w = world(commune)
    CommuneAlertSettings.objects.filter(commune=commune).update(retention_days=10)
    target = f.observation(w.author)
    services.observation_approve(observation=target, actor=w.moderator)
    dispatch = Dispatch.objects.get(observation=target)
    services.dispatch_close(dispatch=dispatch, actor=police["officer"], outcome="no_trace")
    time_machine.move_to(T0 + timedelta(days=5), tick=False)
    duplicate = f.observation(w.author)
    services.observation_merge(observation=duplicate, actor=w.moderator, into=target)
    time_machine.move_to(T0 + timedelta(days=10) + MINUTE, tick=False)
    retention_purge(only=OBSERVATION_RULES)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    assert not Observation.objects.filter(pk=target.pk).exists()


def test_an_ended_referent_is_erased_as_if_they_asked_and_their_reports_stay(
    commune: Any, time_machine: Any
) -> None:
    time_machine.move_to(T0, tick=False)
    w = world(commune)
    referent = neighbours_factories.referent(commune)
    report = f.observation(referent.user, description="Un signalement qui reste à la police.")
    coordinator = neighbours_factories.coordinator(commune, role="admin")
    from neighbours.services import referent_end

    referent_end(referent=referent, actor=coordinator, reason="Déménagement de Dominique à Lyon.")
    time_machine.move_to(T0 + timedelta(days=365) + MINUTE, tick=False)
    assert retention_purge(only=["neighbours.referents_ended"]) == {"neighbours.referents_ended": 1}

    user = User.objects.get(pk=referent.user_id)
    assert user.erased_at is not None
    assert user.phone is None
    assert user.display_name == "référent supprimé"
    assert Observation.objects.filter(pk=report.pk, author=user).exists()
    assert Referent.objects.get(pk=referent.pk).status == Referent.Status.ENDED
    # The trail stays whole, without the coordinator's words about the person.
    changes = ReferentStatusChange.objects.filter(referent=referent)
    assert changes.exists()
    assert not changes.exclude(reason="").exists()
    erased = AuditEvent.objects.get(action="account.erased", object_id=str(user.pk))
    assert erased.actor_id is None
    assert erased.extra["retention"] is True
    assert w.author.referent.status == Referent.Status.ACTIVE


def test_a_shopkeeper_detached_from_their_shop_goes_a_period_after_their_last_trace(
    commune: Any, time_machine: Any
) -> None:
    time_machine.move_to(T0, tick=False)
    shop = commerces_factories.shop(commune)
    quiet = commerces_factories.shopkeeper(shop)
    active = commerces_factories.shopkeeper(shop)
    attached = commerces_factories.shopkeeper(commerces_factories.shop(commune))
    quiet.delete()
    active.delete()
    time_machine.move_to(T0 + timedelta(days=200), tick=False)
    InboundMessage.objects.create(
        provider="twilio",
        provider_id="SMlate",
        sender=str(active.user.phone),
        author=active.user,
        body="STOP",
        status=InboundMessage.Status.COMMAND,
    )
    time_machine.move_to(T0 + timedelta(days=365) + MINUTE, tick=False)
    assert retention_purge(only=["commerces.shopkeepers_ended"]) == {"commerces.shopkeepers_ended": 1}
    assert User.objects.get(pk=quiet.user_id).erased_at is not None
    assert User.objects.get(pk=active.user_id).erased_at is None  # an SMS 165 days ago
    assert User.objects.get(pk=attached.user_id).erased_at is None  # still a shopkeeper


def test_an_original_broadcast_keeps_its_recipients_while_its_updates_are_recent(
    commune: Any, time_machine: Any
) -> None:
    time_machine.move_to(T0, tick=False)
    person = factories.user(commune=commune)
    original = Broadcast.objects.create(
        commune=commune, kind="burglary_alert", state="sent", title="Alerte", body="…", sent_at=T0
    )
    BroadcastRecipient.objects.create(broadcast=original, user=person, channel="push")
    lonely = Broadcast.objects.create(
        commune=commune, kind="prevention", state="sent", title="C", body="…", sent_at=T0
    )
    BroadcastRecipient.objects.create(broadcast=lonely, user=person, channel="none")
    time_machine.move_to(T0 + timedelta(days=100), tick=False)
    Broadcast.objects.create(
        commune=commune,
        kind="burglary_alert",
        msg_type="update",
        original=original,
        state="sent",
        title="Mise à jour",
        body="…",
        sent_at=timezone.now(),
    )
    time_machine.move_to(T0 + timedelta(days=180) + MINUTE, tick=False)
    assert retention_purge(only=["broadcasts.recipients"]) == {"broadcasts.recipients": 1}
    assert BroadcastRecipient.objects.filter(broadcast=original).exists()
    assert not BroadcastRecipient.objects.filter(broadcast=lonely).exists()


def test_the_report_tells_exactly_what_the_purge_then_does(
    commune: Any, police: dict[str, Any], time_machine: Any
) -> None:
    """Rules overlap (an old observation is past its IP period and its own; its notifications, events and
    deliveries are past theirs): each count is still the rule's own."""
    time_machine.move_to(T0, tick=False)
    w = world(commune)
    for make in MAKERS.values():
        make(w)
    _handled_observation(w, police)
    rejected = f.observation(w.author, ip="198.51.100.6")
    services.observation_reject(observation=rejected, actor=w.moderator, reason="out_of_scope")
    time_machine.move_to(T0 + timedelta(days=200), tick=False)
    f.observation(w.author, ip="198.51.100.7")  # recent: stays

    # Day 370: the rejected observation is past its IP period and its own, its notifications too.
    for days in (3, 100, 370, 600):
        time_machine.move_to(T0 + timedelta(days=days), tick=False)
        report = retention_report()
        assert sum(report.values()) > 0
        assert retention_purge() == report
        assert sum(retention_purge().values()) == 0
