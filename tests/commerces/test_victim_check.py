"""A message to shopkeepers never designates the victim shop: its name (any case, accents, small typing
errors), its address, or its trade next to its street. Sector names, the commune, the trade alone and
advice pass."""

from typing import Any

import pytest

from backend.core.errors import ApplicationError
from backend.territory.models import Commune, Sector
from commerces.alert_messages import shop_alert_check
from commerces.models import Trade
from commerces.victim_match import close, edits_allowed, within_edits
from tests.commerces import factories
from tests.factories import box

pytestmark = pytest.mark.django_db

GAVOTTE = "Boulangerie de la Gavotte"


@pytest.fixture
def shops(commune: Commune) -> Commune:
    """The demo's shops, each in its sector named like its street (La Gavotte, avenue de la Gavotte)."""
    for name, slug in [
        ("La Gavotte", "la-gavotte"),
        ("Centre", "centre"),
        ("Les Cadeneaux", "les-cadeneaux"),
    ]:
        Sector.objects.create(commune=commune, name=name, slug=slug, polygon=box(43.40, 5.30, 43.42, 5.32))
    Sector.objects.create(
        commune=commune, name="Les Amandiers", slug="les-amandiers", polygon=box(43.40, 5.30, 43.42, 5.32)
    )
    for name, trade, address, sector in [
        (GAVOTTE, Trade.BAKERY, "12 avenue de la Gavotte, 13170 Les Pennes-Mirabeau", "la-gavotte"),
        ("Tabac-Presse du Centre", Trade.TOBACCO, "Place de l'Église", "centre"),
        ("Pharmacie des Cadeneaux", Trade.PHARMACY, "Route des Cadeneaux", "les-cadeneaux"),
        ("Supérette des Amandiers", Trade.FOOD, "Chemin des Amandiers", "les-amandiers"),
        ("Boucherie Martin", Trade.OTHER, "3 bis rue du Parc", "nord"),
        ("Tabac", Trade.TOBACCO, "", "sud"),
    ]:
        factories.shop(commune, name=name, trade=trade, address=address, sector=sector)
    return commune


REFUSED = [
    # (why, text, the shop designated, the words quoted)
    ("exact name, other case", "VOL À LA BOULANGERIE DE LA GAVOTTE", GAVOTTE, "BOULANGERIE DE LA GAVOTTE"),
    ("name without accents", "Vol a la superette des amandiers", "Supérette des Amandiers", "superette des amandiers"),
    ("name with punctuation", "Braquage : tabac/presse, du centre !", "Tabac-Presse du Centre", "tabac/presse, du centre"),
    ("misspelt name", "Vol à la Boulangerie de la Gavote ce matin", GAVOTTE, "Boulangerie de la Gavote"),
    ("two errors in a long word", "La boulangrei de la Gavotte", GAVOTTE, "boulangrei de la Gavotte"),
    ("swapped letters", "Pharmacie des Cadenaeux", "Pharmacie des Cadeneaux", "Pharmacie des Cadenaeux"),
    ("name without its stop words", "Boucherie Martin visée", "Boucherie Martin", "Boucherie Martin"),
    ("trade + street", "Vol à la boulangerie de l'avenue de la Gavotte", GAVOTTE, "boulangerie de l'avenue de la Gavotte"),
    ("synonym + misspelt street", "Le pâtissier, avenue de la Gavote, a été braqué", GAVOTTE, "pâtissier, avenue de la Gavote"),
    ("street first, then trade", "Avenue de la Gavotte, une boulangerie a reçu de faux billets", GAVOTTE, "Avenue de la Gavotte … boulangerie"),
    ("generic shop word + street", "Un commerce de la route des Cadeneaux a été visé", "Pharmacie des Cadeneaux", "commerce de la route des Cadeneaux"),
    ("trade + street not named like a sector", "Vol au bureau de tabac près de l'église", "Tabac-Presse du Centre", "tabac … église"),
    ("the trade of an « other » shop comes from its name", "Vol à la boucherie ce matin, rue du Parc", "Boucherie Martin", "boucherie … rue du Parc"),
    ("address", "Cambriolage cette nuit au 12, av. de la Gavotte", GAVOTTE, "12, av. de la Gavotte"),
    ("address with a suffix", "Vitrine brisée au 3 bis, rue du Parc", "Boucherie Martin", "3 bis, rue du Parc"),
]  # fmt: skip

ACCEPTED = [
    ("the zone", "ALERTE COMMERCES La Gavotte, 03/12 14h30 : faux billets de 50 €. Conseil : vérifiez les billets."),
    ("the zone, then the trade", "ALERTE COMMERCES La Gavotte, 03/12 14h30 : une boulangerie visée par de faux billets."),
    ("every sector", "Secteurs Centre, Les Cadeneaux, Les Amandiers et La Gavotte : restez vigilants."),
    ("the trade alone", "Vigilance : les boulangeries du secteur sont visées par des faux billets."),
    ("the trade in the plural, in a sector", "Les pharmacies des Cadeneaux et les tabacs du Centre sont visés."),
    ("a name that is only a trade", "Un tabac a été braqué hier soir."),
    ("the street alone", "Vol à l'étalage avenue de la Gavotte : restez vigilants."),
    ("a date, then the zone named like the street", "Alerte du 12 : La Gavotte, faux billets de 50 €."),
    ("another number in the street", "Cambriolage au 14 avenue de la Gavotte."),
    ("the commune", "Les Pennes-Mirabeau : vigilance dans les commerces de la commune."),
    ("advice", "Vérifiez les billets, fermez la caisse, rappelez l'organisme au numéro officiel. Urgence : 17 ou 112."),
    ("a word close to a name's word, elsewhere", "Un homme a été vu ce matin près de la boucherie."),
]  # fmt: skip


@pytest.mark.parametrize(("why", "text", "shop", "quoted"), REFUSED, ids=[row[0] for row in REFUSED])
def test_a_text_that_designates_a_shop_is_refused_with_what_matched(
    shops: Commune, why: str, text: str, shop: str, quoted: str
) -> None:
    with pytest.raises(ApplicationError) as error:
        shop_alert_check(commune=shops, text=text)
    assert error.value.field == "body"
    assert f"« {quoted} »" in error.value.message
    assert f"le commerce « {shop} »" in error.value.message


@pytest.mark.parametrize(("why", "text"), ACCEPTED, ids=[row[0] for row in ACCEPTED])
def test_zone_trade_street_commune_and_advice_alone_pass(shops: Commune, why: str, text: str) -> None:
    shop_alert_check(commune=shops, text=text)


def test_the_refusal_reads_as_a_sentence_and_points_at_the_title_or_the_body(shops: Commune) -> None:
    with pytest.raises(ApplicationError) as error:
        shop_alert_check(
            commune=shops, title="Vol à l'étalage", text="La boulangerie de l'avenue de la Gavotte."
        )
    assert error.value.field == "body"
    assert error.value.message == (
        "Le texte cite « boulangerie de l'avenue de la Gavotte », qui désigne le commerce "
        "« Boulangerie de la Gavotte » (12 avenue de la Gavotte, 13170 Les Pennes-Mirabeau) : "
        "une alerte ne nomme jamais la victime."
    )
    with pytest.raises(ApplicationError) as error:
        shop_alert_check(commune=shops, title="Pharmacie des Cadeneaux", text="Restez vigilants.")
    assert error.value.field == "title"
    assert error.value.message.startswith(
        "Le texte cite « Pharmacie des Cadeneaux », qui désigne le commerce"
    )


def test_only_the_commune_s_own_shops_count(shops: Commune, other_commune: Commune) -> None:
    shop_alert_check(commune=other_commune, text=f"Vol à la {GAVOTTE}, 12 avenue de la Gavotte.")


@pytest.mark.parametrize(
    ("a", "b", "limit", "expected"),
    [
        ("gavotte", "gavotte", 0, True),
        ("gavotte", "gavote", 1, True),  # a letter missing
        ("gavotte", "gavottes", 1, True),  # a letter more
        ("gavotte", "gavatte", 1, True),  # a letter changed
        ("gavotte", "gavtote", 1, True),  # two neighbours swapped: one error
        ("gavotte", "gabote", 1, False),
        ("boulangerie", "boulangrei", 2, True),
        ("boulangerie", "boulanger", 2, True),
        ("boulangerie", "boulange", 2, False),
        ("tabac", "tabac", 0, True),
        ("tabac", "tabak", 0, False),
    ],
)
def test_within_edits(a: str, b: str, limit: int, expected: bool) -> None:
    assert within_edits(a, b, limit) is expected
    assert within_edits(b, a, limit) is expected


def test_errors_allowed_grow_with_the_word_and_the_first_letter_must_be_right() -> None:
    assert [edits_allowed(word) for word in ("bar", "cafe", "tabac", "gavotte", "amandier", "cadeneaux")] == [
        0,
        0,
        1,
        1,
        1,
        2,
    ]
    assert edits_allowed("13170") == 0
    assert close("gavotte", "gavote")
    assert not close("gavotte", "cavotte")
    assert not close("12", "13")


def test_many_shops_are_checked(shops: Commune, django_assert_max_num_queries: Any) -> None:
    for number in range(300):
        factories.shop(shops, name=f"Commerce {number} Lumière", address=f"{number} rue des Oliviers")
    with django_assert_max_num_queries(2):  # the sectors, the shops: one query each, whatever their number
        shop_alert_check(commune=shops, text="ALERTE COMMERCES La Gavotte : faux billets de 50 €.")
    with pytest.raises(ApplicationError, match="Commerce 299 Lumière"):
        shop_alert_check(commune=shops, text="Vol au commerce 299 lumiere")
