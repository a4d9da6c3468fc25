from typing import Any

from django.core.management.base import BaseCommand

from backend.core.keys import key_generate


class Command(BaseCommand):
    help = (
        "Prints a fresh random key (86 characters) for SECRET_KEY or JWT_SIGNING_KEY; run it once for each. "
        "Works before Vigie is configured (manage.py answers it without loading the settings)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(key_generate())
