"""Every path of the SMS intake, through the real webhook with requests signed by twilio's validator."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from twilio.request_validator import RequestValidator

from alerts.models import Observation, ObservationAddition
from backend.audit.models import AuditEvent
from backend.messaging.gsm7 import fits_one_sms, is_gsm7
from commerces.models import InboundMessage, Shopkeeper
from tests.commerces.factories import (
    INBOUND_URL,
    TWILIO_TOKEN,
    signed_post,
    sms_params,
    twiml_messages,
)

pytestmark = pytest.mark.django_db

EMERGENCY = "En cas d'urgence, appelez le 17 (ou le 112)."


def _send(client, sender, body, **kwargs):
    response = signed_post(client, INBOUND_URL, sms_params(sender=sender, body=body, **kwargs))
    assert response.status_code == 200, response.content
    return twiml_messages(response)


def _assert_short_gsm7(reply: str) -> None:
    assert is_gsm7(reply), reply
    assert fits_one_sms(reply), (len(reply), reply)


def test_report_by_keyword_becomes_an_sms_observation(client, shopkeeper):
    (reply,) = _send(client, "+33612000031", "VOL deux jeunes, une bouteille, partis vers la gare")

    observation = Observation.objects.get()
    assert observation.channel == "sms"
    assert observation.category.slug == "vol"
    assert observation.author == shopkeeper.user
    assert observation.sector == shopkeeper.shop.sector
    assert observation.status == Observation.Status.PENDING
    assert observation.description == "VOL deux jeunes, une bouteille, partis vers la gare"
    assert observation.reference in reply
    assert EMERGENCY in reply
    _assert_short_gsm7(reply)
    message = InboundMessage.objects.get()
    assert message.status == InboundMessage.Status.REPORT
    assert message.observation_reference == observation.reference
    assert AuditEvent.objects.filter(action="commerces.sms_received").exists()


@pytest.mark.parametrize(
    ("body", "slug"),
    [
        ("arnaque au faux livreur", "escroquerie"),
        ("ESCROQUERIE carte bancaire", "escroquerie"),
        ("Faux billet de 50", "escroquerie"),
        ("suspect qui fait le tour du parking", "suspect"),
        ("AGRESSION d'une caissière", "violences"),
        ("Il y a un souci devant la boutique", "autre"),
    ],
)
def test_leading_keyword_sets_the_category(client, shopkeeper, body, slug):
    _send(client, "+33612000031", body)
    assert Observation.objects.get().category.slug == slug


def test_follow_up_within_30_minutes_is_added_to_the_same_observation(client, shopkeeper):
    _send(client, "+33612000031", "VOL à l'étalage")
    (reply,) = _send(client, "+33612000031", "Il portait un blouson rouge")

    observation = Observation.objects.get()
    addition = ObservationAddition.objects.get()
    assert addition.observation == observation
    assert addition.text == "Il portait un blouson rouge"
    assert addition.channel == "sms"
    assert observation.reference in reply
    assert "complément" in reply
    _assert_short_gsm7(reply)


def test_message_after_30_minutes_opens_a_new_observation(client, shopkeeper):
    _send(client, "+33612000031", "VOL à l'étalage")
    old = timezone.now() - timedelta(minutes=31)
    InboundMessage.objects.update(received_at=old)
    Observation.objects.update(created_at=old)
    _send(client, "+33612000031", "SUSPECT devant la vitrine")
    assert Observation.objects.count() == 2
    assert not ObservationAddition.objects.exists()


def test_follow_up_of_a_dispatched_observation_waits_for_moderation(client, shopkeeper):
    _send(client, "+33612000031", "VOL à l'étalage")
    Observation.objects.update(status=Observation.Status.DISPATCHED)
    _send(client, "+33612000031", "Il est parti en scooter")
    assert ObservationAddition.objects.get().status == ObservationAddition.Status.PENDING


def test_same_message_id_twice_is_processed_once(client, shopkeeper):
    params = sms_params(sender="+33612000031", body="VOL de caisse")
    first = twiml_messages(signed_post(client, INBOUND_URL, params))
    second = twiml_messages(signed_post(client, INBOUND_URL, params))
    assert Observation.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    assert first == second  # the retry gets the same answer


def test_unknown_number_is_quarantined_and_told_how_to_register(client, commune):
    (reply,) = _send(client, "+33698765432", "VOL dans ma boutique")
    assert not Observation.objects.exists()
    message = InboundMessage.objects.get()
    assert message.status == InboundMessage.Status.QUARANTINED
    assert message.commune == commune
    assert "pas inscrit" in reply
    assert EMERGENCY in reply
    _assert_short_gsm7(reply)


def test_empty_sms_gets_help_and_creates_nothing(client, shopkeeper):
    (reply,) = _send(client, "+33612000031", "   ")
    assert not Observation.objects.exists()
    assert InboundMessage.objects.get().status == InboundMessage.Status.EMPTY
    assert "vide" in reply
    _assert_short_gsm7(reply)


def test_long_sms_of_1600_characters_is_kept_whole(client, shopkeeper):
    body = "VOL " + ("x" * 1596)
    assert len(body) == 1600
    (reply,) = _send(client, "+33612000031", body)
    assert Observation.objects.get().description == body
    _assert_short_gsm7(reply)


def test_emoji_sms_is_kept_and_the_reply_stays_gsm7(client, shopkeeper):
    body = "ARNAQUE 😡 faux livreur 📦 très insistant"
    (reply,) = _send(client, "+33612000031", body)
    observation = Observation.objects.get()
    assert observation.description == body
    assert observation.category.slug == "escroquerie"
    _assert_short_gsm7(reply)


def test_stop_opts_out_and_start_opts_back_in(client, shopkeeper):
    (reply,) = _send(client, "+33612000031", "STOP")
    shopkeeper.refresh_from_db()
    assert shopkeeper.sms_opt_in is False
    assert "START" in reply
    _assert_short_gsm7(reply)
    assert not Observation.objects.exists()

    (reply,) = _send(client, "+33612000031", "Start")
    shopkeeper.refresh_from_db()
    assert shopkeeper.sms_opt_in is True
    assert "réactivées" in reply


def test_arret_with_accent_opts_out(client, shopkeeper):
    _send(client, "+33612000031", "Arrêt.")
    assert Shopkeeper.objects.get().sms_opt_in is False


def test_opted_out_number_can_still_report(client, shopkeeper):
    _send(client, "+33612000031", "STOP")
    (reply,) = _send(client, "+33612000031", "SUSPECT qui photographie la caisse")
    assert Observation.objects.get().category.slug == "suspect"
    assert Observation.objects.get().reference in reply


def test_aide_replies_with_help(client, shopkeeper):
    (reply,) = _send(client, "+33612000031", "aide")
    assert "VOL" in reply
    assert "STOP" in reply
    assert EMERGENCY in reply
    _assert_short_gsm7(reply)
    assert not Observation.objects.exists()


def test_rate_limit_answers_once_then_stays_silent(client, shopkeeper):
    _send(client, "+33612000031", "VOL premier message")
    for index in range(9):
        _send(client, "+33612000031", f"précision {index}")
    limited = _send(client, "+33612000031", "onzième message")
    assert len(limited) == 1
    assert "trop de messages" in limited[0]
    _assert_short_gsm7(limited[0])
    assert _send(client, "+33612000031", "douzième message") == []
    assert InboundMessage.objects.filter(status=InboundMessage.Status.RATE_LIMITED).count() == 2
    assert ObservationAddition.objects.count() == 9


def test_deactivated_shop_is_refused_with_the_reason(client, shopkeeper):
    shopkeeper.shop.is_active = False
    shopkeeper.shop.save()
    (reply,) = _send(client, "+33612000031", "VOL")
    assert not Observation.objects.exists()
    assert InboundMessage.objects.get().status == InboundMessage.Status.REFUSED
    assert "plus inscrit" in reply


# --- forged, unsigned and malformed requests ----------------------------------------------------


def test_unsigned_request_is_refused_and_nothing_stored(client, shopkeeper):
    response = client.post("/sms/twilio/inbound/", sms_params(sender="+33612000031", body="VOL"))
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()
    assert not Observation.objects.exists()


def test_request_signed_with_another_token_is_refused(client, shopkeeper):
    response = signed_post(
        client, INBOUND_URL, sms_params(sender="+33612000031", body="VOL"), token="not-the-token"
    )
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_tampered_body_is_refused(client, shopkeeper):
    params = sms_params(sender="+33612000031", body="VOL")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(INBOUND_URL, params)
    params["Body"] = "VOL (modifié en route)"
    response = client.post("/sms/twilio/inbound/", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_signature_for_another_url_is_refused(client, shopkeeper):
    params = sms_params(sender="+33612000031", body="VOL")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature("https://evil.example/hook", params)
    response = client.post("/sms/twilio/inbound/", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403


def test_no_auth_token_configured_refuses_everything(client, shopkeeper, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    response = signed_post(client, INBOUND_URL, sms_params(sender="+33612000031", body="VOL"))
    assert response.status_code == 403


def test_signed_but_malformed_webhook_is_a_400_and_stores_nothing(client, shopkeeper):
    params = {"AccountSid": "AC" + "1" * 32, "Body": "VOL"}  # no MessageSid, no From
    response = signed_post(client, INBOUND_URL, params)
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_get_is_not_allowed(client):
    assert client.get("/sms/twilio/inbound/").status_code == 405


def test_unknown_provider_is_404(client):
    assert client.post("/sms/nope/inbound/", {}).status_code == 404


def test_public_url_behind_a_proxy(client, shopkeeper, settings):
    settings.SMS_WEBHOOK_BASE_URL = "https://vigie.example.fr"
    public = "https://vigie.example.fr/sms/twilio/inbound/"
    params = sms_params(sender="+33612000031", body="VOL")
    # Signed for the internal URL: refused once a public URL is configured.
    assert signed_post(client, INBOUND_URL, params).status_code == 403
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(public, params)
    response = client.post("/sms/twilio/inbound/", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200
    assert Observation.objects.count() == 1


def test_csrf_does_not_block_the_signed_webhook(shopkeeper):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    messages = _send(strict, "+33612000031", "VOL")
    assert Observation.objects.get().reference in messages[0]


def test_commune_number_picks_the_commune_of_an_unknown_sender(client, commune, other_commune):
    other_commune.sms_number = "+33700000099"
    other_commune.save()
    _send(client, "+33698765432", "Bonjour", to="+33700000099")
    assert InboundMessage.objects.get().commune == other_commune


def test_sms_simulate_says_in_french_when_nothing_listens(settings, monkeypatch) -> None:
    """README friction (issue 14): no traceback when the server is not there, and the default address
    follows PORT as `make run` does."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from tests.live import free_port

    settings.TWILIO_AUTH_TOKEN = "readme-token"
    monkeypatch.setenv("PORT", str(free_port()))  # nothing listens on it
    with pytest.raises(CommandError, match="Aucun serveur ne répond") as refused:
        call_command("sms_simulate", "VOL test")
    assert f":{os.environ['PORT']}/sms/twilio/inbound/" in str(refused.value)
    assert "make run" in str(refused.value)
