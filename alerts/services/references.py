"""Observation references: `<PREFIX>-<year>-<000123>` from a per-commune, per-year counter row."""

import uuid
from typing import Any

from django.db import connection
from django.utils import timezone

from alerts.models import (
    Observation,
    ReferenceCounter,
)
from backend.territory.models import Commune

# One statement: the UPDATE takes the row lock until commit and returns the new number (PostgreSQL, and
# SQLite ≥ 3.35). Table names come from the models' metadata; every value is a parameter.
_REFERENCE_SQL = (
    'UPDATE "{counter}" SET "last" = "last" + 1 WHERE "commune_id" = %s AND "year" = %s RETURNING "last"'
)


def _counter_step(commune: Commune, year: int, sql: str, params: list[int | str]) -> Any:
    """Runs a statement that steps the commune's counter of the year (its first parameters) and returns
    its value; the year's first observation creates the counter."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            ReferenceCounter.objects.get_or_create(commune=commune, year=year)
            cursor.execute(sql, params)
            row = cursor.fetchone()
    return row[0]


def reference_allocate(commune: Commune) -> str:
    """The next number of the commune's year, under the counter row's lock (caller's transaction)."""
    year = timezone.localdate().year
    sql = _REFERENCE_SQL.format(counter=ReferenceCounter._meta.db_table)
    last = _counter_step(commune, year, sql, [commune.pk, year])
    return f"{commune.reference_prefix}-{year}-{int(last):06d}"


# PostgreSQL locks the counter row (not the table): the lock is taken as late as possible, in one
# statement that also writes the observation's reference, so that concurrent intakes of a commune wait
# for each other only during the last statements of the transaction (the event rows and COMMIT).
_LATE_REFERENCE_SQL = """
WITH counter AS (
    UPDATE "{counter}" SET "last" = "last" + 1 WHERE "commune_id" = %s AND "year" = %s RETURNING "last"
)
UPDATE "{observation}" SET "reference" = %s || LPAD(counter."last"::text, GREATEST(6, LENGTH(counter."last"::text)), '0')
FROM counter WHERE "{observation}"."id" = %s RETURNING "{observation}"."reference"
"""


def reference_late() -> bool:
    """Whether the reference is written last (PostgreSQL). SQLite's writer lock covers the whole
    transaction from BEGIN IMMEDIATE: there the reference is allocated first, as one statement less."""
    return connection.vendor == "postgresql"


def reference_provisional() -> str:
    """Unique until the real reference replaces it, in the same transaction (nobody else sees it)."""
    return f"~{uuid.uuid4().hex[:23]}"


def reference_assign(observation: Observation, commune: Commune) -> str:
    """Allocates the reference of an inserted observation and writes it (PostgreSQL, one statement)."""
    year = timezone.localdate().year
    sql = _LATE_REFERENCE_SQL.format(
        counter=ReferenceCounter._meta.db_table, observation=Observation._meta.db_table
    )
    params: list[int | str] = [commune.pk, year, f"{commune.reference_prefix}-{year}-", observation.pk]
    observation.reference = str(_counter_step(commune, year, sql, params))
    return observation.reference


# SQLite has one writer at a time: the intake's BEGIN IMMEDIATE waits for the others in SQLite's busy
# handler, which sleeps (1, 2, 5, … 100 ms) between tries and so leaves the database idle while requests
# queue. In one process the intake's writers queue on this lock instead and start as soon as the previous
