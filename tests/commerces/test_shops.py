"""Shops, shopkeepers, applications, CSV import, quarantine review, audiences and alert texts."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alerts.models import Observation
from alerts.registry import AudienceQuery, audience_provider, submitter_rule
from backend.accounts.models import Role
from backend.audit.models import AuditEvent
from backend.core.errors import ApplicationError, Conflict
from backend.messaging.gsm7 import is_gsm7
from backend.messaging.models import Delivery
from backend.territory.models import Sector
from commerces.alert_messages import shop_alert_check, shop_alert_text
from commerces.models import InboundMessage, Shop, ShopAlertTemplate, ShopApplication, Shopkeeper, Trade
from commerces.services import (
    inbound_discard,
    shop_application_approve,
    shop_application_reject,
    shop_create,
    shopkeeper_enrol,
    shops_import_csv,
)
from commerces.sms import inbound_attach
from tests import factories as kernel_factories
from tests.commerces import factories
from tests.commerces.factories import INBOUND_URL, signed_post, sms_params, twiml_messages

pytestmark = pytest.mark.django_db


# --- shops and enrolment ------------------------------------------------------------------------


def test_shop_create_checks_the_siret(commune):
    with pytest.raises(ApplicationError) as error:
        shop_create(actor=None, commune=commune, name="Tabac", trade=Trade.TOBACCO, siret="73282932000075")
    assert error.value.field == "siret"
    shop = shop_create(
        actor=None, commune=commune, name="Tabac", trade=Trade.TOBACCO, siret="732 829 320 00074"
    )
    assert shop.siret == "73282932000074"
    with pytest.raises(Conflict):
        shop_create(actor=None, commune=commune, name="Autre", trade=Trade.OTHER, siret="73282932000074")
    assert AuditEvent.objects.filter(action="commerces.shop_create").count() == 1


def test_enrol_creates_a_shopkeeper_user(commune, shop):
    shopkeeper = shopkeeper_enrol(actor=None, shop=shop, phone="06 12 00 00 32", display_name="Claude")
    assert shopkeeper.user.role == Role.SHOPKEEPER
    assert str(shopkeeper.user.phone) == "+33612000032"
    assert shopkeeper.user.commune == commune
    assert shopkeeper.sms_opt_in is True
    # Enrolling again to the same shop is a no-op, to another shop a conflict.
    assert shopkeeper_enrol(actor=None, shop=shop, phone="+33612000032") == shopkeeper
    with pytest.raises(Conflict):
        shopkeeper_enrol(actor=None, shop=factories.shop(commune), phone="+33612000032")


def test_enrol_refuses_a_landline_and_another_role(commune, shop):
    with pytest.raises(ApplicationError):
        shopkeeper_enrol(actor=None, shop=shop, phone="04 91 00 00 00")
    kernel_factories.user(role=Role.REFERENT, commune=commune, phone="+33612000099")
    with pytest.raises(Conflict):
        shopkeeper_enrol(actor=None, shop=shop, phone="+33612000099")


# --- applications -------------------------------------------------------------------------------


def _application(commune, **fields):
    return factories.application(
        commune,
        **{
            "shop_name": "Fleurs de Gavotte",
            "address": "1 avenue de la gare",
            "siret": factories.SIRETS[1],
            "sector": "sud",
            **fields,
        },
    )


def test_application_approved_creates_shop_shopkeeper_and_welcome_sms(commune):
    moderator, _device = kernel_factories.staff(commune=commune)
    application = _application(commune)
    shopkeeper = shop_application_approve(application=application, actor=moderator)
    application.refresh_from_db()
    assert application.status == ShopApplication.Status.APPROVED
    assert application.shop == shopkeeper.shop
    assert shopkeeper.shop.name == "Fleurs de Gavotte"
    assert shopkeeper.shop.sector is not None
    assert shopkeeper.shop.sector.slug == "sud"
    welcome = Delivery.objects.get(kind="commerces.welcome")
    assert welcome.recipient == shopkeeper.user
    assert "17" in welcome.body
    with pytest.raises(Conflict):
        shop_application_approve(application=application, actor=moderator)


def test_application_needs_a_sector_before_approval_and_can_be_rejected(commune):
    moderator, _device = kernel_factories.staff(commune=commune)
    application = _application(commune, sector=None)
    with pytest.raises(ApplicationError) as error:
        shop_application_approve(application=application, actor=moderator)
    assert error.value.field == "sector"
    assert not Shop.objects.exists()
    shop_application_reject(application=application, actor=moderator, note="hors commune")
    application.refresh_from_db()
    assert application.status == ShopApplication.Status.REJECTED


def test_application_refuses_a_bad_siret_and_a_duplicate(commune):
    with pytest.raises(ApplicationError) as error:
        _application(commune, siret="12345678901234")
    assert error.value.field == "siret"
    _application(commune)
    with pytest.raises(Conflict):
        _application(commune)


# --- CSV import ---------------------------------------------------------------------------------

CSV = (
    "nom;type;siret;adresse;secteur;telephone;contact\n"
    "Boulangerie Martin;boulangerie;73282932000074;2 place de l'église;nord;06 12 00 00 41;Marie\n"
    ";pharmacie;;;nord;;\n"
    "Bijouterie Or;bijouterie;12345678901234;;nord;;\n"
    "Tabac du Centre;Tabac;;;Nord;;\n"
    "Garage;garage;;;nord;;\n"
    "Pharmacie Sud;pharmacie;55210055400021;;sud;04 91 00 00 00;Paul\n"
    "Superette;alimentation;;;atlantide;;\n"
    "Doublon;boulangerie;73282932000074;;sud;;\n"
    "Presse;tabac-presse;;;sud;;;en trop\n"
)


def test_csv_import_reports_bad_rows_by_line_and_imports_good_ones(commune):
    report = shops_import_csv(commune=commune, actor=None, content=CSV)
    assert sorted(shop.name for shop in report.created) == ["Boulangerie Martin", "Tabac du Centre"]
    lines = dict(report.errors)
    assert sorted(lines) == [3, 4, 6, 7, 8, 9, 10]
    assert "enseigne" in lines[3]
    assert "SIRET" in lines[4]
    assert "Type de commerce inconnu" in lines[6]
    assert "mobile" in lines[7]  # a landline can't receive SMS
    assert "Secteur inconnu" in lines[8]
    assert "SIRET" in lines[9]
    assert "colonnes" in lines[10]
    # Nothing half-imported: the pharmacy of line 7 is not there without its shopkeeper.
    assert not Shop.objects.filter(name="Pharmacie Sud").exists()
    martin = Shop.objects.get(name="Boulangerie Martin")
    assert str(martin.shopkeepers.get().user.phone) == "+33612000041"
    assert Shop.objects.get(name="Tabac du Centre").trade == Trade.TOBACCO


def test_csv_import_with_commas_and_missing_columns(commune):
    report = shops_import_csv(commune=commune, actor=None, content="nom,adresse\nA,B\n")
    assert report.errors == [(1, "Colonnes obligatoires absentes : trade.")]
    assert not Shop.objects.exists()
    report = shops_import_csv(
        commune=commune, actor=None, content="\ufeffnom,type,secteur\nA,pharmacie,sud\n"
    )
    assert [shop.name for shop in report.created] == ["A"]
    assert shops_import_csv(commune=commune, actor=None, content="").errors[0][0] == 1


def test_import_shops_command(commune, tmp_path):
    path = tmp_path / "shops.csv"
    path.write_text(CSV, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_shops", commune.slug, str(path), stdout=out, stderr=err)
    assert "2 commerce(s) importé(s), 7 ligne(s) refusée(s)" in out.getvalue()
    assert "ligne 4 :" in err.getvalue()
    assert Shop.objects.count() == 2


# --- quarantine review --------------------------------------------------------------------------


def test_coordinator_attaches_a_quarantined_number_to_a_shop(client, commune, shop):
    signed_post(client, INBOUND_URL, sms_params(sender="+33698765432", body="VOL à la caisse"))
    signed_post(client, INBOUND_URL, sms_params(sender="+33698765432", body="homme en noir"))
    assert not Observation.objects.exists()
    moderator, _device = kernel_factories.staff(commune=commune)
    message = InboundMessage.objects.filter(status=InboundMessage.Status.QUARANTINED).earliest("id")

    shopkeeper = inbound_attach(message=message, shop=shop, actor=moderator, display_name="Nouveau")

    assert shopkeeper.shop == shop
    observation = Observation.objects.get()
    assert observation.category.slug == "vol"
    assert observation.author == shopkeeper.user
    assert observation.additions.get().text == "homme en noir"
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {InboundMessage.Status.ATTACHED}
    reply = Delivery.objects.get(kind="commerces.sms_reply")
    assert observation.reference in reply.body
    with pytest.raises(Conflict):
        inbound_attach(message=message, shop=shop, actor=moderator)
    # The number is now known: its next SMS is a follow-up, not quarantine.
    (text,) = twiml_messages(
        signed_post(client, INBOUND_URL, sms_params(sender="+33698765432", body="merci"))
    )
    assert observation.reference in text


def test_coordinator_discards_a_quarantined_message(client, commune):
    signed_post(client, INBOUND_URL, sms_params(sender="+33698765432", body="pub"))
    moderator, _device = kernel_factories.staff(commune=commune)
    message = inbound_discard(message=InboundMessage.objects.get(), actor=moderator)
    assert message.status == InboundMessage.Status.DISCARDED
    assert message.reviewed_by == moderator


# --- audiences and the submitter rule ----------------------------------------------------------


def test_shopkeepers_audience_by_sector_and_trade(commune, other_commune):
    bakery_north = factories.shopkeeper(factories.shop(commune, sector="nord", trade=Trade.BAKERY))
    pharmacy_south = factories.shopkeeper(factories.shop(commune, sector="sud", trade=Trade.PHARMACY))
    factories.shopkeeper(factories.shop(commune, sector="nord"), sms_opt_in=False)
    closed = factories.shopkeeper(factories.shop(commune, sector="nord"))
    closed.shop.is_active = False
    closed.shop.save()
    factories.shopkeeper(factories.shop(other_commune, sector="nord"))

    provider = audience_provider("shopkeepers")
    assert provider is not None
    everyone = set(provider(AudienceQuery(commune=commune)))
    assert everyone == {bakery_north.user, pharmacy_south.user}
    north = Sector.objects.get(commune=commune, slug="nord")
    assert set(provider(AudienceQuery(commune=commune, sectors=[north]))) == {bakery_north.user}
    assert set(provider(AudienceQuery(commune=commune, trades=[Trade.PHARMACY]))) == {pharmacy_south.user}


def test_submitter_rule_for_shopkeepers(commune, shopkeeper):
    rule = submitter_rule(Role.SHOPKEEPER)
    assert rule is not None
    assert rule(shopkeeper.user).allowed is True
    assert rule(shopkeeper.user).trusted is False
    orphan = kernel_factories.user(role=Role.SHOPKEEPER, commune=commune)
    assert rule(orphan).allowed is False
    assert "commerce" in rule(orphan).reason


# --- alert texts --------------------------------------------------------------------------------


def test_shop_alert_text_has_zone_time_method_advice_and_fits_gsm7():
    text = shop_alert_text(
        zone="La Gavotte",
        when=datetime(2026, 11, 27, 14, 30, tzinfo=ZoneInfo("Europe/Paris")),
        method="faux billets de 50 €",
        description="Deux hommes, la trentaine, voiture grise",
        advice="Vérifiez les billets au détecteur",
    )
    assert text.startswith("ALERTE COMMERCES La Gavotte, 27/11 14h30 : faux billets de 50 €.")
    assert "Conseil : Vérifiez les billets au détecteur." in text
    assert "17" in text
    assert is_gsm7(text)


def test_shop_alert_template_and_victim_check(commune, shop):
    template = ShopAlertTemplate.objects.create(
        name="Vol à la fausse monnaie",
        method="rendu de monnaie embrouillé",
        advice="Ne rendez la monnaie qu'une fois le billet encaissé",
        body="Alerte {zone} ({heure}) : {mode_operatoire}. {description} {conseil}",
    )
    text = shop_alert_text(
        zone="Centre",
        when=datetime(2026, 11, 27, 9, 5, tzinfo=ZoneInfo("Europe/Paris")),
        method="",
        description="Un homme seul",
        advice="",
        template=template,
    )
    assert text == (
        "Alerte Centre (27/11 09h05) : rendu de monnaie embrouillé. Un homme seul. "
        "Ne rendez la monnaie qu'une fois le billet encaissé."
    )
    shop_alert_check(commune=commune, text=text)
    with pytest.raises(ApplicationError) as error:
        shop_alert_check(commune=commune, text="Vol ce matin à la boulangerie du centre, soyez vigilants")
    assert "Boulangerie du Centre" in error.value.message


def test_template_with_an_unknown_placeholder_is_refused():
    template = ShopAlertTemplate(name="x", method="y", advice="z", body="{victime} a été volée")
    with pytest.raises(ApplicationError):
        shop_alert_text(
            zone="a",
            when=datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")),
            method="",
            description="",
            advice="",
            template=template,
        )


def test_shopkeeper_row_count_unchanged_by_failed_enrol(commune, shop):
    with pytest.raises(ApplicationError):
        shopkeeper_enrol(actor=None, shop=shop, phone="pas un numéro")
    assert Shopkeeper.objects.count() == 0


# --- personal data (RGPD) -----------------------------------------------------------------------


def test_personal_data_export_and_erase(client, shopkeeper):
    from backend.accounts.personal_data import account_erase, personal_data_export

    signed_post(client, INBOUND_URL, sms_params(sender="+33612000031", body="VOL de caisse"))
    data = personal_data_export(user=shopkeeper.user)
    assert data["shopkeeper"]["shop"]["name"] == "Boulangerie du Centre"
    assert data["shopkeeper"]["sms_received"][0]["body"] == "VOL de caisse"

    account_erase(user=shopkeeper.user)
    assert not Shopkeeper.objects.exists()
    message = InboundMessage.objects.get()
    assert (message.sender, message.body, message.reply, message.author) == ("", "", "", None)
    assert Observation.objects.get().author_id == shopkeeper.user.pk  # the report stays, cut from the person
