"""Purges now what is past its retention period (the worker's daily job does the same)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from backend.core.retention import retention_purge, retention_rules


class Command(BaseCommand):
    help = (
        "Efface (ou anonymise) les données personnelles dont la durée de conservation est dépassée, "
        "table par table (voir docs/privacy.md). Sans effet sur le passage quotidien du worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only", action="append", metavar="RÈGLE", help="Seulement cette règle (répétable)."
        )
        parser.add_argument("--batch", type=int, default=500, help="Lignes par transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options.get("verbosity", 1)
        only = options.get("only")
        known = {rule.name for rule in retention_rules()}
        if only and (unknown := sorted(set(only) - known)):
            raise CommandError(f"Règle inconnue : {', '.join(unknown)}. Règles : {', '.join(sorted(known))}.")

        def say(line: str) -> None:
            if verbosity >= 1:
                self.stdout.write(line)

        now = timezone.now()
        say(f"Purge de conservation au {timezone.localtime(now):%d/%m/%Y %H:%M}")
        counts = retention_purge(now=now, only=only, batch=options["batch"], say=say)
        self.stdout.write(self.style.SUCCESS(f"Total : {sum(counts.values())} ligne(s) purgée(s)."))
