from collections.abc import Iterable

from django.db.models import QuerySet

from backend.territory.geo import geometry_contains
from backend.territory.models import Commune, Sector


def sector_list(*, commune: Commune | None = None) -> QuerySet[Sector]:
    queryset = Sector.objects.select_related("commune").prefetch_related("adjacent")
    return queryset.filter(commune=commune) if commune is not None else queryset


def sector_holding(sectors: Iterable[Sector], *, latitude: float, longitude: float) -> Sector | None:
    """The first of these sectors whose polygon holds the point, or None (rows already read)."""
    for sector in sectors:
        if sector.polygon and geometry_contains(sector.polygon, latitude=latitude, longitude=longitude):
            return sector
    return None


def commune_holds(commune: Commune, sectors: Iterable[Sector], *, latitude: float, longitude: float) -> bool:
    """Inside the commune's boundary or, for a commune drawn only by its sectors, inside one of them."""
    if commune.boundary:
        return geometry_contains(commune.boundary, latitude=latitude, longitude=longitude)
    return sector_holding(sectors, latitude=latitude, longitude=longitude) is not None


def sector_for_point(*, commune: Commune, latitude: float, longitude: float) -> Sector | None:
    """The sector of the commune whose polygon holds the point, or None."""
    sectors = Sector.objects.filter(commune=commune).exclude(polygon=None)
    return sector_holding(sectors, latitude=latitude, longitude=longitude)


def commune_contains_point(*, commune: Commune, latitude: float, longitude: float) -> bool:
    sectors = Sector.objects.filter(commune=commune).exclude(polygon=None)
    return commune_holds(commune, sectors, latitude=latitude, longitude=longitude)


def sectors_with_adjacent(sectors: list[Sector]) -> list[Sector]:
    """The sectors and their neighbours, without repeats, in a stable order."""
    seen: dict[int, Sector] = {sector.pk: sector for sector in sectors}
    for sector in sectors:
        for neighbour in sector.adjacent.all():
            seen.setdefault(neighbour.pk, neighbour)
    return sorted(seen.values(), key=lambda sector: sector.pk)
