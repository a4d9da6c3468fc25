"""Erases closed, rejected or merged observations past their commune's retention period.

Safe to run repeatedly (deployments schedule it daily): a second run reports 0.
"""

from typing import Any

from django.core.management.base import BaseCommand

from alerts.retention import observations_purge


class Command(BaseCommand):
    help = "Efface les signalements terminés dont la durée de conservation est dépassée (et leurs photos)."

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options.get("verbosity", 1)

        def say(line: str) -> None:
            if verbosity >= 1:
                self.stdout.write(line)

        count = observations_purge(say=say)
        self.stdout.write(self.style.SUCCESS(f"Signalements effacés : {count}"))
