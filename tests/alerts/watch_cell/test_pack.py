"""The pack of a meeting: the month under review (the last full month before the meeting) against the month
before and the same month a year earlier, by sector; the five busiest sectors; dispatches open after 7
days (references only); the emergency cell's activations; the alerts sent; and the actions carried from
meeting to meeting until closed."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from alerts import services as alerts_services
from alerts.broadcasts.models import Broadcast
from alerts.models import Dispatch, Observation
from alerts.statistics.selectors import statistics_figures
from alerts.statistics.services import statistics_refresh
from alerts.watch_cell import services
from alerts.watch_cell.models import Action
from alerts.watch_cell.pack import meeting_pack
from tests.alerts import factories as f
from tests.alerts.watch_cell.helpers import Cell, cell, meeting
from tests.helpers import api_client_for, signed_in

pytestmark = pytest.mark.django_db

NOVEMBER = date(2026, 11, 5)  # reviews October 2026
MONTHS = (date(2026, 10, 1), date(2026, 9, 1), date(2025, 10, 1))  # October, the month before, a year before


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def received(place: Cell, day: date, sector: str, count: int = 1) -> list[Observation]:
    rows = [f.observation(place.referent, sector=sector, latitude=None, longitude=None) for _ in range(count)]
    Observation.objects.filter(pk__in=[row.pk for row in rows]).update(created_at=at(day))
    return rows


def test_the_figures_compare_the_month_with_the_last_and_with_last_year_by_sector() -> None:
    place = cell()
    received(place, date(2026, 10, 1), "nord", 3)
    received(place, date(2026, 10, 31), "sud", 1)
    received(place, date(2026, 9, 30), "nord", 2)
    received(place, date(2025, 10, 15), "sud", 4)
    received(place, date(2026, 11, 1), "nord", 5)  # after the month under review
    statistics_refresh(commune=place.commune, months=MONTHS)
    pack = meeting_pack(meeting=meeting(place, NOVEMBER), downloaded_by="x")
    assert pack.month == date(2026, 10, 1)
    assert [(row.name, row.this_month, row.last_month, row.last_year) for row in pack.sectors] == [
        ("Nord", 3, 2, 0),
        ("Sud", 1, 0, 4),
    ]
    assert (pack.total.this_month, pack.total.last_month, pack.total.last_year) == (4, 2, 4)
    assert [row.name for row in pack.top_sectors] == ["Nord", "Sud"]
    # The statistics' figures for the same months, by sector, are the pack's: the selector's and the
    # endpoint's (GET /api/v1/statistics/, as the commune's CLSPD coordinator reads it).
    api = api_client_for(place.coordinator, second_factor=True)
    for month, column in zip(MONTHS, ("this_month", "last_month", "last_year"), strict=True):
        figures = statistics_figures(
            commune_id=place.commune.pk, month_from=month, month_to=month, group_by=["sector"]
        )
        expected = {row["sector_name"]: row["count"] for row in figures}
        assert {row.name: getattr(row, column) for row in pack.sectors if getattr(row, column)} == expected
        response = api.get(f"/api/v1/statistics/?from={month:%Y-%m}&to={month:%Y-%m}&group_by=sector")
        assert response.status_code == 200, response.content
        assert {row["sector_name"]: row["count"] for row in response.json()["figures"]} == expected


def test_an_action_left_open_reappears_in_the_next_meetings_pack_until_closed() -> None:
    place = cell()
    october = meeting(place, date(2026, 10, 6), place.csu)
    kept = services.action_create(
        meeting=october, actor=place.csu, title="Rencontrer le bailleur des Amandiers"
    )
    done = services.action_create(meeting=october, actor=place.csu, title="Tailler les haies du parking")
    services.action_status_set(action=done, meeting=october, actor=place.csu, status=Action.Status.DONE)
    Action.objects.filter(pk=done.pk).update(closed_at=at(date(2026, 10, 20)))
    november = meeting(place, NOVEMBER, place.csu)
    assert [action.title for action in meeting_pack(meeting=november, downloaded_by="x").actions] == [
        kept.title
    ]
    html = signed_in(place.csu).get(f"/cellule-de-veille/{november.pk}/dossier/").content.decode()
    assert kept.title in html
    assert done.title not in html
    # Closed at the November meeting: it shows there as done, and no more in December's.
    services.action_status_set(action=kept, meeting=november, actor=place.csu, status=Action.Status.DONE)
    Action.objects.filter(pk=kept.pk).update(closed_at=at(NOVEMBER))
    shown = meeting_pack(meeting=november, downloaded_by="x").actions
    assert [(action.title, action.status) for action in shown] == [(kept.title, "done")]
    december = meeting(place, date(2026, 12, 3), place.csu)
    assert meeting_pack(meeting=december, downloaded_by="x").actions == []


def test_open_dispatches_after_seven_days_show_references_never_the_reporter() -> None:
    place = cell()
    place.referent.display_name = "Camille Témoin"
    place.referent.save(update_fields=["display_name"])
    old, recent = (
        f.observation(place.referent, sector="nord", latitude=None, longitude=None) for _ in range(2)
    )
    for observation in (old, recent):
        alerts_services.observation_approve(
            observation=observation,
            actor=place.moderator,
            redacted_description="Un portail forcé.",
            agencies=[place.pm.pk],
        )
    Dispatch.objects.filter(observation=old).update(created_at=timezone.now() - timedelta(days=8))
    held = meeting(place, NOVEMBER, place.csu)
    pack = meeting_pack(meeting=held, downloaded_by="x")
    assert [(row.reference, row.agency, row.days) for row in pack.open_dispatches] == [
        (old.reference, "Police municipale", 8)
    ]
    html = signed_in(place.csu).get(f"/cellule-de-veille/{held.pk}/dossier/").content.decode()
    assert old.reference in html
    assert recent.reference not in html
    for secret in ("Camille", "Témoin", str(place.referent.phone)):
        assert secret not in html


def test_emergency_activations_and_alerts_sent_during_the_month() -> None:
    place = cell()
    activation = alerts_services.emergency_activate(
        commune=place.commune,
        actor=place.moderator,
        requested_by_quality="mayor",
        requested_by_name="Mme la maire",
        reason="Série de cambriolages",
        categories=["cambriolage"],
    )
    alerts_services.emergency_close(activation=activation, actor=place.moderator, reason="Fin")
    for kind, msg_type, sent in (
        (Broadcast.Kind.BURGLARY_ALERT, Broadcast.MsgType.ALERT, date(2026, 10, 3)),
        (Broadcast.Kind.BURGLARY_ALERT, Broadcast.MsgType.ALERT, date(2026, 10, 20)),
        (Broadcast.Kind.BURGLARY_ALERT, Broadcast.MsgType.UPDATE, date(2026, 10, 21)),
        (Broadcast.Kind.SHOP_ALERT, Broadcast.MsgType.ALERT, date(2026, 10, 9)),
        (Broadcast.Kind.SHOP_ALERT, Broadcast.MsgType.ALERT, date(2026, 9, 9)),
        (Broadcast.Kind.PREVENTION, Broadcast.MsgType.ALERT, date(2026, 10, 9)),
    ):
        Broadcast.objects.create(
            commune=place.commune, kind=kind, msg_type=msg_type, title="Alerte", body="Texte.",
            state=Broadcast.State.SENT, sent_at=at(sent),
        )  # fmt: skip
    statistics_refresh(commune=place.commune, months=[date(2026, 10, 1)])
    this_month = timezone.localdate()
    pack = meeting_pack(
        meeting=meeting(place, this_month.replace(day=1) + timedelta(days=40)), downloaded_by="x"
    )
    assert [(row["id"], row["categories"], row["requested_by"]["name"]) for row in pack.activations] == [
        (activation.pk, ["cambriolage"], "Mme la maire")
    ]
    october = meeting_pack(meeting=meeting(place, NOVEMBER), downloaded_by="x")
    assert (october.burglary_alerts, october.shop_alerts) == (2, 1)
