"""Free text from outside (API, web forms, SMS, websocket), made to read as it is stored.

A moderator or an officer must see what was written, nothing hidden and nothing reordered: bidi controls
(U+202E makes "…ecilop" read backwards) and the other invisible format characters (zero-width spaces, soft
hyphens, which also split the words a filter looks for, such as a victim shop's name) are removed, and so
are control characters (C0, DEL, C1) and lone surrogates (PostgreSQL refuses them). Kept: tab and line
feed (CR LF, CR and the Unicode line/paragraph separators become a line feed), the zero-width joiner
between two symbols (emoji sequences: 👩‍🚒) and the tag characters of subdivision flags (🏴 + tags).

`text_neutralise` is applied at every intake edge: the API parsers (backend/core/parsers.py), the web forms
(`NeutralCharField`), inbound SMS, websocket actions and alerts' `text_clean`.
"""

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

# Unicode's format characters (category Cf, Unicode 14: Python 3.11's unicodedata; a test compares).
FORMAT_RANGES = (
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
# Controls (Cc) but tab and line feed, and surrogates (Cs).
CONTROL_RANGES = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF))
ZWJ = "\u200d"
BLACK_FLAG = "\U0001f3f4"
TAGS = range(0xE0020, 0xE0080)
_SYMBOLS = frozenset({"So", "Sk", "Mn", "Me"})  # emoji, skin tones, variation selectors, keycaps


def _char_class(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(
        re.escape(chr(start)) if start == end else f"{re.escape(chr(start))}-{re.escape(chr(end))}"
        for start, end in ranges
    )


_UNSAFE = re.compile(f"\r\n?|[\u2028\u2029]|[{_char_class((*CONTROL_RANGES, *FORMAT_RANGES))}]")


def _replacement(match: re.Match[str]) -> str:
    char = match.group()
    if char in ("\r\n", "\r", "\u2028", "\u2029"):
        return "\n"
    text, at = match.string, match.start()
    if char == ZWJ:
        before = text[at - 1] if at else ""
        after = text[at + 1] if at + 1 < len(text) else ""
        if before and after and {unicodedata.category(before), unicodedata.category(after)} <= _SYMBOLS:
            return char
        return ""
    if ord(char) in TAGS:
        start = at
        while start and ord(text[start - 1]) in TAGS:
            start -= 1
        return char if start and text[start - 1] == BLACK_FLAG else ""
    return ""


def text_neutralise(value: str) -> str:
    """`value` without bidi, invisible or control characters (see the module's docstring)."""
    if not _UNSAFE.search(value):
        return value
    return _UNSAFE.sub(_replacement, value)


def is_secret_field(name: str) -> bool:
    """Passwords are compared, never shown: they pass as typed (one character less would lock out)."""
    return "password" in name.lower()


def data_neutralise(data: Any) -> Any:
    """Every string in parsed JSON (dicts, lists, nested) neutralised, keys included; secrets as they are."""
    if isinstance(data, str):
        return text_neutralise(data)
    if isinstance(data, list):
        return [data_neutralise(item) for item in data]
    if isinstance(data, dict):
        return {
            text_neutralise(key) if isinstance(key, str) else key: value
            if isinstance(key, str) and is_secret_field(key)
            else data_neutralise(value)
            for key, value in data.items()
        }
    return data
