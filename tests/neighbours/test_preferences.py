"""GET/PATCH /api/v1/me/preferences/ and the push decisions they give broadcasts through the registry."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from alerts.registry import PushDecision, push_decisions
from backend.accounts.models import Role
from backend.audit.models import AuditEvent
from neighbours.models import Preferences, Referent
from tests import factories
from tests.helpers import api_client_for
from tests.neighbours import factories as nf

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/preferences/"
PARIS = ZoneInfo("Europe/Paris")


def test_defaults_then_partial_updates(commune):
    referent = nf.referent(commune)
    client = api_client_for(referent.user)
    body = client.get(URL).json()
    assert body["push"] == {"prevention": True, "burglary_alert": True, "shop_alert": True}
    assert body["push_locked"] == ["burglary_alert"]
    assert body["quiet_hours_start"] is None
    assert body["language"] == "fr"
    assert not Preferences.objects.exists()

    response = client.patch(
        URL,
        {"push": {"prevention": False}, "quiet_hours_start": "22:00", "quiet_hours_end": "07:00"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["push"] == {"prevention": False, "burglary_alert": True, "shop_alert": True}
    assert (response.json()["quiet_hours_start"], response.json()["quiet_hours_end"]) == ("22:00", "07:00")
    again = client.patch(URL, {"language": "en"}, format="json").json()
    assert again["language"] == "en"
    assert again["push"]["prevention"] is False  # untouched by a partial update
    stored = Preferences.objects.get(user=referent.user)
    assert stored.push_opt_outs == ["prevention"]
    assert stored.quiet_hours_start == time(22, 0)
    assert AuditEvent.objects.filter(action="preferences.updated").count() == 2
    cleared = client.patch(URL, {"quiet_hours_start": None, "quiet_hours_end": None}, format="json")
    assert cleared.json()["quiet_hours_start"] is None


def test_active_referent_cannot_turn_burglary_alerts_off(commune):
    referent = nf.referent(commune)
    response = api_client_for(referent.user).patch(URL, {"push": {"burglary_alert": False}}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["push.burglary_alert"] == [
        "Les alertes cambriolage ne peuvent pas être désactivées tant que vous êtes référent actif."
    ]
    assert not Preferences.objects.exists()


def test_someone_not_active_may_turn_burglary_alerts_off(commune):
    referent = nf.referent(commune, status=Referent.Status.SUSPENDED)
    response = api_client_for(referent.user).patch(URL, {"push": {"burglary_alert": False}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["push"]["burglary_alert"] is False
    assert response.json()["push_locked"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"push": {"meteo": False}}, "push"),
        ({"push": {"prevention": "peut-être"}}, "push.prevention"),
        ({"push": ["prevention"]}, "push"),
        ({"quiet_hours_start": "22:00"}, "quiet_hours_end"),
        ({"quiet_hours_start": "25:00", "quiet_hours_end": "07:00"}, "quiet_hours_start"),
        ({"quiet_hours_start": "07:00", "quiet_hours_end": "07:00"}, "quiet_hours_end"),
        ({"language": "klingon"}, "language"),
    ],
)
def test_bad_preferences(commune, body, field):
    referent = nf.referent(commune)
    response = api_client_for(referent.user).patch(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not Preferences.objects.exists()


def test_push_decisions_respect_opt_outs_quiet_hours_and_mandatory_alerts(commune):
    active = nf.referent(commune).user
    former = nf.referent(commune, status=Referent.Status.ENDED).user
    shopkeeper = factories.user(role=Role.SHOPKEEPER, commune=commune)
    silent = nf.referent(commune).user
    Preferences.objects.create(user=active, push_opt_outs=["prevention", "burglary_alert"])
    Preferences.objects.create(user=former, push_opt_outs=["burglary_alert"])
    Preferences.objects.create(user=silent, quiet_hours_start=time(22, 0), quiet_hours_end=time(7, 0))
    ids = [active.pk, former.pk, shopkeeper.pk, silent.pk]
    night = datetime(2026, 11, 27, 23, 30, tzinfo=PARIS)
    morning = datetime(2026, 11, 28, 7, 0, tzinfo=PARIS)

    prevention = push_decisions(user_ids=ids, kind="prevention", at=night)
    assert prevention[active.pk].send is False
    assert prevention[shopkeeper.pk] == PushDecision()
    assert prevention[silent.pk] == PushDecision(send=True, not_before=morning)

    burglary = push_decisions(user_ids=ids, kind="burglary_alert", at=night)
    assert burglary[active.pk] == PushDecision()  # an active referent always gets burglary alerts
    assert burglary[former.pk].send is False
    assert burglary[silent.pk] == PushDecision()  # never held back by quiet hours

    afternoon = datetime(2026, 11, 27, 15, 0, tzinfo=PARIS)
    assert push_decisions(user_ids=[silent.pk], kind="prevention", at=afternoon)[silent.pk] == PushDecision()
    after_midnight = datetime(2026, 11, 28, 2, 0, tzinfo=PARIS)
    assert (
        push_decisions(user_ids=[silent.pk], kind="prevention", at=after_midnight)[silent.pk].not_before
        == morning
    )


def test_quiet_hours_within_one_day(commune):
    user = nf.referent(commune).user
    Preferences.objects.create(user=user, quiet_hours_start=time(12, 0), quiet_hours_end=time(14, 0))
    noon = datetime(2026, 11, 27, 12, 30, tzinfo=PARIS)
    assert push_decisions(user_ids=[user.pk], kind="prevention", at=noon)[user.pk].not_before == datetime(
        2026, 11, 27, 14, 0, tzinfo=PARIS
    )
    evening = datetime(2026, 11, 27, 20, 0, tzinfo=PARIS)
    assert push_decisions(user_ids=[user.pk], kind="prevention", at=evening)[user.pk].not_before is None
