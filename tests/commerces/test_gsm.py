import pytest

from backend.messaging.gsm7 import gsm7_length, is_gsm7
from commerces import sms


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
