"""Dispatch work in the console: acknowledging takes the dispatch on, and the detail's timeline."""

import pytest

from alerts import services
from alerts.models import Dispatch
from backend.accounts.models import Role
from tests import factories
from tests.alerts import factories as f
from tests.alerts.console.helpers import Town, town

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
