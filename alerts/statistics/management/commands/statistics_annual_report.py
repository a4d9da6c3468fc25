"""Writes a commune's annual report of the Participation Citoyenne scheme (PDF or ODS): totals only."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alerts.statistics.management.commands._communes import communes_named
from alerts.statistics.report import annual_report, annual_report_ods, annual_report_pdf
from backend.audit.services import audit_record


class Command(BaseCommand):
    help = "Écrit le rapport annuel « Participation citoyenne » d'une commune (PDF ou ODS), totaux seulement."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commune", required=True, help="Code INSEE ou identifiant de la commune.")
        parser.add_argument("--year", type=int, required=True, help="Année, par exemple 2026.")
        parser.add_argument("--format", choices=("pdf", "ods"), default="pdf")
        parser.add_argument(
            "--output", help="Fichier à écrire (défaut : rapport-annuel-<commune>-<année>.<format>)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        communes = list(communes_named(options["commune"]))
        if len(communes) != 1:
            raise CommandError("Précisez une seule commune.")
        commune, year, kind = communes[0], options["year"], options["format"]
        report = annual_report(commune, year)
        content = annual_report_pdf(report) if kind == "pdf" else annual_report_ods(report)
        path = Path(options["output"] or f"rapport-annuel-{commune.slug}-{year}.{kind}")
        path.write_bytes(content)
        audit_record(actor=None, action="statistics.annual_report", extra={"year": year, "format": kind,
                                                                           "commune": commune.pk})  # fmt: skip
        self.stdout.write(self.style.SUCCESS(f"Rapport écrit : {path}"))
