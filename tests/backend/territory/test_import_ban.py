"""manage.py import_ban: the BAN's CSV format (plain or gzip), only the commune's rows, idempotent,
addresses gone from the file removed, progress output, French errors for a missing commune or a bad file."""

import dataclasses
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from backend.audit.models import AuditEvent
from backend.core.errors import ApplicationError
from backend.territory.models import Address, Commune
from backend.territory.services import addresses_import_ban
from tests import factories
from tests.backend.territory import ban

pytestmark = pytest.mark.django_db


@pytest.fixture
def pennes() -> Commune:
    commune = factories.commune()
    commune.insee_code = "13071"
    commune.save(update_fields=["insee_code"])
    return commune


def run(path: Path, insee: str = "13071") -> str:
    out = StringIO()
    call_command("import_ban", str(path), "--commune", insee, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return list(
        Address.objects.order_by("ban_id").values_list(
            "pk",
            "ban_id",
            "commune_id",
            "number",
            "rep",
            "street",
            "postcode",
            "commune_name",
            "latitude",
            "longitude",
        )
    )


def test_imports_the_communes_rows_and_skips_the_others(pennes: Commune, tmp_path: Path) -> None:
    rows = ban.pennes_rows()
    path = ban.write(tmp_path / "adresses-13.csv", [*rows[:150], *ban.marseille_rows(), *rows[150:]])
    output = run(path)
    assert Address.objects.filter(commune=pennes).count() == 300
    assert not Address.objects.filter(commune_name="Marseille").exists()
    assert "360 ligne(s) lue(s), 300 de la commune." in output
    assert "300 adresse(s) créée(s), 0 mise(s) à jour, 0 supprimée(s)" in output
    third = Address.objects.get(ban_id="13071_0000_00004")
    assert (third.number, third.rep, third.street, third.postcode) == (
        4,
        "bis",
        "Chemin de la Gavotte",
        "13170",
    )
    assert third.label == "4 bis Chemin de la Gavotte, 13170 Les Pennes-Mirabeau"
    assert (third.latitude, third.longitude) == (43.4035, 5.3005)
    assert AuditEvent.objects.filter(action="addresses.imported").count() == 1


def test_a_second_run_changes_nothing(pennes: Commune, tmp_path: Path) -> None:
    path = ban.write(tmp_path / "adresses-13.csv", ban.pennes_rows())
    run(path)
    before = snapshot()
    output = run(path)
    assert snapshot() == before  # same rows, same ids
    assert "0 adresse(s) créée(s), 0 mise(s) à jour, 0 supprimée(s)" in output


def test_changed_rows_are_updated_and_rows_gone_from_the_file_removed(
    pennes: Commune, tmp_path: Path
) -> None:
    rows = ban.pennes_rows()
    run(ban.write(tmp_path / "v1.csv", rows))
    moved = dataclasses.replace(rows[0], street="Chemin de la Gavotte Prolongé", lat=43.40051)
    added = dataclasses.replace(rows[1], ban_id="13071_9999_00001", number=99)
    output = run(ban.write(tmp_path / "v2.csv", [moved, added, *rows[1:250]]))
    assert "1 adresse(s) créée(s), 1 mise(s) à jour, 50 supprimée(s)" in output
    assert Address.objects.count() == 251
    assert Address.objects.get(ban_id=rows[0].ban_id).street == "Chemin de la Gavotte Prolongé"
    assert not Address.objects.filter(ban_id__in=[row.ban_id for row in rows[250:]]).exists()


def test_gzip_files_are_read_as_published(pennes: Commune, tmp_path: Path) -> None:
    run(ban.write(tmp_path / "adresses-13.csv.gz", ban.pennes_rows(), gz=True))
    assert Address.objects.count() == 300


def test_other_communes_addresses_are_left_alone(pennes: Commune, tmp_path: Path) -> None:
    other = factories.commune(name="Marseille", slug="marseille", prefix="MRS", lon_offset=0.1)
    Commune.objects.filter(pk=other.pk).update(insee_code="13201")
    run(ban.write(tmp_path / "marseille.csv", ban.marseille_rows()), insee="13201")
    run(ban.write(tmp_path / "pennes.csv", ban.pennes_rows()))
    assert Address.objects.filter(commune=other).count() == 60  # not removed by the other commune's import
    assert Address.objects.filter(commune=pennes).count() == 300


def test_unknown_commune_is_a_french_error(tmp_path: Path) -> None:
    factories.commune()  # without an INSEE code
    with pytest.raises(CommandError, match="Aucune commune n'a le code INSEE « 13071 »"):
        run(ban.write(tmp_path / "a.csv", ban.pennes_rows()))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("nom;prenom\nDupont;Jean\n", "pas au format de la BAN : colonne\\(s\\) absente\\(s\\) : id, numero"),
        (ban.HEADER + "\n" + "13071_0001_00001;x;1\n", "Ligne 2 : 3 colonnes au lieu de 23"),
        (None, "Ligne 3 : numéro ou coordonnées illisibles"),
        (b"\x1f\x8b\x08not really gzip", "Fichier illisible"),
        (b"id;numero\n\xff\xfe\n", "Fichier illisible"),
    ],
)
def test_a_malformed_file_is_refused_in_french_and_changes_nothing(
    pennes: Commune, tmp_path: Path, content: str | bytes | None, message: str
) -> None:
    rows = ban.pennes_rows()
    run(ban.write(tmp_path / "good.csv", rows))
    before = snapshot()
    path = tmp_path / "bad.csv"
    if content is None:  # the second row's latitude unreadable, after a good one
        ban.write(path, rows[:5])
        lines = path.read_text().splitlines()
        lines[2] = lines[2].replace(f"{rows[1].lat:.6f}", "quarante-trois")
        path.write_text("\n".join(lines) + "\n")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(CommandError, match=message):
        run(path)
    assert snapshot() == before


def test_progress_is_reported_while_reading(
    pennes: Commune, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("backend.territory.services.PROGRESS_EVERY", 100)
    monkeypatch.setattr("backend.territory.services.BATCH", 64)  # several batches
    seen: list[tuple[int, int]] = []
    report = addresses_import_ban(
        commune=pennes,
        path=ban.write(tmp_path / "a.csv", ban.pennes_rows()),
        progress=lambda r: seen.append((r.read, r.kept)),
    )
    assert seen == [(100, 100), (200, 200), (300, 300)]
    assert (report.read, report.kept, report.created) == (300, 300, 300)


def test_a_commune_without_insee_code_is_refused(tmp_path: Path) -> None:
    commune = factories.commune()
    with pytest.raises(ApplicationError, match="pas de code INSEE"):
        addresses_import_ban(commune=commune, path=ban.write(tmp_path / "a.csv", ban.pennes_rows()))
