"""SMS lengths and encodings (3GPP TS 23.038), pure functions.

A text made only of the GSM-7 alphabet travels in septets: 160 in one SMS, 153 per part of a longer one
(the rest is the concatenation header); a character of the extension table (€, [, ] …) takes two septets
and is never split across parts. One character outside it (ê, –, an emoji …) sends the whole text in UCS-2:
70 UTF-16 code units in one SMS, 67 per part; an emoji takes two units, never split either.
`to_gsm7` folds the characters French text often carries to their nearest GSM-7 form, keeping the
accented letters GSM-7 has (é è ù à ì ò Ç É Ä Ö Ñ Ü ä ö ñ ü)."""

import re
import unicodedata
from dataclasses import dataclass

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"
_BASIC = frozenset(GSM7_BASIC)
_EXTENSION = frozenset(GSM7_EXTENSION)

GSM7 = "GSM-7"
UCS2 = "UCS-2"
# (one SMS, per part of a longer one), in septets (GSM-7) or UTF-16 code units (UCS-2).
CAPACITY = {GSM7: (160, 153), UCS2: (70, 67)}


def is_gsm7(text: str) -> bool:
    return all(char in _BASIC or char in _EXTENSION for char in text)


def _cost(char: str, encoding: str) -> int:
    if encoding == GSM7:
        return 2 if char in _EXTENSION else 1
    return len(char.encode("utf-16-le")) // 2


def gsm7_length(text: str) -> int:
    """Septets used: extension characters (€, [, ] …) take two."""
    return sum(_cost(char, GSM7) for char in text)


def non_gsm7(text: str) -> list[str]:
    """The characters that force UCS-2, each once, in order of appearance."""
    return list(dict.fromkeys(char for char in text if char not in _BASIC and char not in _EXTENSION))


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # GSM7 or UCS2
    length: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int  # SMS billed per recipient
    capacity: int  # what those segments hold: 160 for one GSM-7 SMS, 2 × 153 for two …


def sms_length(text: str) -> SmsLength:
    encoding = GSM7 if is_gsm7(text) else UCS2
    single, part = CAPACITY[encoding]
    costs = [_cost(char, encoding) for char in text]
    length = sum(costs)
    if length <= single:
        return SmsLength(encoding, length, 1, single)
    segments, used = 1, 0
    for cost in costs:  # an escape pair or a surrogate pair never straddles two parts
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return SmsLength(encoding, length, segments, segments * part)


def fits_one_sms(text: str) -> bool:
    return sms_length(text).segments == 1


# Characters French text often carries that GSM-7 lacks, and their nearest GSM-7 form; other accented
# letters lose their accent (unicodedata), what has no GSM-7 form (an emoji) is kept.
_FOLD = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "’": "'",
        "‘": "'",
        "‚": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "–": "-",
        "—": "-",
        "‑": "-",
        "−": "-",
        "…": "...",
        "•": "-",
    }
)


def _fold_char(char: str) -> str:
    if char in _BASIC or char in _EXTENSION:
        return char
    bare = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return bare if bare and is_gsm7(bare) else char


def to_gsm7(text: str) -> str:
    """The text with characters outside GSM-7 folded to their nearest form (ê → e, œ → oe, « – » → « - »,
    curly quotes → straight, … → ...); French guillemets become straight quotes without their inner
    spaces."""
    text = re.sub(r"«[\s\u00a0\u202f]*", '"', text)
    text = re.sub(r"[\s\u00a0\u202f]*»", '"', text)
    return "".join(_fold_char(char) for char in text.translate(_FOLD))
