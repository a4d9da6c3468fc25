"""Alias kept for scripts: the observations' rules of the retention purge (`manage.py retention_purge`
purges every table; the worker runs it daily)."""

from typing import Any

from django.core.management.base import BaseCommand

from alerts.retention import OBSERVATION_RULES
from backend.core.retention import retention_purge


class Command(BaseCommand):
    help = (
        "Efface les signalements dont la durée de conservation est dépassée (terminés, ou trop anciens), "
        "avec leurs photos. Voir aussi retention_purge."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options.get("verbosity", 1)

        def say(line: str) -> None:
            if verbosity >= 1:
                self.stdout.write(line)

        counts = retention_purge(only=OBSERVATION_RULES, say=say)
        self.stdout.write(self.style.SUCCESS(f"Signalements effacés : {sum(counts.values())}"))
