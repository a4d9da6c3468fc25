"""python manage.py import_ban adresses-13.csv.gz --commune 13071: the commune's addresses from the BAN."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from backend.core.errors import ApplicationError
from backend.territory.services import BanImportReport, addresses_import_ban, commune_by_insee


class Command(BaseCommand):
    help = _(
        "Importe les adresses d'une commune depuis un fichier de la Base Adresse Nationale "
        "(adresses-<département>.csv, compressé en .gz ou non)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help=_("fichier CSV de la BAN (.csv ou .csv.gz)"))
        parser.add_argument("--commune", required=True, help=_("code INSEE de la commune, par exemple 13071"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            commune = commune_by_insee(options["commune"])
            report = addresses_import_ban(commune=commune, path=options["path"], progress=self._progress)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self._progress(report)
        self.stdout.write(
            _(
                "%(commune)s : %(created)d adresse(s) créée(s), %(updated)d mise(s) à jour, %(removed)d supprimée(s)."
            )
            % {
                "commune": commune.name,
                "created": report.created,
                "updated": report.updated,
                "removed": report.removed,
            }
        )

    def _progress(self, report: BanImportReport) -> None:
        self.stdout.write(
            _("%(read)d ligne(s) lue(s), %(kept)d de la commune.")
            % {"read": report.read, "kept": report.kept}
        )
