"""Likely personal data in a report's free text, for the moderator to redact before approval.

Pure functions, no database: phone numbers (French formats, +33), e-mail addresses, licence plates (SIV
« AB-123-CD » and the old « 1234 AB 13 »), names after a civility (« M. Dupont », « Madame Martin ») and
IBANs whose checksum holds. They are suggestions: the console shows them beside the redaction, it never
edits a text by itself. A plain description (« un homme en veste rouge ») flags nothing.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "phone": _("Numéro de téléphone"),
    "email": _("Adresse e-mail"),
    "plate": _("Plaque d'immatriculation"),
    "name": _("Nom de personne"),
    "iban": _("IBAN"),
}

# 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, +33 (0)6…, 0033 6…
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)33\s?(?:\(0\)\s?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
# SIV (since 2009): two letters, three digits, two letters; I, O and U are never used.
_SIV_LETTER = "[A-HJ-NP-TV-Z]"
_PLATE_SIV = re.compile(rf"(?<![\w-]){_SIV_LETTER}{{2}}[- ]?\d{{3}}[- ]?{_SIV_LETTER}{{2}}(?![\w-])")
# FNI (before 2009): 1 to 4 digits, 1 to 3 letters, the département (« 18 H 30 » is a time, not a plate).
_PLATE_FNI = re.compile(
    r"(?<![\w-])\d{1,4}[- ]?(?!H\b)[A-Z]{1,3}[- ]?(?:0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])(?![\w-])"
)
_NAME = re.compile(
    r"(?<!\w)(?:M\.|Mme\.?|Mlle\.?|Monsieur|Madame|Mademoiselle)\s+"
    r"[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ][\w'’-]+(?:\s+[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ][\w'’-]+)?"
)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}(?![A-Za-z0-9])")


@dataclass(frozen=True)
class Flag:
    kind: str  # phone, email, plate, name, iban
    text: str
    start: int
    end: int

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


def iban_valid(candidate: str) -> bool:
    """ISO 13616: the country and check digits moved to the end, letters as numbers, modulo 97 is 1."""
    compact = re.sub(r"\s", "", candidate).upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _matches(text: str) -> list[Flag]:
    found = [
        Flag("iban", m.group(), m.start(), m.end()) for m in _IBAN.finditer(text) if iban_valid(m.group())
    ]
    for kind, pattern in (
        ("email", _EMAIL),
        ("phone", _PHONE),
        ("plate", _PLATE_SIV),
        ("plate", _PLATE_FNI),
        ("name", _NAME),
    ):
        found.extend(Flag(kind, m.group(), m.start(), m.end()) for m in pattern.finditer(text))
    return found


def personal_data_flags(text: str) -> list[Flag]:
    """The likely personal data in `text`, in reading order; where two overlap, the first found (an
    IBAN before the digits inside it, an e-mail before a name in it) wins."""
    kept: list[Flag] = []
    for flag in _matches(text):
        if all(flag.end <= other.start or flag.start >= other.end for other in kept):
            kept.append(flag)
    return sorted(kept, key=lambda flag: flag.start)


def report_flags(
    *, description: str, place: str, additions: list[tuple[int, str]]
) -> list[dict[str, object]]:
    """Every flag of a report as the moderation view carries it: which text (`field`: description,
    place, addition, with the follow-up's id), what kind, the matched text and where it stands in it."""
    texts: list[tuple[str, int | None, str]] = [("description", None, description), ("place", None, place)]
    texts += [("addition", pk, text) for pk, text in additions]
    return [
        {
            "field": field,
            "addition": pk,
            "kind": flag.kind,
            "kind_label": flag.label,
            "text": flag.text,
            "start": flag.start,
            "end": flag.end,
        }
        for field, pk, text in texts
        for flag in personal_data_flags(text or "")
    ]
