"""Escalation, retention, trust and abuse, follow-ups, and what the events carry."""

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts import registry, services
from alerts.events import agency_group, moderation_group
from alerts.models import (
    CommuneAlertSettings,
    Dispatch,
    Event,
    EventTarget,
    Notification,
    Observation,
    ObservationAddition,
    ObservationPhoto,
    SenderStanding,
)
from backend.accounts.models import Role
from backend.core.errors import ApplicationError, Forbidden
from backend.core.periodic import periodic_jobs
from backend.messaging.models import Delivery
from backend.messaging.worker import drain
from tests import factories
from tests.alerts import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(commune: Any) -> dict[str, Any]:
    officer = f.operator(commune)
    national = f.operator(commune)
    pm = f.agency(commune=commune, members=(officer,), duty_phone="+33600000099", ack_minutes=60)
    pn = f.agency(commune=commune, name="Commissariat", kind="police_nationale", members=(national,))
    f.routing(commune, pm)
    f.fallback(commune, pn)
    return {
        "moderator": f.moderator(commune),
        "officer": officer,
        "pm": pm,
        "pn": pn,
        "author": f.referent(commune),
    }


def test_escalation_flags_texts_the_duty_phone_and_reaches_the_fallback(
    setup: dict[str, Any], sms_outbox: Any
) -> None:
    assert "alerts.escalate_dispatches" in {job.name for job in periodic_jobs()}
    observation = f.observation(setup["author"], in_progress=True)
    services.observation_approve(observation=observation, actor=setup["moderator"])
    dispatch = Dispatch.objects.get(agency=setup["pm"])
    assert dispatch.ack_deadline is not None
    assert dispatch.ack_deadline - dispatch.created_at == timedelta(minutes=10)  # in progress
    assert services.dispatches_escalate() == 0
    later = timezone.now() + timedelta(minutes=11)
    assert services.dispatches_escalate(now=later) == 1
    dispatch.refresh_from_db()
    assert dispatch.escalated_at is not None
    fallback = Dispatch.objects.get(agency=setup["pn"])
    assert fallback.source_id == dispatch.pk
    # Each dispatch escalates once, whatever the number of runs or workers; the fallback's own
    # deadline then passes too, but it is already the fallback: flagged, no further dispatch.
    assert services.dispatches_escalate(now=later) == 1
    assert services.dispatches_escalate(now=later) == 0
    assert Dispatch.objects.count() == 2
    assert EventTarget.objects.filter(
        group=agency_group(setup["pm"].pk), event__type="dispatch.escalated"
    ).exists()
    assert EventTarget.objects.filter(
        group=agency_group(setup["pn"].pk), event__type="dispatch.created"
    ).exists()
    drain()
    duty = [sms for sms in sms_outbox if sms.to == "+33600000099"]
    assert len(duty) == 1
    assert observation.reference in duty[0].body


def test_an_acknowledged_dispatch_never_escalates(setup: dict[str, Any]) -> None:
    observation = f.observation(setup["author"])
    services.observation_approve(observation=observation, actor=setup["moderator"])
    services.dispatch_acknowledge(dispatch=Dispatch.objects.get(), actor=setup["officer"])
    assert services.dispatches_escalate(now=timezone.now() + timedelta(days=1)) == 0


def test_retention_purge_erases_text_photos_author_and_files(
    setup: dict[str, Any], commune: Any, django_capture_on_commit_callbacks: Any
) -> None:
    CommuneAlertSettings.objects.filter(commune=commune).update(retention_days=30)
    old = f.observation(setup["author"], photos=[f.upload()], description="Texte ancien et privé.")
    services.observation_add_text(
        observation=old, author=setup["author"], text="Complément privé.", channel="app"
    )
    services.observation_approve(observation=old, actor=setup["moderator"])
    services.dispatch_close(
        dispatch=Dispatch.objects.get(observation=old), actor=setup["officer"], outcome="other"
    )
    fresh = f.observation(setup["author"], description="Texte récent.")
    services.observation_reject(observation=fresh, actor=setup["moderator"], reason="insufficient")
    Observation.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=31))
    photo_name = str(ObservationPhoto.objects.get(observation=old).file.name)
    storage = ObservationPhoto._meta.get_field("file").storage
    assert storage.exists(photo_name)

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # files go once the rows are gone for good
        call_command("purge_expired_observations", stdout=out)
    assert "Signalements effacés : 1" in out.getvalue()
    assert not Observation.objects.filter(pk=old.pk).exists()
    assert Observation.objects.filter(pk=fresh.pk).exists()
    assert not storage.exists(photo_name)
    assert not ObservationAddition.objects.filter(text="Complément privé.").exists()
    assert not Notification.objects.filter(observation_id=old.pk).exists()
    assert not any("Texte ancien" in str(event.data) for event in Event.objects.all())
    assert not Delivery.objects.filter(body__contains=old.reference).exists()

    again = StringIO()
    call_command("purge_expired_observations", stdout=again)
    assert "Signalements effacés : 0" in again.getvalue()


def test_trusted_referent_skips_the_queue_for_routine_categories(
    setup: dict[str, Any], submitter_rules: set[int]
) -> None:
    submitter_rules.add(setup["author"].pk)
    routine = f.observation(setup["author"], category="demarchage")
    assert routine.status == Observation.Status.DISPATCHED
    assert routine.auto_approved == "trusted"
    serious = f.observation(setup["author"], category="violences")
    assert serious.status == Observation.Status.PENDING


def test_without_a_rule_only_reporters_may_submit_and_never_trusted(
    setup: dict[str, Any], commune: Any
) -> None:
    registry._submitter_rules.clear()
    shopkeeper = factories.user(role=Role.SHOPKEEPER, commune=commune)
    assert f.observation(shopkeeper, category="demarchage").status == Observation.Status.PENDING
    with pytest.raises(Forbidden):
        f.observation(setup["officer"])


def test_a_refusing_rule_stores_nothing(setup: dict[str, Any]) -> None:
    registry.register_submitter_rule(
        Role.REFERENT, lambda user: registry.SubmitterVerdict(allowed=False, reason="Charte non acceptée.")
    )
    with pytest.raises(Forbidden, match="Charte non acceptée"):
        f.observation(setup["author"])
    assert not Observation.objects.exists()


def test_repeated_rejections_flag_then_block_keeps_reports_away_from_the_police(
    setup: dict[str, Any], submitter_rules: set[int]
) -> None:
    moderator, author = setup["moderator"], setup["author"]
    for _ in range(3):
        services.observation_reject(observation=f.observation(author), actor=moderator, reason="false_report")
    standing = SenderStanding.objects.get(user=author)
    assert standing.rejections == 3
    assert standing.flagged_at is not None
    assert EventTarget.objects.filter(
        group=moderation_group(author.commune_id), event__type="sender.flagged"
    ).exists()
    services.sender_block(user=author, actor=moderator, reason="Faux signalements répétés.")
    submitter_rules.add(author.pk)
    kept = f.observation(author, category="demarchage")
    assert kept.quarantined
    assert kept.status == Observation.Status.PENDING
    assert not Dispatch.objects.filter(observation=kept).exists()
    assert not services_queue_ids(moderator).count(kept.pk)
    with pytest.raises(ApplicationError):
        services.observation_approve(observation=kept, actor=moderator)


def services_queue_ids(moderator: Any) -> list[int]:
    from alerts.selectors import moderation_queue

    return list(moderation_queue(user=moderator).values_list("id", flat=True))


def test_follow_up_after_dispatch_waits_for_moderation(setup: dict[str, Any]) -> None:
    observation = f.observation(setup["author"], channel="sms")
    before = services.observation_add_text(
        observation=observation, author=setup["author"], text="Ils partent vers le nord.", channel="sms"
    )
    # Even before the observation is decided, a follow-up waits for its own review.
    assert before.status == ObservationAddition.Status.PENDING
    services.observation_approve(observation=observation, actor=setup["moderator"])
    after = services.observation_add_text(
        observation=observation, author=setup["author"], text="Voiture grise.", channel="sms"
    )
    assert after.status == ObservationAddition.Status.PENDING
    assert not EventTarget.objects.filter(
        group=agency_group(setup["pm"].pk), event__type="dispatch.noted"
    ).exists()
    services.observation_addition_review(addition=after, actor=setup["moderator"], approve=True)
    noted = EventTarget.objects.get(group=agency_group(setup["pm"].pk), event__type="dispatch.noted")
    assert noted.event.data["text"] == "Voiture grise."
    Observation.objects.filter(pk=observation.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    observation.refresh_from_db()
    with pytest.raises(ApplicationError):
        services.observation_add_text(
            observation=observation, author=setup["author"], text="Trop tard.", channel="sms"
        )


def test_events_carry_what_consoles_draw(setup: dict[str, Any]) -> None:
    observation = f.observation(setup["author"], in_progress=True, description="Texte d'origine.")
    pending = EventTarget.objects.get(
        group=moderation_group(observation.commune_id), event__type="observation.pending"
    ).event.data
    for key in (
        "reference",
        "category",
        "urgent",
        "in_progress",
        "status",
        "sector",
        "latitude",
        "longitude",
        "created_at",
        "description",
        "claimed_by",
    ):
        assert key in pending, key
    assert pending["category"] == {"slug": "cambriolage", "label": "cambriolage ou tentative", "urgent": True}
    services.observation_claim(observation=observation, actor=setup["moderator"])
    claimed = Event.objects.filter(type="observation.claimed").get().data
    assert claimed["claimed_by"]["name"] == setup["moderator"].display_name
    services.observation_approve(
        observation=observation, actor=setup["moderator"], redacted_description="Caviardé."
    )
    created = EventTarget.objects.get(
        group=agency_group(setup["pm"].pk), event__type="dispatch.created"
    ).event.data
    assert created["observation"]["description"] == "Caviardé."
    assert "Texte d'origine." not in str(created)
    assert setup["author"].display_name not in str(created)
    assert created["agency"]["name"] == setup["pm"].name
    assert created["status"] == "sent"
