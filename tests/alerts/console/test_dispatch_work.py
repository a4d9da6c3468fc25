"""Dispatch work in the console: acknowledging takes the dispatch on, and the detail's timeline."""

import pytest

from alerts import services
from alerts.models import Dispatch
from backend.accounts.models import Role
from backend.audit.services import audit_record
from tests import factories
from tests.alerts import factories as f
from tests.alerts.console.helpers import Town, town
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db


def sent(place: Town) -> Dispatch:
    observation = f.observation(place.referent)
    services.observation_approve(observation=observation, actor=place.moderator, agencies=[place.pm.pk])
    return Dispatch.objects.get(observation=observation, agency=place.pm)


def test_acknowledging_assigns_the_dispatch_to_the_acknowledging_officer() -> None:
    place = town()
    dispatch = services.dispatch_acknowledge(dispatch=sent(place), actor=place.pm_operator)
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.ACKNOWLEDGED
    assert dispatch.assignee_id == place.pm_operator.pk


def test_acknowledging_keeps_whoever_is_already_assigned_or_chosen() -> None:
    place = town()
    colleague = f.operator(place.commune)
    place.pm.members.add(colleague)
    dispatch = sent(place)
    Dispatch.objects.filter(pk=dispatch.pk).update(assignee=colleague)
    services.dispatch_acknowledge(dispatch=dispatch, actor=place.pm_operator)
    dispatch.refresh_from_db()
    assert dispatch.assignee_id == colleague.pk

    chosen = sent(place)
    services.dispatch_assign(dispatch=chosen, actor=place.pm_operator, assignee=colleague)
    chosen.refresh_from_db()
    assert (chosen.status, chosen.assignee_id) == (Dispatch.Status.ACKNOWLEDGED, colleague.pk)


def test_a_commune_admin_who_is_no_member_acknowledges_without_taking_it() -> None:
    place = town()
    admin = factories.user(role=Role.ADMIN, commune=place.commune)
    dispatch = services.dispatch_acknowledge(dispatch=sent(place), actor=admin)
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.ACKNOWLEDGED
    assert dispatch.assignee_id is None


def test_the_detail_shows_notes_assignments_and_hand_overs_as_one_timeline() -> None:
    place = town()
    colleague = f.operator(place.commune)
    place.pm.members.add(colleague)
    dispatch = sent(place)
    services.dispatch_acknowledge(dispatch=dispatch, actor=place.pm_operator)
    services.dispatch_assign(dispatch=dispatch, actor=place.pm_operator, assignee=colleague)
    services.dispatch_add_note(dispatch=dispatch, actor=colleague, text="Sur place.")
    services.dispatch_handover(dispatch=dispatch, actor=colleague, agency=place.pn.pk, note="Pour enquête.")

    url = f"/api/v1/console/observations/{dispatch.observation_id}/"
    history = api_client_for(place.pm_operator).get(url).json()["history"]
    labels = [entry["label"] for entry in history]
    assert f"Police municipale : pris en compte, attribué à {place.pm_operator}" in labels
    assert f"Police municipale : attribué à {colleague}" in labels
    assert "Police municipale : transféré à Commissariat" in labels
    assert next(entry["note"] for entry in history if entry["kind"] == "note") == "Sur place."
    times = [entry["at"] for entry in history]
    assert times == sorted(times)
    assert all(time.endswith(("+01:00", "+02:00")) for time in times)  # Europe/Paris
    kinds = {entry["kind"] for entry in history}
    assert {"transition", "note", "assignment", "handover"} <= kinds
    # The reporter is never named to the police, here either.
    assert place.referent.display_name not in str(history)


def test_the_police_timeline_never_names_the_reporter_even_as_an_actor() -> None:
    place = town()
    dispatch = sent(place)
    # No service lets a reporter act on a dispatch; should a row ever name them, the police still do not see it.
    audit_record(actor=place.referent, action="dispatch.assigned", target=dispatch, extra={"assignee": None})
    url = f"/api/v1/console/observations/{dispatch.observation_id}/"
    police = api_client_for(place.pm_operator).get(url).json()["history"]
    assignment = next(entry for entry in police if entry["kind"] == "assignment")
    assert assignment["actor"] is None
    assert place.referent.display_name not in str(police)
    moderation = api_client_for(place.moderator).get(url).json()["history"]
    assert (
        next(entry for entry in moderation if entry["kind"] == "assignment")["actor"]["id"]
        == place.referent.pk
    )
