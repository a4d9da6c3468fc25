"""Finding 4 (the commune half; the webhook half is test_f04_webhooks.py): a commune admin listed, read,
annotated and acknowledged another commune's dispatch through an agency serving both, and saving that
agency in the admin silently dropped the other commune from it."""

from typing import Any

import pytest

from alerts.models import Agency, Dispatch, DispatchNote
from tests.helpers import api_client_for
from tests.security.conftest import Towns, signed_in

pytestmark = pytest.mark.django_db


def test_a_commune_admin_works_their_commune_dispatches_only(towns: Towns) -> None:
    admin = api_client_for(towns.people["admin_a"])
    mine = towns.dispatch(towns.observation_a, towns.pn)
    theirs = towns.dispatch(towns.observation_b, towns.pn)
    listed = {row["id"] for row in admin.get("/api/v1/dispatches/").json()["results"]}
    assert mine.pk in listed
    assert theirs.pk not in listed
    assert admin.get(f"/api/v1/dispatches/{theirs.pk}/").status_code == 404
    note = admin.post(f"/api/v1/dispatches/{theirs.pk}/notes/", {"text": "Vu."}, format="json")
    assert note.status_code == 404
    assert admin.post(f"/api/v1/dispatches/{theirs.pk}/acknowledge/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Dispatch.Status.SENT
    assert not DispatchNote.objects.filter(dispatch=theirs).exists()
    assert admin.post(f"/api/v1/dispatches/{mine.pk}/acknowledge/").status_code == 200
    assert towns.observation_b.description not in str(admin.get("/api/v1/dispatches/").json())


def test_the_shared_agency_s_members_work_all_its_dispatches(towns: Towns) -> None:
    operator = api_client_for(towns.people["operator_pn"])
    listed = {row["id"] for row in operator.get("/api/v1/dispatches/").json()["results"]}
    assert listed == {
        towns.dispatch(towns.observation_a, towns.pn).pk,
        towns.dispatch(towns.observation_b, towns.pn).pk,
    }


def _agency_form(agency: Agency, **changes: Any) -> dict[str, Any]:
    return {
        "name": agency.name,
        "kind": agency.kind,
        "communes": [commune.pk for commune in agency.communes.all()],
        "members": [member.pk for member in agency.members.all()],
        "duty_phone": agency.duty_phone,
        "ack_minutes_in_progress": agency.ack_minutes_in_progress,
        "ack_minutes": agency.ack_minutes,
        "webhook_url": agency.webhook_url,
        "is_active": "on",
        **changes,
    }


def test_a_commune_admin_cannot_edit_an_agency_that_serves_another_commune(towns: Towns) -> None:
    client = signed_in(towns, "admin_a")
    page = client.get(f"/admin/alerts/agency/{towns.pn.pk}/change/")
    assert page.status_code == 200  # shown, read-only
    assert 'name="name"' not in page.content.decode()
    response = client.post(
        f"/admin/alerts/agency/{towns.pn.pk}/change/",
        _agency_form(towns.pn, communes=[towns.a.pk], webhook_url="http://127.0.0.1:9/"),
    )
    assert response.status_code == 403
    towns.pn.refresh_from_db()
    assert set(towns.pn.communes.all()) == {towns.a, towns.b}
    assert towns.pn.webhook_url == ""


def test_saving_an_agency_keeps_what_the_form_did_not_offer(towns: Towns) -> None:
    # A platform superuser made an operator of commune B a member of PM A (a pooled patrol).
    towns.pm_a.members.add(towns.people["operator_pm_b"])
    client = signed_in(towns, "admin_a")
    form = client.get(f"/admin/alerts/agency/{towns.pm_a.pk}/change/").content.decode()
    assert towns.people["operator_pm_b"].display_name not in form  # not offered to A's admin
    data = _agency_form(towns.pm_a, members=[towns.people["operator_pm_a"].pk], duty_phone="+33491000000")
    response = client.post(f"/admin/alerts/agency/{towns.pm_a.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    towns.pm_a.refresh_from_db()
    assert towns.pm_a.duty_phone == "+33491000000"
    assert set(towns.pm_a.members.all()) == {towns.people["operator_pm_a"], towns.people["operator_pm_b"]}
    assert set(towns.pm_a.communes.all()) == {towns.a}
