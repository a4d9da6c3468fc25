"""The address nearest to a point, looked up in the imported BAN rows (the position never leaves the
server): a statement written out in SQL, on the intake's path.

A box around the point, on the index (commune, latitude, longitude), then the exact distance (haversine)
in Python on the few rows inside. The box starts small and widens up to the maximum distance: in a town
the first box (a few dozen rows) nearly always holds the answer. An address found in a box whose
half-width is at least its distance is the nearest, since any nearer one lies inside that box too.
benchmarks/nearest_address.py measures it (docs/performance.md): ~0.1 ms per lookup for a commune of
20,000 addresses; compiling the ORM version of the statement alone cost more. Table and column names come
from the model's metadata and every value is a parameter; tests/backend/territory/test_nearest_address.py
checks it against a full scan.
"""

import functools
import math
from typing import NamedTuple, cast

from django.db import connection, models

from backend.territory.models import Address, address_label

EARTH_RADIUS_M = 6_371_000.0
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
FIRST_BOX_M = 40.0

_BOX_SQL = """
SELECT "{number}", "{rep}", "{street}", "{postcode}", "{commune_name}", "{latitude}", "{longitude}"
FROM "{table}"
WHERE "{commune}" = %s AND "{latitude}" BETWEEN %s AND %s AND "{longitude}" BETWEEN %s AND %s
"""


class NearestAddress(NamedTuple):
    label: str
    distance: int  # metres, rounded
    latitude: float
    longitude: float


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@functools.cache
def _box_sql() -> str:
    meta = Address._meta
    names = ("commune", "number", "rep", "street", "postcode", "commune_name", "latitude", "longitude")
    columns = {name: cast(models.Field, meta.get_field(name)).column for name in names}
    return _BOX_SQL.format(table=meta.db_table, **columns)


def address_nearest(
    *, commune_id: int, latitude: float, longitude: float, max_distance: float
) -> NearestAddress | None:
    """The commune's address nearest to the point, within `max_distance` metres, or None."""
    radius = min(FIRST_BOX_M, max_distance)
    # A degree of longitude shrinks with the latitude (never below a metre's worth near the poles).
    lon_metres = max(METRES_PER_DEGREE * math.cos(math.radians(latitude)), 1.0)
    while True:
        dlat, dlon = radius / METRES_PER_DEGREE, radius / lon_metres
        with connection.cursor() as cursor:
            cursor.execute(
                _box_sql(), [commune_id, latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon]
            )
            rows = cursor.fetchall()
        best, best_distance = None, math.inf
        for row in rows:
            distance = haversine_m(latitude, longitude, row[5], row[6])
            if distance < best_distance:
                best, best_distance = row, distance
        if best is not None and best_distance <= radius:
            number, rep, street, postcode, commune_name, lat, lon = best
            label = address_label(number, rep, street, postcode, commune_name)
            return NearestAddress(label, round(best_distance), lat, lon)
        if radius >= max_distance:
            return None
        radius = min(radius * 3, max_distance)
