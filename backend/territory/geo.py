"""Point-in-polygon on GeoJSON, in plain Python: sectors are a few dozen vertices, GEOS is not needed.

Coordinates are GeoJSON's (longitude, latitude). Polygons may have holes; MultiPolygons are supported.
"""

from collections.abc import Sequence
from typing import Any

Ring = Sequence[Sequence[float]]


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    inside = False
    count = len(ring)
    j = count - 1
    for i in range(count):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _in_polygon(lon: float, lat: float, rings: Sequence[Ring]) -> bool:
    if not rings or not _in_ring(lon, lat, rings[0]):
        return False
    return not any(_in_ring(lon, lat, hole) for hole in rings[1:])


def geometry_contains(geometry: dict[str, Any] | None, *, latitude: float, longitude: float) -> bool:
    if not geometry:
        return False
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        return _in_polygon(longitude, latitude, coordinates)
    if kind == "MultiPolygon":
        return any(_in_polygon(longitude, latitude, polygon) for polygon in coordinates)
    return False


def validate_polygon(geometry: Any) -> list[str]:
    """Returns the problems of a GeoJSON Polygon/MultiPolygon (empty when valid)."""
    if geometry in (None, {}):
        return []
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        return ["type doit valoir « Polygon » ou « MultiPolygon »."]
    polygons = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    problems: list[str] = []
    for polygon in polygons or []:
        for ring in polygon or []:
            if len(ring) < 4 or list(ring[0]) != list(ring[-1]):
                problems.append("chaque anneau doit avoir au moins 4 points et être fermé.")
            for point in ring:
                if len(point) < 2 or not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
                    problems.append(f"point hors bornes : {point!r}.")
    return problems
