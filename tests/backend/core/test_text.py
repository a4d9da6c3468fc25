"""backend.core.text: what a free text loses (bidi, invisible and control characters) and keeps."""

import sys
import unicodedata

import pytest

from backend.core.forms import NeutralCharField
from backend.core.text import FORMAT_RANGES, data_neutralise, text_neutralise


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Vol au 12 rue \u202eeuqirfA\u202c", "Vol au 12 rue euqirfA"),  # right-to-left override
        ("\u2066isolé\u2069 \u200e\u200f\u061c", "isolé "),  # isolates, marks, Arabic letter mark
        ("Gav\u200botte Ga\u200dvotte Gav\u00adotte \ufeff", "Gavotte Gavotte Gavotte "),  # invisible
        ("a\x00b\x07c\x1b[31md\x7fe\x85f\x9f", "abc[31mdef"),  # C0, DEL, C1
        ("ligne 1\r\nligne 2\rligne 3\u2028ligne 4\u2029", "ligne 1\nligne 2\nligne 3\nligne 4\n"),
        ("tabulation\tet\nretour", "tabulation\tet\nretour"),
        ("lone \ud83d surrogate", "lone  surrogate"),
        ("Fête, garçon, ß, 東京, مرحبا, 👍🏽", "Fête, garçon, ß, 東京, مرحبا, 👍🏽"),
        ("👩\u200d🚒 🏳\ufe0f\u200d🌈", "👩\u200d🚒 🏳\ufe0f\u200d🌈"),  # emoji sequences keep their joiner
        ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", None),  # Scotland's flag
        ("a\U000e0067b", "ab"),  # a tag character outside a flag
        ("", ""),
    ],
)
def test_text_neutralise(raw, stored):
    assert text_neutralise(raw) == (raw if stored is None else stored)


def test_the_format_table_is_unicodes():
    """FORMAT_RANGES is Unicode's category Cf as this Python knows it (a newer Python may add some)."""
    listed = {code for start, end in FORMAT_RANGES for code in range(start, end + 1)}
    actual = {code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"}
    assert listed == actual
    assert all(text_neutralise(f"a{chr(code)}b") == "ab" for code in actual)  # between letters: all go


def test_every_control_but_tab_and_line_feed_is_removed():
    controls = [chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cc"]
    assert text_neutralise("".join(controls)) == "\t\n\n"  # CR became a line feed


def test_data_neutralise_walks_json_and_leaves_passwords_alone():
    data = {
        "description": "x\u202ey",
        "items": [{"note": "\u200bz"}, 3, None, True],
        "k\u202eey": "v",
        "password": "mot\u202ede passe",
        "new_password": "\u200b",
    }
    assert data_neutralise(data) == {
        "description": "xy",
        "items": [{"note": "z"}, 3, None, True],
        "key": "v",
        "password": "mot\u202ede passe",
        "new_password": "\u200b",
    }


def test_the_form_field_neutralises_before_its_checks():
    field = NeutralCharField(max_length=5)
    assert field.clean(" \u200bab\u202ec\u200b ") == "abc"
    assert field.clean("abcde\u202e") == "abcde"  # 6 characters typed, 5 stored: within the limit
