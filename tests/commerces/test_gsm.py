import pytest

from commerces import sms
from commerces.gsm import fits_one_sms, gsm7_length, is_gsm7, to_gsm7


def test_gsm7_detection_and_lengths():
    assert is_gsm7("Vigie : signalement enregistré, à bientôt ? non") is False  # ô is not GSM-7
    assert is_gsm7(to_gsm7("à bientôt, reçu « merci »"))
    assert to_gsm7("reçu « merci » – l’équipe") == 'recu "merci" - l\'équipe'
    assert gsm7_length("50 €") == 5  # the euro sign is an escape + a septet
    assert fits_one_sms("x" * 160)
    assert not fits_one_sms("x" * 161)
    assert not is_gsm7("😡")
    assert fits_one_sms("😡" * 35)  # a UCS-2 part holds 70 code units; an emoji takes two
    assert not fits_one_sms("😡" * 36)


@pytest.mark.parametrize(
    "reply",
    [
        sms.reply_report("ABCDEF-2026-123456"),  # the longest reference a commune prefix allows
        sms.reply_follow_up("ABCDEF-2026-123456"),
        sms.reply_help(),
        sms.reply_unknown(),
        sms.reply_empty(),
        sms.reply_rate_limited(),
    ],
)
def test_every_fixed_reply_is_one_gsm7_sms_with_the_17_reminder(reply):
    assert is_gsm7(reply)
    assert gsm7_length(reply) <= 160
    assert "En cas d'urgence, appelez le 17 (ou le 112)." in reply
