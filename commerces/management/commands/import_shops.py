"""python manage.py import_shops <commune-slug> shops.csv: each good row imported, each bad one reported."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.territory.models import Commune
from commerces.services import shops_import_csv


class Command(BaseCommand):
    help = "Importe une liste de commerces (CSV : nom, type, siret, adresse, secteur, telephone, contact)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("commune", help="identifiant (slug) de la commune")
        parser.add_argument("path", type=Path, help="fichier CSV en UTF-8, séparateur ; ou ,")

    def handle(self, *args: Any, **options: Any) -> None:
        commune = Commune.objects.filter(slug=options["commune"]).first()
        if commune is None:
            raise CommandError(f"Commune inconnue : {options['commune']}")
        try:
            content = options["path"].read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Fichier illisible : {exc}") from exc
        report = shops_import_csv(commune=commune, actor=None, content=content)
        for shop in report.created:
            self.stdout.write(f"importé : {shop.name}")
        for line, reason in report.errors:
            self.stderr.write(f"ligne {line} : {reason}")
        self.stdout.write(
            f"{len(report.created)} commerce(s) importé(s), {len(report.errors)} ligne(s) refusée(s)"
        )
        if report.errors:
            raise CommandError("des lignes ont été refusées (voir ci-dessus)", returncode=2)
