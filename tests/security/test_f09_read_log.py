"""Finding 9: /api/v1/dispatches/, /api/v1/console/state/, /api/v1/console/observations/<id>/, the socket
and the admin served observations to officers without a read being logged. Now every door logs, and the
commune's admin (for its data-protection officer) exports the log for one observation or one person."""

import csv
import io
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from alerts import services
from alerts.models import Event
from backend.asgi import application
from tests.alerts import factories as f
from tests.helpers import api_client_for
from tests.security.conftest import Towns, signed_in, staff_token, towns_build


def _export(towns: Towns, **filters: Any) -> list[dict[str, str]]:
    admin = api_client_for(towns.people["admin_a"])
    response = admin.get("/api/v1/observation-reads/export.csv", filters)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.mark.django_db
def test_every_door_writes_the_read_log_and_the_dpo_exports_it(towns: Towns) -> None:
    observation = towns.observation_a
    operator = towns.people["operator_pm_a"]
    police = api_client_for(operator)
    dispatch = towns.dispatch(observation, towns.pm_a)
    assert police.get("/api/v1/dispatches/").status_code == 200
    assert police.get(f"/api/v1/dispatches/{dispatch.pk}/").status_code == 200
    assert police.get(f"/api/v1/observations/{observation.pk}/").status_code == 200
    assert police.get("/api/v1/console/state/").status_code == 200
    assert police.get(f"/api/v1/console/observations/{observation.pk}/").status_code == 200
    moderator = api_client_for(towns.people["moderator_a"])
    assert moderator.get("/api/v1/moderation/queue/").status_code == 200
    assert signed_in(towns, "admin_a").get("/admin/alerts/observation/").status_code == 200

    rows = _export(towns, observation=observation.pk)
    doors = {(row["agent (id)"], row["accès"]) for row in rows}
    assert (str(operator.pk), "API") in doors
    assert (str(operator.pk), "console (page)") in doors
    assert (str(towns.people["admin_a"].pk), "administration") in doors
    assert all(row["référence"] == observation.reference for row in rows)
    # Five doors of the operator's: two lists, two details, the console page's state and its detail.
    assert sum(row["agent (id)"] == str(operator.pk) for row in rows) == 5
    by_officer = _export(towns, officer=operator.pk)
    assert {row["agent (id)"] for row in by_officer} == {str(operator.pk)}
    by_author = _export(towns, author=towns.people["referent_a"].pk)
    assert {row["signalement"] for row in by_author} <= {str(observation.pk), str(towns.pending_a.pk)}
    # Another commune's log is not this admin's to export.
    assert _export(towns, observation=towns.observation_b.pk) == []


@pytest.mark.django_db
def test_the_read_log_export_wants_a_commune_admin(towns: Towns) -> None:
    path = f"/api/v1/observation-reads/export.csv?observation={towns.observation_a.pk}"
    for who in ("operator_pm_a", "moderator_a", "referent_a"):
        assert api_client_for(towns.people[who]).get(path).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_socket_logs_what_it_replays_and_what_it_sends_live(commune: Any, other_commune: Any) -> None:
    towns = towns_build(commune, other_commune)
    operator = towns.people["operator_pm_a"]
    start = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    replayed = f.observation(towns.people["referent_a"], description="Rejoué au branchement.")
    services.observation_approve(observation=replayed, actor=towns.people["moderator_a"])

    token = staff_token(operator)
    live = f.observation(towns.people["referent_a"], description="Envoyé en direct.")

    async def session() -> None:
        communicator = WebsocketCommunicator(application, f"/ws/console/?token={token}&last_event_id={start}")
        await communicator.connect(timeout=10)
        while (await communicator.receive_json_from(timeout=10))["type"] != "replayed":
            pass
        await database_sync_to_async(services.observation_approve)(
            observation=live, actor=towns.people["moderator_a"]
        )
        while (await communicator.receive_json_from(timeout=10))["type"] != "dispatch.created":
            pass
        await communicator.disconnect()  # what the socket sent since its last heartbeat is written now

    async_to_sync(session)()
    rows = _export(towns, officer=operator.pk)
    # The replay sent the new dispatch (and, within its grace window, the older events of the agency).
    logged = {(row["signalement"], row["accès"]) for row in rows}
    assert (str(replayed.pk), "console (temps réel)") in logged
    assert (str(live.pk), "console (temps réel)") in logged
    assert {row["accès"] for row in rows} == {"console (temps réel)"}
    assert {row["vue"] for row in rows} == {"police"}
