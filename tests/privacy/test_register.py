"""The art. 30 register: `manage.py privacy_register --format json` lists every category of personal data
the retention registry knows, so a table registered without a description fails here; the DPIA outline
names every one of them too."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alerts.privacy import register
from backend.core.retention import retention_rules

pytestmark = pytest.mark.django_db

DPIA = Path(__file__).resolve().parents[2] / "docs" / "privacy" / "dpia.md"


def _register_json(*args: str) -> dict:
    out = io.StringIO()
    call_command("privacy_register", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_json_register_lists_every_category_the_retention_registry_knows(commune, settings):
    settings.INBOUND_SMS_RETENTION_DAYS = 45
    entry = _register_json()
    listed = [category["rule"] for category in entry["data_categories"]]
    assert listed == [rule.name for rule in retention_rules()]
    for category in entry["data_categories"]:
        assert category["data"], category
        assert category["people"], category
    sms = next(
        category for category in entry["data_categories"] if category["rule"] == "commerces.inbound_sms"
    )
    assert sms["retention"] == "45 jours"
    assert entry["transfers"] == "aucun"
    for key in ("processing", "purposes", "people", "recipients", "security_measures", "legal_basis"):
        assert entry[key], key


def test_a_table_without_a_description_stops_the_register(commune, monkeypatch):
    trimmed = dict(register.DESCRIPTIONS)
    del trimmed["commerces.inbound_sms"]
    monkeypatch.setattr(register, "DESCRIPTIONS", trimmed)
    with pytest.raises(CommandError, match=r"commerces\.inbound_sms"):
        _register_json()


def test_the_commune_is_chosen_by_its_code_when_there_are_several(commune, other_commune):
    with pytest.raises(CommandError):
        _register_json()
    assert _register_json("--commune", "septemes-les-vallons")["commune"]["name"] == "Septèmes-les-Vallons"


def test_odt_and_pdf_files(commune, tmp_path):
    from odf import teletype
    from odf.opendocument import load
    from odf.text import P

    odt = tmp_path / "registre.odt"
    call_command("privacy_register", "--format", "odt", "--output", str(odt), stdout=io.StringIO())
    text = "\n".join(teletype.extractText(p) for p in load(str(odt)).getElementsByType(P))
    assert "Signalements terminés" in text
    assert "aucun" in text
    pdf = tmp_path / "registre.pdf"
    call_command("privacy_register", "--format", "pdf", "--output", str(pdf), stdout=io.StringIO())
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_the_dpia_outline_covers_every_table_with_personal_data():
    text = DPIA.read_text(encoding="utf-8")
    missing = [rule.name for rule in retention_rules() if f"`{rule.name}`" not in text]
    assert not missing, f"docs/privacy/dpia.md: add these tables to « Données » : {missing}"
