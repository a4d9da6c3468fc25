"""Les Pennes-Mirabeau, roughly: a 3 × 3 grid around 43.41 N 5.31 E (approximate, for demonstration)."""

from collections.abc import Callable
from pathlib import Path

from backend.territory.models import Address, Commune, Sector
from backend.territory.services import addresses_import_ban

# A few addresses per demo sector in the BAN's format (plausible streets, positions approximate).
ADDRESSES = Path(__file__).resolve().parent / "demo_data" / "adresses-13071.csv"

LAT = [43.380, 43.400, 43.420, 43.440]
LON = [5.270, 5.300, 5.330, 5.360]


def _box(south: float, west: float, north: float, east: float) -> dict[str, object]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


SECTORS = {
    # slug: (name, south, west, north, east)
    "bouroumettes": ("Bouroumettes", LAT[0], LON[0], LAT[1], LON[1]),
    "les-amandiers": ("Les Amandiers", LAT[0], LON[1], LAT[1], LON[2]),
    "la-gavotte": ("La Gavotte", LAT[0], LON[2], LAT[1], LON[3]),
    "agavon": ("Agavon", LAT[1], LON[0], LAT[2], LON[1]),
    "centre": ("Centre", LAT[1], LON[1], LAT[2], LON[2]),
    "les-cadeneaux": ("Les Cadeneaux", LAT[1], LON[2], LAT[2], LON[3]),
    "la-renardiere-infernet": ("La Renardière / Infernet", LAT[2], LON[0], LAT[3], LON[3]),
}

ADJACENT = {
    "bouroumettes": ["les-amandiers", "agavon"],
    "les-amandiers": ["bouroumettes", "la-gavotte", "centre"],
    "la-gavotte": ["les-amandiers", "les-cadeneaux"],
    "agavon": ["bouroumettes", "centre", "la-renardiere-infernet"],
    "centre": ["les-amandiers", "agavon", "les-cadeneaux", "la-renardiere-infernet"],
    "les-cadeneaux": ["la-gavotte", "centre", "la-renardiere-infernet"],
    "la-renardiere-infernet": ["agavon", "centre", "les-cadeneaux"],
}


def seed(say: Callable[[str], None]) -> Commune:
    commune, created = Commune.objects.get_or_create(
        slug="les-pennes-mirabeau",
        defaults={
            "name": "Les Pennes-Mirabeau",
            "insee_code": "13071",
            "reference_prefix": "PMB",
            "boundary": _box(LAT[0], LON[0], LAT[3], LON[3]),
        },
    )
    say(f"{'Créée' if created else 'Déjà là'} : commune {commune.name}")
    sectors = {}
    for slug, (name, south, west, north, east) in SECTORS.items():
        sectors[slug], _ = Sector.objects.get_or_create(
            commune=commune, slug=slug, defaults={"name": name, "polygon": _box(south, west, north, east)}
        )
    for slug, neighbours in ADJACENT.items():
        sectors[slug].adjacent.add(*(sectors[other] for other in neighbours))
    say(f"Secteurs : {', '.join(sector.name for sector in sectors.values())}")
    if Address.objects.filter(commune=commune).exists():
        say("Adresses (BAN) : déjà là")
    else:
        report = addresses_import_ban(commune=commune, path=ADDRESSES)
        say(f"Adresses (BAN) : {report.created} importée(s)")
    return commune
