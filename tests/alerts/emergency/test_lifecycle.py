"""The emergency cell's life on a frozen clock: it lapses at its review time unless renewed, exactly as a
manual close would; unconfirmed members' deputies are called after the confirmation delay; intake skips
moderation only for the chosen categories in the chosen sectors."""

from datetime import timedelta
from typing import Any

import pytest

from alerts.models import (
    Category,
    CommuneAlertSettings,
    EmergencyActivation,
    EmergencyCallout,
    EmergencyLogEntry,
    Event,
)
from alerts.services.emergency import emergencies_lapse, emergency_close, emergency_renew
from alerts.services.emergency_roster import (
    emergency_confirm,
    emergency_confirm_by_sms,
    emergency_deputies_call,
)
from backend.audit.models import AuditEvent
from backend.core.errors import ApplicationError, Conflict, Forbidden
from backend.core.periodic import periodic_jobs
from backend.messaging.backends.inbound import InboundSms
from backend.messaging.models import Delivery
from commerces.sms import sms_receive
from tests.alerts import factories as f
from tests.alerts.emergency.conftest import T0, activate

pytestmark = pytest.mark.django_db


def _switch(world: dict[str, Any]) -> CommuneAlertSettings:
    return CommuneAlertSettings.objects.get(commune=world["commune"])


def _kinds(activation: EmergencyActivation) -> list[str]:
    return list(activation.log.values_list("kind", flat=True))


def test_an_activation_lapses_at_its_review_time(cell: dict[str, Any], time_machine: Any) -> None:
    activation = activate(cell, review_at=T0 + timedelta(hours=6))
    assert _switch(cell).emergency_active
    time_machine.move_to(T0 + timedelta(hours=6) - timedelta(seconds=1), tick=False)
    assert emergencies_lapse() == 0
    assert _switch(cell).emergency_active
    time_machine.move_to(T0 + timedelta(hours=6), tick=False)
    assert emergencies_lapse() == 1
    activation.refresh_from_db()
    assert activation.closed_at == T0 + timedelta(hours=6)
    assert activation.ending == EmergencyActivation.Ending.LAPSED
    switch = _switch(cell)
    assert not switch.emergency_active
    assert not switch.emergency_categories.exists()
    assert _kinds(activation)[-1] == EmergencyLogEntry.Kind.LAPSED
    assert AuditEvent.objects.filter(action="emergency.lapsed").count() == 1
    assert Event.objects.filter(type="emergency_mode.changed", data__active=False).count() == 1
    assert emergencies_lapse() == 0  # once


def test_a_renewed_activation_lapses_at_its_new_review_time_only(
    cell: dict[str, Any], time_machine: Any
) -> None:
    activation = activate(cell, review_at=T0 + timedelta(hours=6))
    time_machine.move_to(T0 + timedelta(hours=5), tick=False)
    emergency_renew(
        activation=activation,
        actor=cell["moderator"],
        reason="Le maire prolonge.",
        review_at=T0 + timedelta(hours=30),
    )
    time_machine.move_to(T0 + timedelta(hours=6), tick=False)
    assert emergencies_lapse() == 0
    assert _switch(cell).emergency_active
    renewal = activation.renewals.get()
    assert (renewal.actor, renewal.reason) == (cell["moderator"], "Le maire prolonge.")
    assert (renewal.previous_review_at, renewal.review_at) == (
        T0 + timedelta(hours=6),
        T0 + timedelta(hours=30),
    )
    time_machine.move_to(T0 + timedelta(hours=30), tick=False)
    assert emergencies_lapse() == 1
    assert not _switch(cell).emergency_active


def test_the_review_time_defaults_to_the_setting(cell: dict[str, Any], settings: Any) -> None:
    settings.EMERGENCY_REVIEW_HOURS = 12
    assert activate(cell).review_at == T0 + timedelta(hours=12)


def test_a_lapse_closes_exactly_as_a_manual_close(cell: dict[str, Any], time_machine: Any) -> None:
    by_hand = activate(cell)
    emergency_close(activation=by_hand, actor=cell["moderator"], reason="Levée par le maire.")
    lapsed = activate(cell, review_at=T0 + timedelta(minutes=5))
    time_machine.move_to(T0 + timedelta(minutes=5), tick=False)
    emergencies_lapse()
    by_hand.refresh_from_db()
    lapsed.refresh_from_db()
    assert by_hand.closed_at is not None
    assert lapsed.closed_at is not None
    assert (by_hand.ending, lapsed.ending) == ("closed", "lapsed")
    assert Event.objects.filter(type="emergency_mode.changed", data__active=False).count() == 2
    assert not _switch(cell).emergency_active


def test_the_jobs_run_from_the_worker() -> None:
    names = {job.name for job in periodic_jobs()}
    assert {"alerts.emergency_lapse", "alerts.emergency_deputies"} <= names


def test_one_open_activation_at_a_time_and_a_closed_one_stays_closed(cell: dict[str, Any]) -> None:
    activation = activate(cell)
    with pytest.raises(Conflict):
        activate(cell)
    emergency_close(activation=activation, actor=cell["moderator"], reason="Fin.")
    with pytest.raises(Conflict):
        emergency_renew(activation=activation, actor=cell["moderator"], reason="Trop tard.")


def test_only_the_communes_moderators_decide(cell: dict[str, Any]) -> None:
    for actor in (cell["member"], cell["other_moderator"]):
        with pytest.raises(Forbidden):
            activate(cell, actor=actor)
    activation = activate(cell)
    with pytest.raises(Forbidden):
        emergency_renew(activation=activation, actor=cell["member"], reason="x")
    with pytest.raises(Forbidden):
        emergency_close(activation=activation, actor=cell["other_moderator"], reason="x")


def test_a_review_time_in_the_past_and_unknown_sectors_are_refused(cell: dict[str, Any]) -> None:
    with pytest.raises(ApplicationError) as past:
        activate(cell, review_at=T0 - timedelta(minutes=1))
    assert past.value.field == "review_at"
    with pytest.raises(ApplicationError) as sector:
        activate(cell, sectors=["nulle-part"])
    assert sector.value.field == "sectors"


# --- the roster ------------------------------------------------------------------------------------


def test_each_member_is_alerted_by_sms_and_push(cell: dict[str, Any]) -> None:
    activation = activate(cell)
    alerted = Delivery.objects.filter(kind="emergency.callout", source=f"alerts.emergency:{activation.pk}")
    assert sorted(alerted.values_list("recipient_id", "channel")) == sorted(
        (person.pk, channel) for person in (cell["member"], cell["lone"]) for channel in ("sms", "push")
    )
    assert _kinds(activation).count(EmergencyLogEntry.Kind.ALERTED) == 2


def test_the_deputy_is_alerted_after_the_delay_and_not_before(
    cell: dict[str, Any], time_machine: Any
) -> None:
    activation = activate(cell)
    time_machine.move_to(T0 + timedelta(minutes=15) - timedelta(seconds=1), tick=False)
    assert emergency_deputies_call() == 0
    assert not EmergencyCallout.objects.filter(person=cell["deputy"]).exists()
    time_machine.move_to(T0 + timedelta(minutes=15), tick=False)
    assert emergency_deputies_call() == 1
    called = EmergencyCallout.objects.get(person=cell["deputy"])
    assert called.replaces is not None
    assert called.replaces.person == cell["member"]
    assert Delivery.objects.filter(recipient=cell["deputy"], kind="emergency.callout").count() == 2
    assert EmergencyLogEntry.Kind.DEPUTY in _kinds(activation)
    # The lone member has no deputy: said in the log; the job calls nobody twice.
    assert activation.log.filter(kind="deputy", text__contains="pas de suppléant").count() == 1
    time_machine.move_to(T0 + timedelta(minutes=40), tick=False)
    assert emergency_deputies_call() == 0
    assert Delivery.objects.filter(recipient=cell["deputy"]).count() == 2


def test_a_member_who_confirmed_is_not_replaced(cell: dict[str, Any], time_machine: Any) -> None:
    activation = activate(cell)
    time_machine.move_to(T0 + timedelta(minutes=14), tick=False)
    emergency_confirm(activation=activation, user=cell["member"])
    time_machine.move_to(T0 + timedelta(minutes=20), tick=False)
    emergency_deputies_call()
    assert not EmergencyCallout.objects.filter(person=cell["deputy"]).exists()
    assert activation.log.filter(kind="confirmed", actor=cell["member"]).count() == 1


def test_the_delay_is_a_setting(cell: dict[str, Any], time_machine: Any, settings: Any) -> None:
    settings.EMERGENCY_CONFIRM_MINUTES = 5
    activate(cell)
    time_machine.move_to(T0 + timedelta(minutes=5), tick=False)
    assert emergency_deputies_call() == 1


def test_a_member_confirms_by_answering_ok(cell: dict[str, Any]) -> None:
    activation = activate(cell)
    assert not emergency_confirm_by_sms(user=cell["member"], text="Bien reçu")
    assert emergency_confirm_by_sms(user=cell["member"], text=" ok ")
    assert EmergencyCallout.objects.get(person=cell["member"]).confirmed_at == T0
    assert not emergency_confirm_by_sms(user=cell["outsider"], text="OK")  # never called
    assert activation.log.filter(kind="confirmed").count() == 1


def test_someone_never_called_cannot_confirm(cell: dict[str, Any]) -> None:
    activation = activate(cell)
    with pytest.raises(Forbidden):
        emergency_confirm(activation=activation, user=cell["outsider"])


# --- intake -----------------------------------------------------------------------------------------


def test_intake_skips_moderation_only_in_the_chosen_sectors(cell: dict[str, Any]) -> None:
    activate(cell, sectors=["nord"])
    north = f.observation(cell["referent"])
    south = f.observation(cell["referent"], **f.SOUTH_POINT)
    theft = f.observation(cell["referent"], category="vol")
    assert (north.status, north.auto_approved) == ("dispatched", "emergency")
    assert (south.status, south.auto_approved) == ("pending", "")
    assert theft.status == "pending"


def test_no_sector_chosen_means_the_whole_commune(cell: dict[str, Any]) -> None:
    activate(cell)
    assert f.observation(cell["referent"], **f.SOUTH_POINT).auto_approved == "emergency"
    assert f.observation(cell["other_referent"], latitude=43.405, longitude=5.51).status == "pending"


def test_an_ok_to_the_towns_number_confirms_a_call_out(cell: dict[str, Any]) -> None:
    activation = activate(cell)
    sms = InboundSms(
        provider="test", provider_id="m1", sender=str(cell["member"].phone), to="+33600000000", body="Ok"
    )
    reply = sms_receive(inbound=sms)
    assert reply is not None
    assert "confirmée" in reply
    assert EmergencyCallout.objects.get(activation=activation, person=cell["member"]).confirmed_at == T0


def test_a_switch_left_on_from_before_activations_still_covers_the_commune(cell: dict[str, Any]) -> None:
    switch, _created = CommuneAlertSettings.objects.update_or_create(
        commune=cell["commune"], defaults={"emergency_active": True}
    )
    switch.emergency_categories.set(Category.objects.filter(slug="cambriolage", commune=None))
    assert f.observation(cell["referent"], **f.SOUTH_POINT).auto_approved == "emergency"
