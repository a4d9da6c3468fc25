"""The communes a statistics command works on: one, by INSEE code or identifier (slug), or all."""

from django.core.management.base import CommandError
from django.db.models import Q, QuerySet

from backend.territory.models import Commune


def communes_named(name: str | None) -> QuerySet[Commune]:
    rows = Commune.objects.order_by("name")
    if name is None:
        return rows
    found = rows.filter(Q(insee_code=name) | Q(slug=name))
    if not found.exists():
        raise CommandError(f"Commune inconnue : {name} (code INSEE ou identifiant).")
    return found
