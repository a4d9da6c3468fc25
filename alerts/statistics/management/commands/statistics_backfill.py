"""Computes the statistics of past months from the observations still present (frozen months are left
as they are): run it once after installing, or after importing old data."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Min
from django.utils import timezone

from alerts.models import Observation
from alerts.statistics.management.commands._communes import communes_named
from alerts.statistics.months import month_of, months_between
from alerts.statistics.services import statistics_refresh


def _month(text: str) -> date:
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except ValueError as error:
        raise CommandError(f"Mois illisible : {text} (AAAA-MM).") from error


class Command(BaseCommand):
    help = "Calcule les statistiques mensuelles des mois passés à partir des signalements encore présents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commune", help="Code INSEE ou identifiant d'une commune (défaut : toutes).")
        parser.add_argument("--from", dest="first", help="Premier mois, AAAA-MM (défaut : le plus ancien).")

    def handle(self, *args: Any, **options: Any) -> None:
        last = month_of(timezone.now())
        total = 0
        for commune in communes_named(options["commune"]):
            if options["first"]:
                first = _month(options["first"])
            else:
                oldest = Observation.objects.filter(commune=commune).aggregate(at=Min("created_at"))["at"]
                first = month_of(oldest) if oldest else last
            months = list(months_between(first, last))
            self.stdout.write(f"{commune.name} : {len(months)} mois de {first:%Y-%m} à {last:%Y-%m}")
            for index, month in enumerate(months, start=1):
                done = statistics_refresh(commune=commune, months=[month])
                state = "calculé" if done else "figé, laissé tel quel"
                self.stdout.write(f"  [{index}/{len(months)}] {month:%Y-%m} : {state}")
                total += len(done)
        self.stdout.write(self.style.SUCCESS(f"Mois calculés : {total}"))
