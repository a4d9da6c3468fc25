"""The closing report lists exactly the observations routed to the police without moderation during the
activation (not those before or after, not moderated ones, not another commune's), in the police view, with
the broadcasts sent meanwhile and the timeline; the monthly cell's selector finds the activations of a period."""

from datetime import date, timedelta
from typing import Any

import pytest

from alerts.broadcasts.models import Broadcast
from alerts.emergency_selectors import activation_report, emergency_activations
from alerts.services.emergency import emergency_activate, emergency_close, emergency_message
from alerts.services.emergency_roster import emergency_confirm
from alerts.services.moderation import observation_approve, observation_claim
from tests.alerts import factories as f
from tests.alerts.emergency.conftest import T0, activate

pytestmark = pytest.mark.django_db


def _sent(commune: Any, title: str) -> Broadcast:
    return Broadcast.objects.create(
        commune=commune, kind="burglary_alert", title=title, body="…", state="sent", sent_at=f.timezone.now()
    )


def test_the_report_lists_exactly_the_observations_routed_without_moderation(
    cell: dict[str, Any], time_machine: Any
) -> None:
    referent = cell["referent"]
    before = f.observation(referent)  # pending: the cell is not open yet
    _sent(cell["commune"], "Avant")
    time_machine.move_to(T0 + timedelta(minutes=10), tick=False)
    activation = activate(cell)
    during = [f.observation(referent), f.observation(referent, **f.SOUTH_POINT)]
    moderated = f.observation(referent, category="vol")  # not an emergency category: moderated
    observation_claim(observation=moderated, actor=cell["moderator"])
    observation_approve(observation=moderated, actor=cell["moderator"])
    elsewhere = f.observation(cell["other_referent"], latitude=43.415, longitude=5.51)
    emergency_activate(
        commune=cell["other_commune"],
        actor=cell["other_moderator"],
        requested_by_quality="prefect",
        requested_by_name="Préfet de police",
        reason="Ailleurs.",
        categories=["cambriolage"],
    )
    elsewhere_fast = f.observation(cell["other_referent"], latitude=43.415, longitude=5.51)
    assert elsewhere_fast.auto_approved == "emergency"
    time_machine.move_to(T0 + timedelta(minutes=20), tick=False)
    _sent(cell["commune"], "Alerte cambriolage aux Cadeneaux")
    time_machine.move_to(T0 + timedelta(minutes=30), tick=False)
    emergency_confirm(activation=activation, user=cell["member"])
    emergency_message(activation=activation, actor=cell["moderator"], text="Patrouille renforcée.")
    emergency_close(activation=activation, actor=cell["moderator"], reason="Levée par le maire.")
    time_machine.move_to(T0 + timedelta(minutes=40), tick=False)
    after = f.observation(referent)
    _sent(cell["commune"], "Après")

    activation.refresh_from_db()
    report = activation_report(activation)
    assert [row["reference"] for row in report["observations"]] == [obs.reference for obs in during]
    assert {before.reference, moderated.reference, elsewhere.reference, after.reference}.isdisjoint(
        row["reference"] for row in report["observations"]
    )
    assert set(report["observations"][0]) == {"reference", "category", "sector", "received_at"}
    assert [row["sector"] for row in report["observations"]] == ["Nord", "Sud"]
    assert [row["title"] for row in report["broadcasts"]] == ["Alerte cambriolage aux Cadeneaux"]
    kinds = [item["kind"] for item in report["timeline"]]
    assert kinds[0] == "activated"
    assert kinds[-1] == "closed"
    assert {"alerted", "confirmed", "message", "broadcast"} <= set(kinds)
    assert referent.display_name not in str(report)


def test_the_monthly_cell_finds_the_activations_of_a_period(cell: dict[str, Any], time_machine: Any) -> None:
    march = activate(cell)
    emergency_close(activation=march, actor=cell["moderator"], reason="Fin.")
    time_machine.move_to(T0 + timedelta(days=31), tick=False)  # April
    april = activate(cell, requested_by_quality="prosecutor", requested_by_name="Procureur d'Aix")
    assert [
        row["id"] for row in emergency_activations(cell["commune"].pk, date(2026, 3, 1), date(2026, 3, 1))
    ] == [march.pk]
    spring = emergency_activations(cell["commune"].pk, date(2026, 3, 1), date(2026, 4, 30))
    assert [row["id"] for row in spring] == [march.pk, april.pk]
    assert spring[1]["requested_by"]["quality"] == "prosecutor"
    assert emergency_activations(cell["other_commune"].pk, date(2026, 3, 1), date(2026, 4, 1)) == []
