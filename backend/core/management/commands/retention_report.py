"""Prints, per table, what the next retention run will purge; changes nothing."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from backend.core.retention import period_text, retention_next_run, retention_report, retention_rules


class Command(BaseCommand):
    help = "Affiche, table par table, ce que la prochaine purge de conservation effacera (sans rien effacer)."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        counts = retention_report(now=now)
        self.stdout.write(
            f"Données dont la durée de conservation est dépassée au {timezone.localtime(now):%d/%m/%Y %H:%M} :"
        )
        for rule in retention_rules():
            verb = "à anonymiser" if rule.action == "anonymise" else "à effacer"
            self.stdout.write(
                f"- {rule.label} ({rule.table}) : {counts[rule.name]} {verb}"
                f" — conservation {period_text(rule)} à compter de {str(rule.since) or rule.age_field} [{rule.name}]"
            )
        self.stdout.write(f"Total : {sum(counts.values())} ligne(s).")
        next_run = retention_next_run()
        if next_run is None:
            self.stdout.write("Prochain passage : au prochain tour du worker (aucun passage encore).")
        else:
            self.stdout.write(
                f"Prochain passage : à partir du {timezone.localtime(next_run):%d/%m/%Y %H:%M}."
            )
