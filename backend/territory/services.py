"""Writes of the territory: importing a commune's addresses from the Base Adresse Nationale (BAN).

The BAN publishes one CSV per département (`adresses-13.csv.gz`, `;`-separated, UTF-8, one header line).
The file is read as a stream, row by row, and written by batches: a département holds hundreds of
thousands of rows, a commune tens of thousands. Only the ids of the commune's kept rows stay in memory,
to remove afterwards the addresses that left the file.
"""

import csv
import gzip
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from django.db import transaction
from django.utils.translation import gettext as _

from backend.audit.services import audit_record
from backend.core.errors import ApplicationError
from backend.territory.models import Address, Commune

BAN_COLUMNS = ("id", "numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune", "lon", "lat")
BATCH = 2000
PROGRESS_EVERY = 50_000
_FIELDS = ("commune_id", "number", "rep", "street", "postcode", "commune_name", "latitude", "longitude")


@dataclass
class BanImportReport:
    read: int = 0  # data lines read (the header excluded)
    kept: int = 0  # lines of the commune
    created: int = 0
    updated: int = 0
    removed: int = 0


def commune_by_insee(insee_code: str) -> Commune:
    commune = Commune.objects.filter(insee_code=insee_code).first()
    if commune is None:
        raise ApplicationError(
            _("Aucune commune n'a le code INSEE « %(code)s » : renseignez-le dans l'administration.")
            % {"code": insee_code[:10]},
            field="commune",
        )
    return commune


def _open_text(path: Path) -> IO[str]:
    with path.open("rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if compressed else open
    return cast(IO[str], opener(path, "rt", encoding="utf-8-sig", newline=""))


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of the file, checked against the BAN's header; French errors otherwise."""
    try:
        with _open_text(path) as text:
            reader = csv.reader(text, delimiter=";")
            header = next(reader, None)
            missing = [column for column in BAN_COLUMNS if column not in (header or [])]
            if missing:
                raise ApplicationError(
                    _("Ce fichier n'est pas au format de la BAN : colonne(s) absente(s) : %(columns)s.")
                    % {"columns": ", ".join(missing)},
                    field="file",
                )
            assert header is not None
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    raise ApplicationError(
                        _("Ligne %(line)d : %(found)d colonnes au lieu de %(expected)d.")
                        % {"line": reader.line_num, "found": len(row), "expected": len(header)},
                        field="file",
                    )
                yield reader.line_num, dict(zip(header, row, strict=True))
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise ApplicationError(
            _("Fichier illisible (CSV de la BAN en UTF-8, compressé ou non, attendu) : %(error)s")
            % {"error": exc},
            field="file",
        ) from exc


def _address(commune: Commune, line: int, row: dict[str, str]) -> Address:
    try:
        latitude, longitude = float(row["lat"]), float(row["lon"])
        number = int(row["numero"]) if row["numero"].strip() else None
    except ValueError as exc:
        raise ApplicationError(
            _("Ligne %(line)d : numéro ou coordonnées illisibles.") % {"line": line}, field="file"
        ) from exc
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or (number is not None and number < 0):
        raise ApplicationError(
            _("Ligne %(line)d : numéro ou coordonnées hors bornes.") % {"line": line}, field="file"
        )
    if not row["id"].strip() or not row["nom_voie"].strip():
        raise ApplicationError(
            _("Ligne %(line)d : identifiant ou nom de voie manquant.") % {"line": line}, field="file"
        )
    return Address(
        commune_id=commune.pk,
        ban_id=row["id"].strip()[:64],
        number=number,
        rep=row["rep"].strip()[:20],
        street=row["nom_voie"].strip()[:200],
        postcode=row["code_postal"].strip()[:5],
        commune_name=row["nom_commune"].strip()[:120],
        latitude=latitude,
        longitude=longitude,
    )


def _write_batch(batch: list[Address], report: BanImportReport) -> None:
    existing = {
        address.ban_id: address for address in Address.objects.filter(ban_id__in=[a.ban_id for a in batch])
    }
    created: list[Address] = []
    changed: list[Address] = []
    for address in batch:
        before = existing.get(address.ban_id)
        if before is None:
            created.append(address)
        elif any(getattr(before, name) != getattr(address, name) for name in _FIELDS):
            address.pk = before.pk
            changed.append(address)
    Address.objects.bulk_create(created, batch_size=BATCH)
    Address.objects.bulk_update(changed, _FIELDS, batch_size=BATCH)
    report.created += len(created)
    report.updated += len(changed)


def addresses_import_ban(
    *, commune: Commune, path: Path, progress: Callable[[BanImportReport], None] | None = None
) -> BanImportReport:
    """Imports the commune's rows of a BAN file (by its INSEE code): new addresses created, changed ones
    updated, those no longer in the file removed. One transaction: a malformed file changes nothing."""
    if not commune.insee_code:
        raise ApplicationError(_("La commune n'a pas de code INSEE."), field="commune")
    report = BanImportReport()
    seen: set[str] = set()
    batch: list[Address] = []
    with transaction.atomic():
        for line, row in _rows(path):
            report.read += 1
            if row["code_insee"].strip() == commune.insee_code:
                address = _address(commune, line, row)
                if address.ban_id in seen:
                    raise ApplicationError(
                        _("Ligne %(line)d : identifiant « %(id)s » en double.")
                        % {"line": line, "id": address.ban_id},
                        field="file",
                    )
                seen.add(address.ban_id)
                batch.append(address)
                report.kept += 1
            if len(batch) >= BATCH:
                _write_batch(batch, report)
                batch = []
            if progress is not None and report.read % PROGRESS_EVERY == 0:
                progress(report)
        _write_batch(batch, report)
        gone = [
            pk
            for pk, ban_id in Address.objects.filter(commune=commune).values_list("pk", "ban_id").iterator()
            if ban_id not in seen
        ]
        for start in range(0, len(gone), BATCH):
            Address.objects.filter(pk__in=gone[start : start + BATCH]).delete()
        report.removed = len(gone)
        audit_record(
            actor=None,
            action="addresses.imported",
            target=commune,
            extra={
                "kept": report.kept,
                "created": report.created,
                "updated": report.updated,
                "removed": report.removed,
            },
        )
    return report
