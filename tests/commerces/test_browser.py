"""A shopkeeper on a phone without JavaScript: code by SMS, a report with a photo, the list.

Real daphne (tests/live.py) on the test database, Debian's Chromium with JavaScript disabled; the code
leaves through the outbox, sent here by the worker's drain() on the same database.
"""

import pytest
from PIL import Image

from alerts.models import Observation
from alerts.services import categories_seed_defaults
from tests.commerces import factories
from tests.helpers import sms_code
from tests.live import screenshot

PHONE = "+33612000031"


@pytest.mark.browser
def test_shopkeeper_reports_with_a_photo_without_javascript(
    transactional_db, daphne_server, browser, tmp_path, commune
):
    categories_seed_defaults()  # a transactional test before this one flushed the migration's rows
    shop = factories.shop(commune, name="Tabac de la Gare")
    factories.shopkeeper(shop, phone=PHONE)
    photo = tmp_path / "vitrine.jpg"
    Image.new("RGB", (64, 48), (30, 90, 200)).save(photo, format="JPEG")

    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True
    )
    page = context.new_page()
    try:
        page.goto(f"{daphne_server.url}/commerces/signaler/")
        # Not signed in: sent to the phone login, which needs no script.
        assert "/commerces/connexion/" in page.url
        page.get_by_label("Numéro de téléphone mobile").fill("06 12 00 00 31")
        page.get_by_role("button", name="Recevoir un code").click()
        code_field = page.get_by_label("Code reçu par SMS")
        code_field.wait_for()  # the request has answered: its SMS waits in the outbox
        code_field.fill(sms_code(PHONE))  # sent by the worker's drain, here in the test's process
        page.get_by_role("button", name="Se connecter").click()

        assert page.url.endswith("/commerces/signaler/")
        page.get_by_label("Type de faits").select_option("escroquerie")
        page.get_by_label("Ce qui s'est passé").fill("Faux billet de 50 euros, homme pressé, casquette noire")
        page.get_by_label("Photo (facultatif)").set_input_files(str(photo))
        screenshot(page, "commerces-report-nojs")
        page.get_by_role("button", name="Envoyer le signalement").click()

        assert page.url.endswith("/commerces/signalements/")
        observation = Observation.objects.get()
        assert observation.channel == "web"
        assert observation.photos.count() == 1
        item = page.locator(".reports li", has_text=observation.reference)
        assert "en attente de modération" in item.inner_text()
        assert "enregistré" in page.get_by_role("status").inner_text()
        screenshot(page, "commerces-reports-nojs")
    finally:
        context.close()


@pytest.mark.browser
def test_sms_simulate_command_against_a_real_daphne(transactional_db, tmp_path, commune, settings):
    """The README's recipe: a request signed like Twilio's reaches a real server and gets its TwiML."""
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from tests.live import start_daphne

    categories_seed_defaults()
    factories.shopkeeper(factories.shop(commune), phone=PHONE)
    server = start_daphne(tmp_path, {"TWILIO_AUTH_TOKEN": "readme-token", "SMS_BACKEND": "locmem"})
    try:
        settings.TWILIO_AUTH_TOKEN = "readme-token"
        out = io.StringIO()
        url = f"{server.url}/sms/twilio/inbound/"
        call_command("sms_simulate", "VOL deux jeunes", "--from", PHONE, "--url", url, stdout=out)
        assert Observation.objects.count() == 1, out.getvalue()
        reference = Observation.objects.get().reference
        assert f"Réponse : Vigie : signalement {reference}" in out.getvalue()

        settings.TWILIO_AUTH_TOKEN = "wrong-token"
        with pytest.raises(CommandError, match="HTTP 403"):
            call_command("sms_simulate", "VOL", "--from", PHONE, "--url", url, stdout=io.StringIO())
        assert Observation.objects.count() == 1
    finally:
        server.stop()
