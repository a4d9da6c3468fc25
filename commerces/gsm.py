"""SMS lengths: a GSM-7 message holds 160 characters in one part, a UCS-2 one (any emoji, « ») only 70."""

import re

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"
_BASIC = frozenset(GSM7_BASIC)
_EXTENSION = frozenset(GSM7_EXTENSION)


def is_gsm7(text: str) -> bool:
    return all(char in _BASIC or char in _EXTENSION for char in text)


def gsm7_length(text: str) -> int:
    """Septets used: extension characters (€, [, ] …) take two."""
    return sum(2 if char in _EXTENSION else 1 for char in text)


def fits_one_sms(text: str) -> bool:
    if is_gsm7(text):
        return gsm7_length(text) <= 160
    return len(text.encode("utf-16-le")) // 2 <= 70


# Characters French text often carries that GSM-7 lacks, and their nearest GSM-7 form.
_FOLD = str.maketrans(
    {
        "ç": "c",
        "â": "a",
        "ê": "e",
        "ë": "e",
        "î": "i",
        "ï": "i",
        "ô": "o",
        "û": "u",
        "ÿ": "y",
        "œ": "oe",
        "Œ": "OE",
        "À": "A",
        "Â": "A",
        "È": "E",
        "Ê": "E",
        "Î": "I",
        "Ô": "O",
        "Û": "U",
        "’": "'",
        "«": '"',
        "»": '"',
        "\u00a0": " ",
        "\u202f": " ",
        "–": "-",
        "—": "-",
        "…": "...",
    }
)


def to_gsm7(text: str) -> str:
    """The text with French letters outside GSM-7 folded to their nearest form (ç → c, ê → e …)."""
    text = re.sub(r"«[\s\u00a0\u202f]*", '"', text)
    text = re.sub(r"[\s\u00a0\u202f]*»", '"', text)
    return text.translate(_FOLD)
