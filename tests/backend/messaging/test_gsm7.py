"""backend/messaging/gsm7.py: encodings, lengths, segments and the GSM-7 transliteration."""

import pytest

from backend.messaging.gsm7 import (
    GSM7,
    UCS2,
    fits_one_sms,
    gsm7_length,
    is_gsm7,
    non_gsm7,
    sms_length,
    to_gsm7,
)


def test_gsm7_detection_and_lengths():
    assert is_gsm7("Vigie : signalement enregistré, à bientôt ? non") is False  # ô is not GSM-7
    assert is_gsm7(to_gsm7("à bientôt, reçu « merci »"))
    assert gsm7_length("50 €") == 5  # the euro sign is an escape + a septet
    assert fits_one_sms("x" * 160)
    assert not fits_one_sms("x" * 161)
    assert not is_gsm7("😡")
    assert fits_one_sms("😡" * 35)  # a UCS-2 part holds 70 code units; an emoji takes two
    assert not fits_one_sms("😡" * 36)


@pytest.mark.parametrize(
    ("text", "encoding", "length", "segments", "capacity"),
    [
        ("", GSM7, 0, 1, 160),
        ("a" * 160, GSM7, 160, 1, 160),
        ("a" * 161, GSM7, 161, 2, 306),
        ("a" * 306, GSM7, 306, 2, 306),
        ("a" * 307, GSM7, 307, 3, 459),
        ("€" * 80, GSM7, 160, 1, 160),  # extension characters take two septets
        ("€" * 81, GSM7, 162, 2, 306),
        ("a" * 152 + "€" + "a" * 7, GSM7, 161, 2, 306),
        ("a" * 152 + "€" * 77, GSM7, 306, 3, 459),  # an escape pair is never split: 152 | 152 | 2
        ("ê" * 70, UCS2, 70, 1, 70),
        ("ê" * 71, UCS2, 71, 2, 134),
        ("ê" * 135, UCS2, 135, 3, 201),
        ("a" * 66 + "😡" * 34, UCS2, 134, 3, 201),  # nor a surrogate pair: 66 | 66 | 2
    ],
)
def test_sms_length(text, encoding, length, segments, capacity):
    result = sms_length(text)
    assert (result.encoding, result.length, result.segments, result.capacity) == (
        encoding,
        length,
        segments,
        capacity,
    )


def test_one_character_outside_gsm7_sends_the_whole_text_in_ucs2():
    text = "a" * 150 + " – fin"
    assert sms_length(text).encoding == UCS2
    assert sms_length(text).segments == 3  # 156 code units: 3 parts of 67
    assert sms_length(to_gsm7(text)) == sms_length("a" * 150 + " - fin")
    assert sms_length(to_gsm7(text)).segments == 1


def test_non_gsm7_lists_each_offending_character_once_in_order():
    assert non_gsm7("Fenêtre – fenêtre « ouverte » 😡 é à ç €") == ["ê", "–", "«", "»", "😡", "ç"]
    assert non_gsm7("éèùàìòÇÉÄÖÑÜäöñü [€]") == []


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("reçu « merci » – l’équipe", 'recu "merci" - l\'équipe'),
        ("Fenêtres et cœur", "Fenetres et coeur"),
        ("Œuvre", "OEuvre"),
        ("“Attention” ‘ici’", "\"Attention\" 'ici'"),
        ("Attendez…", "Attendez..."),
        ("10\u00a0h\u202f30", "10 h 30"),
        ("Île, âge, où, naïf, ÿ, À, Ê", "Ile, age, où, naif, y, A, E"),
        ("éèùàìòÇÉÄÖÑÜäöñü", "éèùàìòÇÉÄÖÑÜäöñü"),  # in GSM-7: kept
        ("—", "-"),
        ("alerte 😡", "alerte 😡"),  # no GSM-7 form: kept, and the text stays UCS-2
    ],
)
def test_to_gsm7(text, folded):
    assert to_gsm7(text) == folded


def test_french_advice_folded_fits_gsm7():
    text = "Cambriolage signalé ce mardi – fermez portes et fenêtres, « soyez vigilants »… Appelez le 17."
    assert not is_gsm7(text)
    assert is_gsm7(to_gsm7(text))
