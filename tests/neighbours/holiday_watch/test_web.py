"""The residents' web form without an account: the phone proved by an SMS code, the request, then cancel or
shorten with a new code; the page links to the national service when the town sets it."""

from typing import Any

import pytest
from django.test import Client

from neighbours.holiday_watch.models import WatchRequest
from neighbours.holiday_watch.selectors import earliest_start
from tests.helpers import sms_code
from tests.neighbours.holiday_watch.factories import days, watch

pytestmark = pytest.mark.django_db
PHONE = "+33612000077"
START = "/tranquillite-vacances/"


def _prove(client: Client, step: str = "demande") -> Any:
    response = client.post(START, {"phone": "06 12 00 00 77", "suite": step})
    assert response.status_code == 302
    return client.post(response["Location"], {"code": sms_code(PHONE), "suite": step})


def test_a_resident_asks_for_a_watch_with_an_sms_code_and_no_account(commune: Any) -> None:
    client = Client()
    assert client.get("/tranquillite-vacances/demande/").status_code == 302  # prove the phone first
    proved = _prove(client)
    assert proved["Location"] == "/tranquillite-vacances/demande/"
    start = earliest_start()
    sector = commune.sectors.get(slug="sud")
    response = client.post(
        proved["Location"],
        {"commune": commune.pk, "address": "3 impasse des Oliviers", "sector": sector.pk,
         "start": start.isoformat(), "end": days(20).isoformat(), "alarm": "on", "burglary_alerts": "on",
         "contact_name": "", "contact_phone": "", "visitors": "", "keys_left_with": ""},
    )  # fmt: skip
    assert response.status_code == 200, response.content.decode()[:3000]
    assert "commence le" in response.content.decode()
    row = WatchRequest.objects.get()
    assert (row.phone, row.sector, row.alarm, row.burglary_alerts) == (PHONE, sector, True, True)
    assert row.requester is None
    assert row.channel == "web"


def test_too_late_a_departure_is_refused_on_the_form_with_the_earliest_date(commune: Any) -> None:
    client = Client()
    _prove(client)
    response = client.post(
        "/tranquillite-vacances/demande/",
        {"commune": commune.pk, "address": "3 impasse des Oliviers", "sector": commune.sectors.first().pk,
         "start": days(1).isoformat(), "end": days(5).isoformat()},
    )  # fmt: skip
    assert response.status_code == 400
    assert "au plus tôt" in response.content.decode()
    assert not WatchRequest.objects.exists()


def test_a_resident_shortens_then_cancels_with_a_code(commune: Any) -> None:
    home = watch(commune, start=-2, end=10, phone=PHONE)
    someone_else = watch(commune, start=-2, end=10)
    client = Client()
    assert client.get("/tranquillite-vacances/mes-demandes/").status_code == 302
    proved = _prove(client, "mes-demandes")
    assert proved["Location"] == "/tranquillite-vacances/mes-demandes/"
    page = client.get(proved["Location"]).content.decode()
    assert f'value="{home.pk}"' in page
    assert f'value="{someone_else.pk}"' not in page
    mine = proved["Location"]
    shortened = client.post(
        mine, {"demande": home.pk, "action": "raccourcir", "raccourcir-end": days(3).isoformat()}
    )
    assert shortened.status_code == 302
    home.refresh_from_db()
    assert home.end == days(3)
    # Another's request is not found through this phone.
    assert client.post(mine, {"demande": someone_else.pk, "action": "annuler"}).status_code == 404
    assert client.post(mine, {"demande": home.pk, "action": "annuler"}).status_code == 302
    home.refresh_from_db()
    someone_else.refresh_from_db()
    assert home.status == "cancelled"
    assert someone_else.status == "active"


def test_the_page_links_to_the_national_service_when_set(db: Any, settings: Any) -> None:
    settings.HOLIDAY_WATCH_NATIONAL_URL = "https://www.example.gouv.fr/otv"
    assert "https://www.example.gouv.fr/otv" in Client().get(START).content.decode()
    settings.HOLIDAY_WATCH_NATIONAL_URL = ""
    assert "nationale" not in Client().get(START).content.decode()
