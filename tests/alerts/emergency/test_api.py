"""The emergency cell's API: the commune's moderators decide, the roster reads and writes in the log, no one
else reads; another commune's activations are not found; the historic switch still works on top."""

from datetime import timedelta
from typing import Any

import pytest

from alerts.models import EmergencyActivation
from tests.alerts.emergency.conftest import T0, activate
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/emergency/activations/"


def test_a_moderator_activates_renews_and_closes(cell: dict[str, Any]) -> None:
    moderator = api_client_for(cell["moderator"])
    created = moderator.post(
        BASE,
        {
            "requested_by_quality": "prosecutor",
            "requested_by_name": "Procureur d'Aix-en-Provence",
            "reason": "Rixes en série.",
            "categories": ["cambriolage"],
            "sectors": ["nord"],
            "review_at": (T0 + timedelta(hours=4)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["sectors"], body["requested_by"]["quality"]) == (["Nord"], "prosecutor")
    pk = body["id"]
    assert moderator.get("/api/v1/emergency-mode/").json()["active"] is True
    renewed = moderator.post(
        f"{BASE}{pk}/renew/",
        {"reason": "Prolongée.", "review_at": (T0 + timedelta(hours=8)).isoformat()},
        format="json",
    )
    assert renewed.status_code == 200, renewed.json()
    assert renewed.json()["renewals"] == 1
    closed = moderator.post(f"{BASE}{pk}/close/", {"reason": "Levée."}, format="json")
    assert closed.json()["ending"] == "closed"
    assert moderator.get("/api/v1/emergency-mode/").json()["active"] is False
    assert moderator.post(f"{BASE}{pk}/close/", {"reason": "Encore."}, format="json").status_code == 409
    report = moderator.get(f"{BASE}{pk}/report/").json()
    assert report["timeline"][0]["kind"] == "activated"
    assert [row["id"] for row in moderator.get(BASE).json()] == [pk]


def test_the_roster_reads_confirms_and_writes_but_does_not_decide(cell: dict[str, Any]) -> None:
    activation = activate(cell)
    member = api_client_for(cell["member"])
    assert member.get(f"{BASE}{activation.pk}/").status_code == 200
    assert member.post(f"{BASE}{activation.pk}/confirm/").status_code == 200
    written = member.post(f"{BASE}{activation.pk}/log/", {"text": "En route vers le PC."}, format="json")
    assert written.status_code == 201, written.json()
    log = member.get(f"{BASE}{activation.pk}/log/").json()
    assert [item["kind"] for item in log][-2:] == ["confirmed", "message"]
    assert member.post(f"{BASE}{activation.pk}/close/", {"reason": "x"}, format="json").status_code == 403
    assert member.post(f"{BASE}{activation.pk}/renew/", {"reason": "x"}, format="json").status_code == 403
    assert member.put("/api/v1/emergency/roster/", {"seats": []}, format="json").status_code == 403
    assert member.get("/api/v1/emergency/roster/").json()["seats"][0]["deputy"]["id"] == cell["deputy"].pk


def test_staff_off_the_roster_and_other_communes_get_nothing(cell: dict[str, Any]) -> None:
    activation = activate(cell)
    outsider = api_client_for(cell["outsider"])
    assert outsider.get(BASE).status_code == 403
    assert outsider.get("/api/v1/emergency/roster/").status_code == 403
    assert outsider.get(f"{BASE}{activation.pk}/report/").status_code == 404
    assert outsider.post(f"{BASE}{activation.pk}/confirm/").status_code == 404
    other = api_client_for(cell["other_moderator"])
    for path in ("", "report/", "log/"):
        assert other.get(f"{BASE}{activation.pk}/{path}").status_code == 404
    assert other.post(f"{BASE}{activation.pk}/close/", {"reason": "x"}, format="json").status_code == 404
    referent = api_client_for(cell["referent"])
    assert referent.get(f"{BASE}{activation.pk}/report/").status_code == 403


def test_the_roster_is_set_by_the_moderators_with_the_communes_staff_only(cell: dict[str, Any]) -> None:
    moderator = api_client_for(cell["moderator"])
    seats = {"seats": [{"member": cell["outsider"].pk, "deputy": cell["member"].pk}]}
    response = moderator.put("/api/v1/emergency/roster/", seats, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["seats"][0]["member"]["id"] == cell["outsider"].pk
    foreign = {"seats": [{"member": cell["other_moderator"].pk}]}
    assert moderator.put("/api/v1/emergency/roster/", foreign, format="json").status_code == 400
    not_staff = {"seats": [{"member": cell["referent"].pk}]}
    assert moderator.put("/api/v1/emergency/roster/", not_staff, format="json").status_code == 400


def test_the_historic_switch_opens_and_closes_an_activation(cell: dict[str, Any]) -> None:
    moderator = api_client_for(cell["moderator"])
    on = {"active": True, "categories": ["cambriolage"], "reason": "Arrêté du maire."}
    assert moderator.put("/api/v1/emergency-mode/", on, format="json").status_code == 200
    activation = EmergencyActivation.objects.get(closed_at=None)
    assert activation.requested_by_quality == "other"
    assert activation.requested_by_name == cell["moderator"].display_name
    changed = {"active": True, "categories": ["vol"], "reason": "Vols aussi."}
    assert moderator.put("/api/v1/emergency-mode/", changed, format="json").json()["categories"] == ["vol"]
    assert EmergencyActivation.objects.count() == 1
    moderator.put("/api/v1/emergency-mode/", {"active": False, "reason": "Levée."}, format="json")
    activation.refresh_from_db()
    assert activation.ending == "closed"
