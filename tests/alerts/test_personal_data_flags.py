"""Likely personal data in free text (alerts/personal_data_flags.py): what a moderator is told to look at
before approving. Suggestions only: the functions return positions, they never change a text."""

import pytest

from alerts.personal_data_flags import iban_valid, personal_data_flags, report_flags


def kinds(text: str) -> list[tuple[str, str]]:
    return [(flag.kind, flag.text) for flag in personal_data_flags(text)]


def test_a_plain_description_flags_nothing() -> None:
    assert (
        kinds(
            "Deux hommes, veste rouge et casquette noire, sont partis vers la gare à 18 H 30 dans une "
            "voiture grise ; 3 vitrines brisées au 12 rue de la République, bus 13, 2 A 13h. Madame la maire "
            "était présente."
        )
        == []
    )


@pytest.mark.parametrize(
    "phone",
    ["06 12 34 56 78", "06.12.34.56.78", "0612345678", "06-12-34-56-78", "+33 6 12 34 56 78", "+33612345678",
     "+33 (0)6 12 34 56 78", "0033 6 12 34 56 78", "04 91 00 00 00"],
)  # fmt: skip
def test_french_phone_numbers(phone: str) -> None:
    assert kinds(f"Rappeler le {phone} demain.") == [("phone", phone)]


def test_emails_names_and_plates_with_their_positions() -> None:
    text = "M. Dupont (jean.dupont@example.fr) a vu AB-123-CD puis AB123CD et la vieille 1234 AB 13."
    flags = personal_data_flags(text)
    assert [(flag.kind, flag.text) for flag in flags] == [
        ("name", "M. Dupont"),
        ("email", "jean.dupont@example.fr"),
        ("plate", "AB-123-CD"),
        ("plate", "AB123CD"),
        ("plate", "1234 AB 13"),
    ]
    assert all(text[flag.start : flag.end] == flag.text for flag in flags)
    assert flags[2].label == "Plaque d'immatriculation"


@pytest.mark.parametrize("civility", ["M.", "Mme", "Mlle", "Monsieur", "Madame"])
def test_names_after_a_civility(civility: str) -> None:
    assert kinds(f"Le véhicule de {civility} Leroy-Martin est garé.") == [
        ("name", f"{civility} Leroy-Martin")
    ]


def test_ibans_only_when_their_checksum_holds() -> None:
    good = "FR76 3000 6000 0112 3456 7890 189"
    assert iban_valid(good)
    assert not iban_valid("FR76 3000 6000 0112 3456 7890 188")
    assert kinds(f"Virement demandé sur {good}.") == [("iban", good)]
    # A wrong checksum is not an IBAN; its digits are no phone number either.
    assert kinds("Virement demandé sur FR76 3000 6000 0112 3456 7890 188.") == []


def test_report_flags_name_the_text_they_come_from() -> None:
    flags = report_flags(
        description="Appeler M. Dupont.",
        place="devant le 06 12 34 56 78",
        additions=[(7, "Son e-mail : a@b.fr"), (8, "Rien de plus.")],
    )
    assert [(flag["field"], flag["addition"], flag["kind"]) for flag in flags] == [
        ("description", None, "name"),
        ("place", None, "phone"),
        ("addition", 7, "email"),
    ]
