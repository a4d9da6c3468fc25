"""Plain factory functions for test data (territory and accounts; later apps add theirs)."""

import itertools
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from backend.accounts.models import Role, User
from backend.territory.models import Commune, Sector

_phones = itertools.count(1)


def box(south: float, west: float, north: float, east: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def commune(
    *,
    name: str = "Les Pennes-Mirabeau",
    slug: str = "les-pennes-mirabeau",
    prefix: str = "PMB",
    lon_offset: float = 0.0,
) -> Commune:
    """A commune of two sectors side by side: `nord` (43.41–43.42) and `sud` (43.40–43.41)."""
    west, east = 5.30 + lon_offset, 5.32 + lon_offset
    created = Commune.objects.create(
        name=name, slug=slug, reference_prefix=prefix, boundary=box(43.40, west, 43.42, east)
    )
    north = Sector.objects.create(
        commune=created, name="Nord", slug="nord", polygon=box(43.41, west, 43.42, east)
    )
    south = Sector.objects.create(
        commune=created, name="Sud", slug="sud", polygon=box(43.40, west, 43.41, east)
    )
    north.adjacent.add(south)
    return created


def phone() -> str:
    return f"+336{next(_phones):08d}"


def user(
    *, role: str = Role.REFERENT, commune: Commune | None = None, password: str | None = None, **fields: Any
) -> User:
    fields.setdefault("display_name", f"{role} {next(_phones)}")
    return User.objects.create_user(
        fields.pop("phone", phone()), password=password, role=role, commune=commune, **fields
    )


def staff(
    *, role: str = Role.MODERATOR, commune: Commune | None = None, password: str = "motdepasse-solide-42"
) -> tuple[User, TOTPDevice]:
    created = user(role=role, commune=commune, password=password)
    device = TOTPDevice.objects.create(user=created, name="test", confirmed=True)
    return created, device
