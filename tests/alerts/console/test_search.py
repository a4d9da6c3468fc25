"""GET /api/v1/console/observations/: the console's search, its filters, its refusals, its isolation."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts import services
from alerts.models import Category, Observation, ObservationRead
from backend.territory.models import Sector
from tests import factories
from tests.alerts import factories as f
from tests.alerts.console.helpers import Town, town
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/console/observations/"
PARIS = ZoneInfo("Europe/Paris")


def search(user: Any, **params: Any) -> dict[str, Any]:
    response = api_client_for(user).get(URL, params)
    assert response.status_code == 200, response.content
    return dict(response.json())


def references(body: dict[str, Any]) -> set[str]:
    found = set()
    for row in body["results"]:
        observation = row["observation"] if row["kind"] == "observation" else row["dispatch"]["observation"]
        found.add(observation["reference"])
    return found


def dispatched(
    place: Town, description: str, *, redacted: str = "", agency: Any = None, **fields: Any
) -> Observation:
    observation = f.observation(place.referent, description=description, **fields)
    services.observation_approve(
        observation=observation,
        actor=place.moderator,
        redacted_description=redacted or None,
        agencies=[(agency or place.pm).pk],
    )
    observation.refresh_from_db()
    return observation


def test_by_reference_exact_or_prefix_any_case_and_by_text() -> None:
    place = town()
    garage = f.observation(place.referent, description="Porte de garage forcée rue des Lilas.")
    scooter = f.observation(place.referent, description="Vol de scooter devant le collège.")

    assert references(search(place.moderator, q=garage.reference)) == {garage.reference}
    assert references(search(place.moderator, q=garage.reference.lower())) == {garage.reference}
    prefix = garage.reference[:-6]  # "PMB-2026-": both
    assert references(search(place.moderator, q=prefix)) == {garage.reference, scooter.reference}
    assert references(search(place.moderator, q="SCOOTER")) == {scooter.reference}
    assert references(search(place.moderator, q="introuvable")) == set()


def test_the_police_search_the_redacted_text_and_never_see_the_author() -> None:
    place = town()
    redacted = dispatched(
        place,
        "M. Dupont du 12 a vu deux individus forcer le portail.",
        redacted="Deux individus forcent un portail.",
    )
    plain = dispatched(place, "Tag sur le mur de l'école.")

    body = search(place.pm_operator, q="Dupont")
    assert body["results"] == []  # the original text is not the police's to search
    body = search(place.pm_operator, q="individus")
    assert references(body) == {redacted.reference}
    row = body["results"][0]
    assert row["kind"] == "dispatch"
    assert row["observation"] is None
    police_view = row["dispatch"]["observation"]
    assert police_view["description"] == "Deux individus forcent un portail."
    assert "author" not in police_view
    assert "redacted_description" not in police_view
    assert place.referent.display_name not in str(body)
    assert references(search(place.pm_operator, q="école")) == {plain.reference}

    moderation = search(place.moderator, q="Dupont")
    assert references(moderation) == {redacted.reference}
    assert moderation["results"][0]["observation"]["author"]["id"] == place.referent.pk


def test_dates_are_paris_days_inclusive() -> None:
    place = town()
    late = f.observation(place.referent)
    early = f.observation(place.referent)
    # 23:30 in Paris on 1 March is 22:30 UTC: a day's end in Paris, not in UTC.
    Observation.objects.filter(pk=late.pk).update(created_at=datetime(2026, 3, 1, 23, 30, tzinfo=PARIS))
    Observation.objects.filter(pk=early.pk).update(created_at=datetime(2026, 3, 2, 0, 15, tzinfo=PARIS))

    assert references(search(place.moderator, **{"from": "2026-03-01", "to": "2026-03-01"})) == {
        late.reference
    }
    assert references(search(place.moderator, **{"from": "2026-03-02"})) == {early.reference}
    assert references(search(place.moderator, to="2026-03-02")) == {late.reference, early.reference}
    assert references(search(place.moderator, to="2026-02-28")) == set()


def test_status_sector_category_channel_and_urgent() -> None:
    place = town()
    north = f.observation(place.referent, category="vol", description="Vol à l'arraché.")
    south = f.observation(place.referent, channel="web", **f.SOUTH_POINT, description="Rodéo urbain.")
    burglary = dispatched(place, "Cambriolage en cours.", in_progress=True)
    rejected = f.observation(place.referent, description="Rien à voir.")
    services.observation_reject(observation=rejected, actor=place.moderator, reason="out_of_scope")
    nord = Sector.objects.get(commune=place.commune, slug="nord")
    sud = Sector.objects.get(commune=place.commune, slug="sud")

    assert references(search(place.moderator, status="pending")) == {north.reference, south.reference}
    assert references(search(place.moderator, status="done")) == {rejected.reference}
    assert rejected.reference not in references(search(place.moderator, status="open"))
    assert references(search(place.moderator, status="dispatched")) == {burglary.reference}
    assert references(search(place.moderator, sector=sud.pk)) == {south.reference}
    assert south.reference not in references(search(place.moderator, sector=nord.pk))
    vol = Category.objects.get(commune=None, slug="vol")
    assert references(search(place.moderator, category="vol")) == {north.reference}
    assert references(search(place.moderator, category=str(vol.pk))) == {north.reference}
    assert references(search(place.moderator, channel="web")) == {south.reference}
    urgent = references(search(place.moderator, urgent="1"))
    assert burglary.reference in urgent
    assert north.reference not in urgent


def test_agency_and_assigned_to_me() -> None:
    place = town()
    to_pm = dispatched(place, "Pour la police municipale.")
    to_pn = dispatched(place, "Pour le commissariat.", agency=place.pn)
    other = dispatched(place, "Un autre pour la police municipale.")
    services.dispatch_acknowledge(dispatch=to_pm.dispatches.get(), actor=place.pm_operator)

    assert references(search(place.moderator, agency=place.pn.pk)) == {to_pn.reference}
    assert references(search(place.pm_operator, agency=place.pm.pk)) == {to_pm.reference, other.reference}
    assert references(search(place.pm_operator, agency=place.pn.pk)) == set()
    mine = search(place.pm_operator, assigned="me")
    assert references(mine) == {to_pm.reference}  # acknowledging took it on
    assert mine["results"][0]["dispatch"]["assignee"]["id"] == place.pm_operator.pk
    assert references(search(place.moderator, assigned="me")) == set()
    assert references(search(place.pm_operator, status="acknowledged")) == {to_pm.reference}
    assert references(search(place.pm_operator, status="sent")) == {other.reference}


def test_isolation_another_commune_and_another_agency_see_nothing() -> None:
    place = town()
    mine = dispatched(place, "Vitre brisée sur un véhicule.")
    elsewhere = factories.commune(name="Gignac", slug="gignac", prefix="GIG", lon_offset=1.0)
    stranger_moderator = f.moderator(elsewhere)
    stranger_operator = f.operator(elsewhere)
    f.agency(commune=elsewhere, name="Police de Gignac", members=(stranger_operator,))

    for user in (stranger_moderator, stranger_operator, place.pn_operator):
        assert search(user, q=mine.reference)["results"] == []
        assert search(user)["count"] == 0
    assert search(place.pm_operator, q=mine.reference)["count"] == 1


def test_pagination_and_the_read_log() -> None:
    place = town()
    for number in range(3):
        f.observation(place.referent, description=f"Dépôt sauvage numéro {number}.")
    first = search(place.moderator, q="Dépôt", page_size=2)
    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert first["next"]
    second = api_client_for(place.moderator).get(first["next"]).json()
    assert len(second["results"]) == 1
    reads = ObservationRead.objects.filter(actor=place.moderator, door=ObservationRead.Door.CONSOLE)
    assert reads.count() == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "01/03/2026"}, "from"),
        ({"to": "hier"}, "to"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
        ({"status": "perdu"}, "status"),
        ({"sector": "nord"}, "sector"),
        ({"category": "Vol à l'étalage"}, "category"),
        ({"channel": "fax"}, "channel"),
        ({"agency": "-3"}, "agency"),
        ({"assigned": "lui"}, "assigned"),
        ({"urgent": "peut-être"}, "urgent"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_in_french(params: dict[str, str], field: str) -> None:
    place = town()
    response = api_client_for(place.moderator).get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [field]
    message = body["errors"][field][0]
    assert not any(
        word in message
        for word in ("is not a valid", "A valid", "is required", "Must be", "Ensure", "Date has")
    )
    assert message.endswith("."), message
    assert message[0].isupper() or message.startswith("«"), message


def test_staff_only_and_the_second_factor() -> None:
    place = town()
    assert api_client_for(place.referent).get(URL).status_code == 403
    assert api_client_for(place.moderator, second_factor=False).get(URL).status_code == 403
    assert api_client_for().get(URL).status_code == 401


def test_dates_are_checked_against_the_local_day_not_now() -> None:
    place = town()
    today = timezone.localdate()
    observation = f.observation(place.referent)
    assert references(search(place.moderator, **{"from": str(today), "to": str(today)})) == {
        observation.reference
    }
    assert search(place.moderator, **{"from": str(today + timedelta(days=1))})["count"] == 0


def test_the_query_count_does_not_grow_with_the_results() -> None:
    place = town()
    counts = {}
    for total in (1, 5):
        while Observation.objects.count() < total:
            dispatched(place, f"Dépôt sauvage {Observation.objects.count()}.")
        for user in (place.moderator, place.pm_operator):
            with CaptureQueriesContext(connection) as queries:
                search(user, q="Dépôt")
            counts[(total, user.pk)] = len(queries)
    assert counts[(1, place.moderator.pk)] == counts[(5, place.moderator.pk)]
    assert counts[(1, place.pm_operator.pk)] == counts[(5, place.pm_operator.pk)]
