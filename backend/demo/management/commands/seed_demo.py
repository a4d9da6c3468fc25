import base64
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django_otp.plugins.otp_totp.models import TOTPDevice

from backend.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from backend.demo.steps import seed_all


class Command(BaseCommand):
    help = "Crée les données de démonstration des Pennes-Mirabeau (sans effet si elles existent déjà)."

    def handle(self, *args: Any, **options: Any) -> None:
        seed_all(lambda line: self.stdout.write(f"  {line}"))
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        self.stdout.write("")
        self.stdout.write("Agents (page /connexion/ : téléphone, mot de passe, code TOTP) :")
        self.stdout.write(f"  mot de passe commun : {DEMO_PASSWORD}")
        self.stdout.write(f"  code du moment : DEBUG=1 {_python()} manage.py totp_code <téléphone>")
        for device in TOTPDevice.objects.filter(user__phone__in=[u[0] for u in DEMO_USERS]).select_related(
            "user"
        ):
            self.stdout.write(
                f"  {device.user.phone}  {device.user.display_name:<42} secret TOTP (base32) : {_b32(device.bin_key)}"
            )
        self.stdout.write("Application mobile (code par SMS, affiché dans la console du serveur) :")
        for phone, name, role, _superuser in DEMO_USERS:
            if role in ("referent", "shopkeeper"):
                self.stdout.write(f"  {phone}  {name}")


def _python() -> str:
    """The interpreter running this command (`make run`'s: .venv/bin/python, as in the README), relative
    to the current folder when inside it: the command to copy works as printed."""
    path = Path(sys.executable)
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def _b32(key: bytes) -> str:
    return base64.b32encode(key).decode()
