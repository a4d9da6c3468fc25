"""Makes a VAPID key pair for Web Push and prints it as environment lines (deploy/env.example)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from backend.messaging.backends.webpush import vapid_keys_generate


class Command(BaseCommand):
    help = _(
        "Crée une paire de clés VAPID pour les notifications web et l'affiche en lignes d'environnement "
        "(la clé publique est déduite de la clé privée par le serveur, elle n'est qu'indiquée)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--subject",
            default="",
            help=_("Contact pour les services push (mailto: ou https:) ; par défaut WEBPUSH_VAPID_SUBJECT."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        private, public = vapid_keys_generate()
        subject = options["subject"] or settings.WEBPUSH_VAPID_SUBJECT
        self.stdout.write(f"WEBPUSH_VAPID_PRIVATE_KEY={private}")
        if subject:
            self.stdout.write(f"WEBPUSH_VAPID_SUBJECT={subject}")
        else:
            self.stdout.write(
                _("# WEBPUSH_VAPID_SUBJECT=mailto:… (à remplir : un contact pour les services push)")
            )
        self.stdout.write(_("# Clé publique (applicationServerKey) : %(key)s") % {"key": public})
