"""The police municipale's side: the day's list by sector, the pass log, an anomaly made into one observation
routed to the police municipale and one SMS to the resident; nobody else sees a home."""

from typing import Any

import pytest
from django.utils import timezone

from alerts.models import Dispatch, Observation
from backend.accounts.models import Role
from backend.core.errors import Forbidden
from backend.messaging.models import Delivery
from neighbours.holiday_watch.models import PatrolPass
from neighbours.holiday_watch.selectors import daily_list
from neighbours.holiday_watch.services import patrol_pass_record
from tests import factories
from tests.alerts import factories as af
from tests.helpers import signed_in
from tests.neighbours.holiday_watch.factories import days, patrol, watch

pytestmark = pytest.mark.django_db
LIST = "/tranquillite-vacances/patrouille/"


def test_an_accepted_request_is_on_the_list_of_each_day_of_absence_under_its_sector(commune: Any) -> None:
    officer, _agency = patrol(commune)
    home = watch(commune, sector="sud", start=3, end=5, address="4 rue des Lilas")
    watch(commune, sector="nord", start=6, end=9)
    for offset, expected in ((2, []), (3, [home]), (5, [home]), (6, [])):
        groups = daily_list(user=officer, commune_id=commune.pk, day=days(offset))
        found = [
            row for sector, rows in groups for row in rows if sector is not None and sector.slug == "sud"
        ]
        assert found == expected, offset
    page = signed_in(officer).get(LIST, {"jour": days(4).isoformat()})
    assert page.status_code == 200
    text = page.content.decode()
    assert "4 rue des Lilas" in text
    assert "Sud (1)" in text
    assert "12 chemin des Pins" not in text  # the other home is not away that day


def test_the_list_and_the_log_are_for_the_communes_police_municipale_only(
    commune: Any, other_commune: Any
) -> None:
    home = watch(commune, start=2, end=4)
    elsewhere, _agency = patrol(other_commune)
    moderator = factories.user(role=Role.MODERATOR, commune=commune)
    national = factories.user(role=Role.OPERATOR, commune=commune)
    af.agency(commune=commune, kind="police_nationale", name="Commissariat", members=(national,))
    for user in (moderator, national):
        assert signed_in(user).get(LIST).status_code == 403
        assert signed_in(user).get(f"{LIST}{home.pk}/").status_code == 403
    assert signed_in(elsewhere).get(f"{LIST}{home.pk}/").status_code == 404
    assert (
        "12 chemin des Pins"
        not in signed_in(elsewhere).get(LIST, {"jour": days(3).isoformat()}).content.decode()
    )
    officer, _agency = patrol(commune)
    assert signed_in(officer, verified=False).get(LIST).status_code == 302  # password + TOTP first
    assert signed_in(officer).get(f"{LIST}{home.pk}/").status_code == 200


def test_an_anomaly_makes_one_observation_routed_to_the_police_municipale_and_one_sms(commune: Any) -> None:
    officer, agency = patrol(commune)
    home = watch(commune, start=-1, end=4)  # away since yesterday
    client = signed_in(officer)
    response = client.post(
        f"{LIST}{home.pk}/",
        {"outcome": "anomaly", "category": "cambriolage", "note": "Volet arraché côté jardin.",
         "photos": [af.upload()]},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    observation = Observation.objects.get()
    assert observation.status == Observation.Status.DISPATCHED
    assert observation.auto_approved == "patrol"
    assert observation.author == officer
    assert observation.photos.count() == 1
    assert "Volet arraché" in observation.description
    assert list(Dispatch.objects.values_list("agency_id", flat=True)) == [agency.pk]
    sms = Delivery.objects.filter(channel="sms", address=home.phone)
    assert sms.count() == 1
    assert observation.reference in sms.get().body
    assert not Delivery.objects.filter(recipient=officer).exists()  # nobody tells the officer about it
    passed = PatrolPass.objects.get()
    assert (passed.outcome, passed.observation, passed.officer) == ("anomaly", observation, officer)


def test_a_quiet_pass_is_logged_without_observation_nor_sms(commune: Any) -> None:
    officer, _agency = patrol(commune)
    home = watch(commune, start=-1, end=4)
    response = signed_in(officer).post(f"{LIST}{home.pk}/", {"outcome": "ras", "category": "cambriolage"})
    assert response.status_code == 302
    assert PatrolPass.objects.get().outcome == "ras"
    assert not Observation.objects.exists()
    assert not Delivery.objects.filter(address=home.phone).exists()
    page = signed_in(officer).get(f"{LIST}{home.pk}/").content.decode()
    assert "RAS" in page
    listed = daily_list(user=officer, commune_id=commune.pk, day=timezone.localdate())
    assert listed[0][1][0].passes_today == 1  # type: ignore[attr-defined]


def test_an_anomaly_needs_a_note(commune: Any) -> None:
    officer, _agency = patrol(commune)
    home = watch(commune, start=-1, end=4)
    response = signed_in(officer).post(f"{LIST}{home.pk}/", {"outcome": "anomaly", "category": "suspect"})
    assert response.status_code == 400
    assert not PatrolPass.objects.exists()
    assert not Observation.objects.exists()


def test_the_console_and_the_staff_home_link_to_the_list_for_those_who_may_open_it(commune: Any) -> None:
    officer, _agency = patrol(commune)
    moderator = factories.user(role=Role.MODERATOR, commune=commune)
    admin = factories.user(role=Role.ADMIN, commune=commune)
    coordinator = factories.user(role=Role.COORDINATOR, commune=commune)
    assert LIST in signed_in(officer).get("/console/").content.decode()
    assert LIST not in signed_in(moderator).get("/console/").content.decode()
    assert LIST in signed_in(admin).get("/agents/").content.decode()
    assert LIST not in signed_in(coordinator).get("/agents/").content.decode()


def test_only_a_patrol_of_the_commune_logs_a_pass_or_files_an_anomaly_without_moderation(
    commune: Any, other_commune: Any
) -> None:
    home = watch(commune, start=-1, end=4)
    elsewhere, _agency = patrol(other_commune)
    moderator = factories.user(role=Role.MODERATOR, commune=commune)
    for user in (elsewhere, moderator):
        for outcome in ("anomaly", "ras"):
            with pytest.raises(Forbidden):
                patrol_pass_record(request=home, officer=user, outcome=outcome, note="Porte forcée.")
    assert not Observation.objects.exists()
    assert not PatrolPass.objects.exists()
