"""Posts an SMS to the Twilio webhook as Twilio would: signed with RequestValidator and TWILIO_AUTH_TOKEN.

    python manage.py sms_simulate --from +33612000031 "VOL deux jeunes, sac à main, vers la Gavotte"

Try the intake locally without a Twilio account (the server must run with the same TWILIO_AUTH_TOKEN).
The webhook's default address follows PORT, as `make run` does (PORT=8001 make run, then
PORT=8001 … sms_simulate).
"""

import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any
from xml.etree import ElementTree

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from twilio.request_validator import RequestValidator


class Command(BaseCommand):
    help = "Envoie au webhook SMS une requête signée comme par Twilio, et affiche la réponse."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("body", help="texte du SMS")
        parser.add_argument("--from", dest="sender", default="+33612000031", help="numéro de l'expéditeur")
        parser.add_argument("--to", default="", help="numéro de la commune (défaut : TWILIO_FROM_NUMBER)")
        port = os.environ.get("PORT", "8000")
        parser.add_argument(
            "--url",
            default=f"http://127.0.0.1:{port}/sms/twilio/inbound/",
            help="adresse du webhook (défaut : http://127.0.0.1:$PORT/sms/twilio/inbound/, PORT=8000)",
        )
        parser.add_argument("--sid", default="", help="MessageSid (défaut : un nouveau)")

    def handle(self, *args: Any, **options: Any) -> None:
        token = settings.TWILIO_AUTH_TOKEN
        if not token:
            raise CommandError("TWILIO_AUTH_TOKEN n'est pas défini (le serveur doit avoir le même).")
        params = {
            "MessageSid": options["sid"] or f"SM{uuid.uuid4().hex}",
            "AccountSid": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
            "From": options["sender"],
            "To": options["to"] or settings.TWILIO_FROM_NUMBER or "+33700000000",
            "Body": options["body"],
            "NumSegments": "1",
            "NumMedia": "0",
        }
        signature = RequestValidator(token).compute_signature(options["url"], params)
        request = urllib.request.Request(  # noqa: S310  (a URL given by the developer)
            options["url"],
            data=urllib.parse.urlencode(params).encode(),
            headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                body = response.read().decode()
        except urllib.error.HTTPError as exc:
            raise CommandError(f"HTTP {exc.code} : {exc.read().decode(errors='replace')}") from exc
        except OSError as exc:  # nothing listens there (connection refused, timeout)
            raise CommandError(
                f"Aucun serveur ne répond à {options['url']} ({exc}). Lancez « make run » "
                "(avec PORT=… pour un autre port, le même pour cette commande) ou donnez --url."
            ) from exc
        self.stdout.write(f"MessageSid : {params['MessageSid']}")
        replies = [node.text or "" for node in ElementTree.fromstring(body).iter("Message")]  # noqa: S314
        self.stdout.write("Réponse : " + (replies[0] if replies else "(aucune)"))
