"""The referents' rule plugged into alerts' intake: status, charter, protocol period, trust; the charter API."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from alerts import registry
from backend.accounts.models import Role
from backend.audit.models import AuditEvent
from neighbours.models import Referent
from tests import factories
from tests.helpers import api_client_for
from tests.neighbours import factories as nf

pytestmark = pytest.mark.django_db

ME = "/api/v1/referents/me/"
CHARTER = "/api/v1/referents/me/charter/"


def _verdict(user):
    rule = registry.submitter_rule(Role.REFERENT)
    assert rule is not None, "neighbours registers the referents' rule from its AppConfig.ready()"
    return rule(user)


def test_active_referent_with_charter_in_protocol_period_may_submit(commune):
    nf.ready_commune(commune)
    referent = nf.referent(commune)
    verdict = _verdict(referent.user)
    assert verdict.allowed is True
    assert verdict.trusted is False
    assert verdict.reason == ""


def test_trusted_flag_reaches_the_intake(commune):
    nf.ready_commune(commune)
    assert _verdict(nf.referent(commune, trusted=True).user).trusted is True


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Referent.Status.PENDING, "Votre inscription de référent attend la validation de la mairie."),
        (Referent.Status.SUSPENDED, "Votre mission de référent est suspendue : contactez la mairie."),
        (Referent.Status.ENDED, "Votre mission de référent a pris fin."),
        (Referent.Status.REFUSED, "Votre inscription de référent n'a pas été retenue."),
    ],
)
def test_referent_not_active_may_not_submit(commune, status, reason):
    nf.ready_commune(commune)
    verdict = _verdict(nf.referent(commune, status=status, trusted=True).user)
    assert (verdict.allowed, verdict.reason, verdict.trusted) == (False, reason, False)


def test_charter_not_accepted(commune):
    nf.ready_commune(commune)
    verdict = _verdict(nf.referent(commune, charter_version=None).user)
    assert verdict.allowed is False
    assert verdict.reason == "Acceptez la charte du référent (version 1) avant de transmettre un signalement."


def test_new_charter_version_asks_again(commune):
    nf.ready_commune(commune)
    referent = nf.referent(commune, charter_version=1)
    nf.charter(commune, version=2)
    assert "version 2" in _verdict(referent.user).reason
    client = api_client_for(referent.user)
    assert client.get(ME).json()["must_accept_charter"] is True
    stale = client.post(CHARTER, {"version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["errors"]["version"] == ["La charte a changé : relisez et acceptez la version 2."]
    accepted = client.post(CHARTER, {"version": 2}, format="json")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["charter_accepted_version"] == 2
    assert accepted.json()["must_accept_charter"] is False
    assert accepted.json()["can_submit"] is True
    assert AuditEvent.objects.get(action="referent.charter_accepted").extra == {"version": 2}
    assert _verdict(referent.user).allowed is True


def test_no_charter_published(commune):
    nf.protocol(commune)
    referent = nf.referent(commune, charter_version=None)
    assert (
        _verdict(referent.user).reason == "La charte du référent de votre commune n'est pas encore publiée."
    )
    response = api_client_for(referent.user).post(CHARTER, {"version": 1}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("body", [{}, {"version": "un"}, {"version": 0}])
def test_bad_charter_input(commune, body):
    nf.ready_commune(commune)
    referent = nf.referent(commune, charter_version=None)
    response = api_client_for(referent.user).post(CHARTER, body, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["errors"]
    referent.refresh_from_db()
    assert referent.charter_version is None


@pytest.mark.parametrize(
    "status", [Referent.Status.SUSPENDED, Referent.Status.ENDED, Referent.Status.REFUSED]
)
def test_suspended_or_ended_referent_cannot_accept_the_charter(commune, status):
    nf.ready_commune(commune)
    referent = nf.referent(commune, status=status, charter_version=None)
    response = api_client_for(referent.user).post(CHARTER, {"version": 1}, format="json")
    assert response.status_code == 403


def test_protocol_expired(commune):
    today = timezone.localdate()
    nf.protocol(commune, starts_on=today - timedelta(days=3 * 365), ends_on=today - timedelta(days=1))
    nf.charter(commune)
    referent = nf.referent(commune)
    verdict = _verdict(referent.user)
    assert verdict.allowed is False
    assert verdict.reason.startswith("Le protocole Participation Citoyenne de votre commune a expiré le ")
    me = api_client_for(referent.user).get(ME).json()
    assert me["can_submit"] is False
    assert me["protocol"]["in_force"] is False


def test_protocol_not_yet_in_force_and_missing(commune, other_commune):
    today = timezone.localdate()
    nf.protocol(commune, starts_on=today + timedelta(days=1), ends_on=today + timedelta(days=400))
    nf.charter(commune)
    assert _verdict(nf.referent(commune).user).reason == (
        "Le protocole Participation Citoyenne de votre commune n'est pas en vigueur."
    )
    nf.charter(other_commune)
    assert not _verdict(nf.referent(other_commune).user).allowed


def test_protocol_period_bounds_are_inclusive_in_paris_time(commune):
    nf.protocol(commune, starts_on=date(2025, 1, 1), ends_on=date(2027, 12, 31))
    nf.charter(commune)
    user = nf.referent(commune).user
    from neighbours.selectors import referent_verdict

    assert referent_verdict(user=user, on=date(2025, 1, 1)).allowed
    assert referent_verdict(user=user, on=date(2027, 12, 31)).allowed
    assert not referent_verdict(user=user, on=date(2028, 1, 1)).allowed
    assert not referent_verdict(user=user, on=date(2024, 12, 31)).allowed
    # 23:30 UTC on 31 Dec 2027 is already 1 Jan 2028 in Paris.
    late = datetime(2027, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert timezone.localdate(late) == date(2028, 1, 1)


def test_users_who_are_not_referents(commune):
    nf.ready_commune(commune)
    shopkeeper = factories.user(role=Role.SHOPKEEPER, commune=commune)
    assert _verdict(shopkeeper).allowed is False
    orphan = factories.user(role=Role.REFERENT, commune=commune)
    assert _verdict(orphan).reason == "Vous n'êtes pas inscrit comme référent."
    assert api_client_for(orphan).get(ME).status_code == 404


def test_me_shows_status_sector_charter_and_protocol(commune):
    nf.ready_commune(commune)
    referent = nf.referent(commune, sector_slug="sud", trusted=True)
    body = api_client_for(referent.user).get(ME).json()
    assert body["status"] == "active"
    assert body["status_label"] == "actif"
    assert body["sector"]["slug"] == "sud"
    assert body["commune"]["slug"] == commune.slug
    assert body["charter"]["version"] == 1
    assert body["charter"]["text"]
    assert body["protocol"]["police_force"] == "police_nationale"
    assert body["protocol"]["in_force"] is True
    assert body["can_submit"] is True
    assert body["trusted"] is True
