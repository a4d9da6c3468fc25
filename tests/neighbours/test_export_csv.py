"""GET /api/v1/referents/export.csv: the roster of the coordinator's commune, spreadsheet-safe, audited."""

import csv
import io

import pytest

from backend.audit.models import AuditEvent
from neighbours.models import Referent
from tests.helpers import api_client_for
from tests.neighbours import factories as nf

pytestmark = pytest.mark.django_db

URL = "/api/v1/referents/export.csv"


def _rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel opens UTF-8 with accents right
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_export_lists_the_roster_with_filters(commune):
    nf.referent(commune, display_name="Rachid Référent", phone="+33612000021", trusted=True)
    nf.referent(commune, display_name="Rose Référente", status=Referent.Status.PENDING, sector_slug="sud")
    moderator = nf.coordinator(commune)
    response = api_client_for(moderator).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="referents-')
    rows = _rows(response)
    assert rows[0][:5] == ["id", "nom", "telephone", "secteur", "etat"]
    assert [(row[1], row[2], row[3], row[4], row[5]) for row in rows[1:]] == [
        ("Rachid Référent", "+33612000021", "Nord", "actif", "oui"),
        ("Rose Référente", rows[2][2], "Sud", "en attente de validation", "non"),
    ]
    audit = AuditEvent.objects.get(action="referents.exported")
    assert audit.actor_id == moderator.pk
    assert audit.extra == {"count": 2, "commune": commune.pk}

    pending = _rows(api_client_for(moderator).get(URL, {"status": "pending"}))
    assert [row[1] for row in pending[1:]] == ["Rose Référente"]
    assert [row[1] for row in _rows(api_client_for(moderator).get(URL, {"sector": "nord"}))[1:]] == [
        "Rachid Référent"
    ]


def test_formula_like_names_are_defused(commune):
    nf.referent(commune, display_name='=HYPERLINK("http://evil")')
    rows = _rows(api_client_for(nf.coordinator(commune)).get(URL))
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


def test_bad_filter_is_a_400_in_json(commune):
    response = api_client_for(nf.coordinator(commune)).get(URL, {"status": "perdu"})
    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    assert not AuditEvent.objects.filter(action="referents.exported").exists()
