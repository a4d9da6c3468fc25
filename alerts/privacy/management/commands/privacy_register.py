"""manage.py privacy_register [--format json|odt|pdf] [--commune INSEE] [--output FILE]: the art. 30 register
entry of a commune (JSON on stdout by default)."""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.loader import render_to_string

from alerts.privacy.register import RegisterIncomplete, register_entry, register_odt, register_pdf
from alerts.privacy.selectors import notice_commune


class Command(BaseCommand):
    help = "Fiche du registre des activités de traitement (art. 30) d'une commune : JSON, ODT ou PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "odt", "pdf"], default="json")
        parser.add_argument("--commune", help="Code INSEE ou identifiant (facultatif s'il n'y en a qu'une).")
        parser.add_argument("--output", help="Fichier à écrire (par défaut : la sortie standard).")

    def handle(self, *args: Any, **options: Any) -> None:
        commune = notice_commune(options["commune"])
        if commune is None:
            raise CommandError("Précisez la commune (--commune, code INSEE ou identifiant).")
        try:
            entry = register_entry(commune)
        except RegisterIncomplete as error:
            raise CommandError(str(error)) from error
        fmt = options["format"]
        if fmt == "json":
            content = json.dumps(entry, ensure_ascii=False, indent=2).encode() + b"\n"
        elif fmt == "odt":
            content = register_odt(entry)
        else:
            content = register_pdf(render_to_string("privacy/register.html", {"entry": entry}))
        if options["output"]:
            with open(options["output"], "wb") as out:
                out.write(content)
            self.stdout.write(f"Écrit : {options['output']}")
        elif fmt == "json":
            self.stdout.write(content.decode(), ending="")
        else:
            sys.stdout.buffer.write(content)
