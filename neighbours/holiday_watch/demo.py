"""Holiday watch in Les Pennes-Mirabeau: two homes watched now (one with a pass noted), one to come.
Idempotent: rows are found again by address."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from backend.accounts.models import Role, User
from backend.territory.models import Commune, Sector
from neighbours.holiday_watch.models import PatrolPass, WatchRequest

# address, sector slug, resident's phone, days from today (start, end), alarm, burglary alerts
HOMES = [
    ("12 chemin de la Gavotte", "la-gavotte", "+33612000071", (-3, 10), True, True),
    ("4 rue des Amandiers", "les-amandiers", "+33612000072", (-1, 6), False, False),
    ("27 avenue François Mitterrand", "centre", "+33612000073", (5, 19), True, True),
]
PM_OPERATOR = "+33612000011"


def seed(commune: Commune, say: Callable[[str], None]) -> None:
    today = timezone.localdate()
    sectors = {sector.slug: sector for sector in Sector.objects.filter(commune=commune)}
    officer = User.objects.filter(phone=PM_OPERATOR, role=Role.OPERATOR).first()
    for address, slug, phone, (start, end), alarm, alerts in HOMES:
        row, created = WatchRequest.objects.get_or_create(
            commune=commune,
            address=address,
            defaults={
                "sector": sectors.get(slug),
                "channel": WatchRequest.Channel.WEB,
                "phone": phone,
                "start": today + timedelta(days=start),
                "end": today + timedelta(days=end),
                "alarm": alarm,
                "burglary_alerts": alerts,
                "contact_name": "Voisine (Mme Martin)",
                "keys_left_with": "Mme Martin" if alarm else "",
            },
        )
        if created and start < 0 and officer is not None:
            PatrolPass.objects.create(
                request=row, officer=officer, at=timezone.now() - timedelta(hours=20), outcome="ras"
            )
        say(f"{'Créée' if created else 'Déjà là'} : tranquillité vacances, {address}")
