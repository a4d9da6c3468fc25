"""The privacy notice (/confidentialite/ and GET /api/v1/privacy/): built from the running settings, the
retention registry and the commune's named agencies; linked from every intake."""

import pytest
from django.utils.html import escape

from alerts.models import Agency, CommuneAlertSettings
from backend.core.retention import retention_rules
from tests import factories
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db


def _agency(commune, name):
    agency = Agency.objects.create(name=name, kind="municipal")
    agency.communes.add(commune)
    return agency


def test_the_page_lists_the_running_retention_periods_and_changes_with_a_setting(client, commune, settings):
    settings.READ_LOG_RETENTION_DAYS = 365
    page = client.get("/confidentialite/")  # the installation's only commune
    assert page.status_code == 200
    text = page.content.decode()
    for rule in retention_rules():
        assert escape(str(rule.label)) in text
    assert "365 jours" in text

    settings.READ_LOG_RETENTION_DAYS = 211
    changed = client.get("/confidentialite/").content.decode()
    assert "211 jours" in changed
    row = next(
        row
        for row in client.get("/api/v1/privacy/").json()["retention"]
        if row["rule"] == "alerts.observation_reads"
    )
    assert row["period"] == "211 jours"


def test_the_commune_own_period_of_finished_reports_is_the_one_shown(client, commune, settings):
    settings.OBSERVATION_RETENTION_DAYS = 365
    CommuneAlertSettings.objects.create(commune=commune, retention_days=90)
    rows = client.get("/api/v1/privacy/").json()["retention"]
    assert next(row for row in rows if row["rule"] == "alerts.observations_finished")["period"] == "90 jours"


def test_the_notice_names_the_commune_agencies_the_controller_dpo_and_cnil(
    client, commune, other_commune, settings
):
    settings.PRIVACY_DPO_EMAIL = "dpo@mairie-pennes.fr"
    _agency(commune, "Police municipale des Pennes-Mirabeau")
    _agency(other_commune, "Police municipale de Septèmes")
    page = client.get("/confidentialite/?commune=les-pennes-mirabeau").content.decode()
    assert "Police municipale des Pennes-Mirabeau" in page
    assert "Septèmes" not in page.split("<h2>")[4]  # the recipients section names this commune's only
    assert "dpo@mairie-pennes.fr" in page
    assert "Commune de Les Pennes-Mirabeau" in page
    assert "6-1-e" in page
    assert "art. 10" in page
    assert "https://www.cnil.fr/fr/plaintes" in page
    assert "/confidentialite/demande/" in page


def test_the_api_answers_anyone_for_a_commune_and_404_for_an_unknown_one(api_client, commune, other_commune):
    commune.insee_code = "13071"
    commune.save()
    _agency(commune, "Commissariat de Vitrolles")
    body = api_client.get("/api/v1/privacy/?commune=13071").json()
    assert body["commune"]["name"] == "Les Pennes-Mirabeau"
    assert body["agencies"] == ["Commissariat de Vitrolles"]
    assert body["notice_url"].endswith("/confidentialite/?commune=13071")
    assert {item["api"] for item in body["self_service"]} == {"GET /api/v1/me/export/", "DELETE /api/v1/me/"}
    assert api_client.get("/api/v1/privacy/?commune=99999").status_code == 404
    # Two communes and nobody signed in: which one must be said.
    missing = api_client.get("/api/v1/privacy/")
    assert missing.status_code == 400
    assert "commune" in missing.json()["errors"]


def test_the_api_takes_the_signed_in_user_commune(other_commune, commune):
    referent = factories.user(commune=other_commune)
    body = api_client_for(referent).get("/api/v1/privacy/").json()
    assert body["commune"]["slug"] == "septemes-les-vallons"


def test_several_communes_the_page_lists_them(client, commune, other_commune):
    page = client.get("/confidentialite/").content.decode()
    assert "?commune=les-pennes-mirabeau" in page
    assert "?commune=septemes-les-vallons" in page
    assert client.get("/confidentialite/?commune=nulle-part").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/commerces/inscription/",  # the shops' enrolment form
        "/confidentialite/demande/",  # the rights request form
        "/tranquillite-vacances/",  # the holiday watch's first step
        "/",  # any page on base.html: the footer
    ],
)
def test_web_intakes_link_to_the_notice(client, commune, path):
    page = client.get(path)
    assert page.status_code == 200
    assert 'href="/confidentialite/"' in page.content.decode()


def test_the_holiday_watch_form_says_it_next_to_its_fields(client, commune):
    page = client.get("/tranquillite-vacances/").content.decode()
    assert page.count('href="/confidentialite/"') == 2  # the form's line and the footer


def test_the_shops_report_form_links_to_the_notice(commune):
    from tests.commerces import factories as shops
    from tests.helpers import signed_in

    shopkeeper = shops.shopkeeper(shops.shop(commune), phone="+33612000077")
    page = signed_in(shopkeeper.user, verified=False).get("/commerces/signaler/")
    assert page.status_code == 200
    assert page.content.decode().count('href="/confidentialite/"') == 2  # the form's line and the footer


def test_the_referents_app_links_to_the_notice_at_sign_in_and_on_the_report_screen(client, commune):
    from django.template.loader import render_to_string

    for template in ("neighbours/app/signin.html", "neighbours/app/report.html"):
        html = render_to_string(template, {"page_title": "Vigie"})
        assert 'href="/confidentialite/"' in html, template
