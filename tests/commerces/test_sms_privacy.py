"""The privacy notice by SMS: INFO answers with it; a number's first exchange brings it once."""

import pytest

from backend.messaging.gsm7 import fits_one_sms, is_gsm7
from backend.messaging.models import Delivery
from tests.commerces.test_sms_intake import _send

pytestmark = pytest.mark.django_db

NOTICE = "http://vigie.test/confidentialite/?commune=13071"


@pytest.fixture(autouse=True)
def _site(settings, commune):
    settings.SITE_URL = "http://vigie.test"
    commune.insee_code = "13071"
    commune.save()


def _notices():
    return Delivery.objects.filter(kind="commerces.privacy_notice")


@pytest.mark.parametrize("word", ["INFO", "info", "Infos"])
def test_info_answers_with_a_short_text_and_the_notice(client, shopkeeper, word):
    (reply,) = _send(client, "+33612000031", word)
    assert NOTICE in reply
    assert is_gsm7(reply), reply
    assert fits_one_sms(reply), reply
    assert not _notices().exists()  # the answer is the notice: no second SMS


def test_info_from_an_unknown_number_gets_the_notice_of_the_number_it_wrote_to(client, commune, settings):
    commune.sms_number = "+33700000001"
    commune.save()
    (reply,) = _send(client, "+33698765432", "INFO", to="+33700000001")
    assert NOTICE in reply


def test_the_first_reply_a_number_gets_is_followed_by_the_notice_once(client, shopkeeper):
    (first,) = _send(client, "+33612000031", "VOL deux jeunes, une bouteille")
    assert fits_one_sms(first)  # the reply itself stays one SMS
    notice = _notices().get()
    assert notice.recipient == shopkeeper.user
    assert NOTICE in notice.body
    assert fits_one_sms(notice.body)

    _send(client, "+33612000031", "AIDE")
    assert _notices().count() == 1


def test_an_unknown_number_first_reply_is_followed_by_the_notice_to_its_address(client, commune):
    _send(client, "+33698765432", "bonjour")
    notice = _notices().get()
    assert notice.recipient is None
    assert notice.address == "+33698765432"
