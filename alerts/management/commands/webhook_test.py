"""Sends a signed `ping` to an agency's webhook, now, through the worker's code path (address checks
included), and says what happened: the URL, the HTTP status and the time taken, or why it was refused.

    manage.py webhook_test 3
    manage.py webhook_test "Police municipale des Pennes-Mirabeau"

Exits non-zero unless the receiver answered 2xx.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alerts.models import Agency
from alerts.webhooks import agency_webhook_ping
from backend.core.errors import ApplicationError
from backend.messaging.backends.base import PermanentError, TransientError
from backend.messaging.webhook import webhook_raise_for_status


def _agency(value: str) -> Agency:
    if value.isdigit():
        found = Agency.objects.filter(pk=int(value)).first()
        if found is not None:
            return found
    matches = list(Agency.objects.filter(name__iexact=value.strip()).order_by("id"))
    if not matches:
        raise CommandError(f"Service de police introuvable : {value}")
    if len(matches) > 1:
        ids = ", ".join(str(agency.pk) for agency in matches)
        raise CommandError(f"Plusieurs services portent ce nom ({ids}) : indiquez l'identifiant.")
    return matches[0]


class Command(BaseCommand):
    help = "Envoie un événement « ping » signé au webhook d'un service de police et affiche la réponse."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("agency", help="identifiant ou nom du service de police")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = _agency(str(options["agency"]))
        if not agency.webhook_url:
            raise CommandError(f"Le service « {agency.name} » n'a pas d'adresse de webhook.")
        self.stdout.write(f"Service : {agency.name} (n° {agency.pk})")
        self.stdout.write(f"Adresse : {agency.webhook_url}")
        try:
            response = agency_webhook_ping(agency=agency)
        except (ApplicationError, PermanentError, TransientError) as exc:
            raise CommandError(f"Échec : {exc}") from exc
        self.stdout.write(
            f"Réponse : HTTP {response.status} en {response.elapsed * 1000:.0f} ms ({response.address})"
        )
        try:
            webhook_raise_for_status(response)
        except (PermanentError, TransientError) as exc:
            raise CommandError(f"Échec : {exc}") from exc
        self.stdout.write(self.style.SUCCESS("Ping accepté par le récepteur."))
