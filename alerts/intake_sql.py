"""The intake's lookups written out in SQL: measured fast paths of POST /api/v1/observations/.

Compiling the ORM versions cost more CPU than the queries themselves (figures below, from
benchmarks/intake.py). Table and column names come from the models' metadata and every value is a
parameter; tests/alerts/observations/test_intake_sql.py checks each against its ORM equivalent, so a model change that
the SQL does not follow fails there.
"""

import functools
from typing import NamedTuple

from alerts.models import Category, CommuneAlertSettings, SenderStanding
from backend.territory.models import Commune, Sector

# Table names come from the models' metadata; every value is a parameter.
_INTAKE_CATEGORY_SQL = """
SELECT c.*,
    EXISTS (SELECT 1 FROM "{standing}" s WHERE s."user_id" = %s AND s."blocked_at" IS NOT NULL)
        AS sender_blocked,
    EXISTS (SELECT 1 FROM "{alert_settings}" a JOIN "{emergency}" e ON e."{emergency_settings}" = a."id"
            WHERE a."commune_id" = %s AND a."emergency_active" AND e."{emergency_category}" = c."id")
        AS emergency_on
FROM "{category}" c
WHERE c."{key}" = %s AND (c."commune_id" IS NULL OR c."commune_id" = %s)
ORDER BY c."position", c."label"
"""


@functools.cache
def _intake_category_sql(key: str) -> str:
    field = CommuneAlertSettings._meta.get_field("emergency_categories")
    assert field.remote_field.through is not None
    through = field.remote_field.through._meta
    return _INTAKE_CATEGORY_SQL.format(
        standing=SenderStanding._meta.db_table,
        alert_settings=CommuneAlertSettings._meta.db_table,
        emergency=through.db_table,
        emergency_settings=field.m2m_column_name(),
        emergency_category=field.m2m_reverse_name(),
        category=Category._meta.db_table,
        key=key,
    )


class IntakeCategory(NamedTuple):
    category: Category
    sender_blocked: bool
    emergency_on: bool


def intake_category_rows(
    *, author_id: int, commune_id: int, key: str, value: int | str
) -> list[IntakeCategory]:
    """The default and the commune's own category rows of an id (`key="id"`) or a slug (`key="slug"`),
    each with whether the author is blocked and whether the emergency cell forwards this category: one
    statement on the intake's hot path, written out because compiling the ORM version (two Exists, one
    on an OuterRef) cost ~1.2 ms of CPU per submission."""
    assert key in ("id", "slug")
    rows = Category.objects.raw(_intake_category_sql(key), [author_id, commune_id, value, commune_id])
    return [
        IntakeCategory(row, bool(vars(row)["sender_blocked"]), bool(vars(row)["emergency_on"]))
        for row in rows
    ]


_INTAKE_COMMUNE_SQL = 'SELECT * FROM "{commune}" WHERE "id" = %s'
_INTAKE_SECTORS_SQL = 'SELECT * FROM "{sector}" WHERE "commune_id" = %s ORDER BY "name"'
_INTAKE_SECTOR_SQL = 'SELECT * FROM "{sector}" WHERE "commune_id" = %s AND "slug" = %s'


def intake_place(*, commune_id: int, sector_slug: str | None = None) -> tuple[Commune | None, list[Sector]]:
    """The intake's commune and its sectors (or only the sector of that slug), the sectors carrying their
    commune. Two short statements written out: the ORM query (select_related, and a join for the sectors'
    default ordering by commune) cost ~0.8 ms of CPU per submission, mostly compiling."""
    commune = next(
        iter(Commune.objects.raw(_INTAKE_COMMUNE_SQL.format(commune=Commune._meta.db_table), [commune_id])),
        None,
    )
    if commune is None:
        return None, []
    params: list[int | str] = [commune_id]
    sql = _INTAKE_SECTORS_SQL
    if sector_slug is not None:
        sql, params = _INTAKE_SECTOR_SQL, [commune_id, sector_slug]
    sectors = list(Sector.objects.raw(sql.format(sector=Sector._meta.db_table), params))
    for sector in sectors:
        sector.commune = commune
    return commune, sectors
