from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from backend.accounts.phone import normalize_phone
from backend.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Affiche le code TOTP du moment d'un agent (démonstration et dépannage)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("phone")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            phone = normalize_phone(options["phone"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        device = TOTPDevice.objects.filter(user__phone=phone, confirmed=True).first()
        if device is None:
            raise CommandError(f"Aucun appareil TOTP pour {phone}.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
