"""Whether a text designates one shop: by its name, its address, or its trade next to its street.

Pure functions over strings (no database): `commerces.alert_messages` loads the commune's shops and
sectors and turns a `Hit` into the refusal. The rules, on words folded to lower case without accents
or punctuation, stop words (de, la, l', chez …) left out:

- name: the significant words of the shop's name, in order, next to each other. A name made only of
  trade words (« Tabac-Presse ») or equal to a place's name (a sector, the commune) is no designation
  on its own and is not looked for;
- address: the street number followed by the street's distinctive words (« 12 avenue de la Gavotte »);
  the street alone designates no shop;
- trade + street: a trade word of the shop (« boulangerie », « pâtisserie », « commerce » …), in the
  singular, at most `WINDOW` words from the street's distinctive words.

When a street's distinctive words are also a place's name (the street « avenue de la Gavotte » in the
sector « La Gavotte »), only an occurrence led by a street type (« avenue », « rue » …) counts as the
street: the alert's zone (« ALERTE COMMERCES La Gavotte, 03/12 … ») is not the victim's street.

Words of the shop are matched with a few typing errors: none up to 4 letters, one from 5 to 8 letters,
two beyond (optimal string alignment: a swap of two neighbouring letters is one error), the first letter
right; numbers exactly. A trade word in the plural (« les boulangeries du secteur ») is generic.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from commerces.models import Trade


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOP_WORDS = _set("de du des la le les l d et chez")
STREET_TYPES = _set(
    "rue r avenue av ave bd boulevard bld chemin ch che chem route rte rt place pl impasse imp allee allees "
    "all cours quai square sq passage traverse trav montee mte lotissement lot residence res voie sentier "
    "esplanade parvis faubourg fg hameau lieu dit rond point carrefour cite domaine zone za zi zac parc "
    "galerie promenade chaussee rampe venelle ruelle mail"
)
TWO_WORD_STREET_TYPES = frozenset({("rond", "point"), ("lieu", "dit")})
NUMBER_SUFFIXES = _set("bis ter quater a b c")
# A word for "a shop" that designates one as well as its trade does (« un commerce de l'avenue … »).
GENERIC_SHOP_WORDS = _set("commerce commercant commercante magasin boutique")
# Per trade, the words that say it (singular, folded): its label's and the usual synonyms.
TRADE_WORDS: dict[str, frozenset[str]] = {
    trade: _set(synonyms)
    for trade, synonyms in {
        Trade.FOOD: "alimentation superette epicerie epicier epiciere supermarche primeur",
        Trade.BAKERY: "boulangerie boulanger boulangere patisserie patissier patissiere fournil",
        Trade.PHARMACY: "pharmacie pharmacien pharmacienne parapharmacie officine",
        Trade.TOBACCO: "tabac presse buraliste librairie pmu",
        Trade.JEWELLER: "bijouterie bijoutier bijoutiere horlogerie horloger joaillerie joaillier",
        Trade.RESTAURANT: "cafe restaurant resto bar brasserie bistrot bistro pizzeria snack creperie kebab "
        "traiteur restaurateur",
        Trade.BEAUTY: "coiffure coiffeur coiffeuse barbier esthetique estheticienne institut beaute onglerie "
        "parfumerie",
        Trade.CLOTHING: "habillement vetement chaussure chausseur lingerie mercerie pressing",
        Trade.FUEL: "station carburant garage",
        Trade.SERVICES: "banque agence assurance assureur mutuelle",
        # « Autre commerce »: these say no trade of their own; the words of the shop's name that do are
        # its trade words (« Boucherie Martin »: boucherie).
        Trade.OTHER: "fleuriste boucherie boucher charcuterie charcutier poissonnerie poissonnier fromagerie "
        "fromager caviste quincaillerie droguerie papeterie opticien optique laverie cordonnerie "
        "cordonnier animalerie jardinerie",
    }.items()
}
# Every trade word: a shop name made only of these is its trade, not a designation. All singular.
VOCABULARY = GENERIC_SHOP_WORDS.union(*TRADE_WORDS.values())
# Words of the text between a trade word and the street (stop words not counted).
WINDOW = 4

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})


@dataclass(frozen=True)
class Token:
    word: str  # folded: lower case, no accent
    start: int  # its characters in the original text
    end: int


@lru_cache(maxsize=1024)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.translate(_LIGATURES).casefold())
    return "".join(part for part in decomposed if not unicodedata.combining(part))


def tokens(text: str) -> list[Token]:
    """The words of `text` (letters and digits, accents and case folded), with their place in it."""
    folded: list[str] = []
    origin: list[int] = []  # for each folded character, the index of the original one
    for index, char in enumerate(text):
        for part in _fold_char(char):
            folded.append(part)
            origin.append(index)
    return [
        Token(match.group(), origin[match.start()], origin[match.end() - 1] + 1)
        for match in re.finditer(r"[a-z0-9]+", "".join(folded))
    ]


def words(text: str) -> tuple[str, ...]:
    """The significant words of `text`: folded, stop words left out."""
    return tuple(token.word for token in tokens(text) if token.word not in STOP_WORDS)


def edits_allowed(word: str) -> int:
    if word.isdigit() or len(word) <= 4:
        return 0
    return 1 if len(word) <= 8 else 2


def within_edits(a: str, b: str, limit: int) -> bool:
    """Whether `a` becomes `b` in at most `limit` insertions, deletions, substitutions or swaps of two
    neighbouring letters (optimal string alignment distance), computed no further than needed."""
    if abs(len(a) - len(b)) > limit:
        return False
    if a == b:
        return True
    if limit == 0:
        return False
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return False
        before, previous = previous, current
    return previous[-1] <= limit


def close(pattern: str, word: str) -> bool:
    """Whether a word of the text is the shop's `pattern` word, give or take a few typing errors."""
    if pattern == word:
        return True
    limit = edits_allowed(pattern)
    return limit > 0 and pattern[:1] == word[:1] and within_edits(pattern, word, limit)


def _is_plural_of(pattern: str, word: str) -> bool:
    return len(word) > 3 and word[-1] in "sx" and close(pattern, word[:-1])


class TextIndex:
    """The significant words of one text, and where each of the shops' words occurs in it (memoised:
    the commune's shops share many words, and each is looked for once)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [token for token in tokens(text) if token.word not in STOP_WORDS]
        self._by_initial: dict[str, list[int]] = {}
        for position, token in enumerate(self.tokens):
            self._by_initial.setdefault(token.word[:1], []).append(position)
        self._positions: dict[str, frozenset[int]] = {}

    def positions(self, pattern: str) -> frozenset[int]:
        """Where `pattern` occurs; for a trade word, in the singular only."""
        found = self._positions.get(pattern)
        if found is None:
            trade_word = pattern in VOCABULARY
            found = frozenset(
                position
                for position in self._by_initial.get(pattern[:1], ())
                if close(pattern, word := self.tokens[position].word)
                and not (trade_word and word != pattern and _is_plural_of(pattern, word))
            )
            self._positions[pattern] = found
        return found

    def sequences(self, pattern: tuple[str, ...]) -> list[int]:
        """The positions where the words of `pattern` follow each other."""
        if not pattern:
            return []
        return sorted(
            start
            for start in self.positions(pattern[0])
            if all(start + offset in self.positions(word) for offset, word in enumerate(pattern[1:], 1))
        )

    def is_street_type(self, position: int) -> bool:
        return 0 <= position < len(self.tokens) and self.tokens[position].word in STREET_TYPES

    def span(self, first: int, last: int) -> tuple[int, int]:
        return (self.tokens[first].start, self.tokens[last].end)


@dataclass(frozen=True)
class ShopPattern:
    """What designates one shop, in folded words."""

    # Empty when the name alone designates nothing (only trade words, or a place's name).
    name: tuple[str, ...]
    number: str  # the street number, "" when the address has none
    street: tuple[str, ...]  # the street's distinctive words (no street type, no stop word)
    trades: frozenset[str] = field(default_factory=frozenset)


@lru_cache(maxsize=4096)
def shop_pattern(
    *, name: str, trade: str, address: str, places: frozenset[tuple[str, ...]], commune: tuple[str, ...]
) -> ShopPattern:
    """`places`: the significant words of each sector's and of the commune's name; `commune`: the
    commune's, cut from the end of an address (« …, 13170 Les Pennes-Mirabeau »)."""
    name_words = words(name)
    only_trade = all(word in VOCABULARY or word.isdigit() for word in name_words)
    a_place = name_words in places or (
        len(name_words) == 1 and any(name_words[0] in place for place in places)
    )
    designating = () if only_trade or a_place or len("".join(name_words)) < 4 else name_words
    number, street = _address(address, commune)
    return ShopPattern(
        name=designating,
        number=number,
        street=street,
        trades=GENERIC_SHOP_WORDS
        | (TRADE_WORDS.get(trade, frozenset()) if trade != Trade.OTHER else frozenset())
        | {word for word in name_words if word in VOCABULARY},
    )


def _address(address: str, commune: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    found = words(address)
    for index, word in enumerate(found):
        if index and word.isdigit() and len(word) == 5:  # the postcode: the town follows
            found = found[:index]
            break
    if commune and len(found) > len(commune) and found[-len(commune) :] == commune:
        found = found[: -len(commune)]
    number = ""
    if found and found[0].isdigit() and len(found[0]) <= 4:
        number, found = found[0], found[1:]
        while found and found[0] in NUMBER_SUFFIXES:
            found = found[1:]
    # The street type leads (« Rue du Parc », « Rond-point des Lilas »); what follows is its name.
    if found[:2] in TWO_WORD_STREET_TYPES:
        found = found[2:]
    elif len(found) > 1 and found[0] in STREET_TYPES:
        found = found[1:]
    return number, tuple(word for word in found if not word.isdigit())


@dataclass(frozen=True)
class Hit:
    """A shop the text designates, and the words that do (character spans of the text)."""

    rule: str  # "name", "address" or "trade_street"
    spans: tuple[tuple[int, int], ...]

    def quote(self, text: str) -> str:
        return " … ".join(re.sub(r"\s+", " ", text[start:end]) for start, end in self.spans)

    @property
    def start(self) -> int:
        return self.spans[0][0]


def shop_hit(index: TextIndex, shop: ShopPattern, *, place_words: frozenset[str]) -> Hit | None:
    """The first way the text designates `shop`, if any: its name, its address, its trade + street."""
    if names := index.sequences(shop.name):
        return Hit("name", (index.span(names[0], names[0] + len(shop.name) - 1),))
    if not shop.street:
        return None
    # A street named like a sector or the commune: its bare name is the alert's zone, not the street
    # (« le 12 : La Gavotte »); only an occurrence led by a street type counts.
    needs_type = all(word in place_words for word in shop.street)
    streets = [
        start for start in index.sequences(shop.street) if not needs_type or index.is_street_type(start - 1)
    ]
    if shop.number and streets:
        for position in index.positions(shop.number):
            street_at = position + 1
            while street_at < len(index.tokens) and index.tokens[street_at].word in NUMBER_SUFFIXES:
                street_at += 1
            # Then the street, after its type if written (« 3 rue du Parc »: « parc » is a type too).
            for at in (street_at, street_at + 1, street_at + 2):
                if at in streets:
                    return Hit("address", (index.span(position, at + len(shop.street) - 1),))
                if not index.is_street_type(at):
                    break
    return _trade_street_hit(index, shop, streets)


def _trade_street_hit(index: TextIndex, shop: ShopPattern, starts: list[int]) -> Hit | None:
    streets = [
        (start - 1 if index.is_street_type(start - 1) else start, start + len(shop.street) - 1)
        for start in starts
    ]
    if not streets:
        return None
    trades = sorted(_union(index.positions(word) for word in shop.trades))
    for first, last in streets:
        for position in trades:
            if first <= position <= last:
                continue
            gap = first - position - 1 if position < first else position - last - 1
            if gap <= WINDOW:
                spans = sorted([index.span(position, position), index.span(first, last)])
                if gap == 0:  # next to each other: one quote
                    spans = [(spans[0][0], spans[1][1])]
                return Hit("trade_street", tuple(spans))
    return None


def _union(sets: Iterable[frozenset[int]]) -> set[int]:
    result: set[int] = set()
    for positions in sets:
        result |= positions
    return result
