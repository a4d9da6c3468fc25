"""A referent's standing for the intake, written out in SQL: a measured fast path of
POST /api/v1/observations/ (see referent_standing). Table names come from the models' metadata and every
value is a parameter; tests/neighbours/test_standing_sql.py checks it against its ORM equivalent."""

import functools
from datetime import date
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from neighbours.models import Charter, Protocol, Referent


class ReferentStanding(NamedTuple):
    status: str
    commune_id: int
    trusted: bool
    charter_version: int | None
    protocol_ok: bool
    current_charter: int | None


# Table names come from the models' metadata; every value is a parameter.
_REFERENT_STANDING_SQL = """
SELECT r."status", r."commune_id", r."trusted", r."charter_version",
    EXISTS (SELECT 1 FROM "{protocol}" p
            WHERE p."commune_id" = r."commune_id" AND p."starts_on" <= %s AND p."ends_on" >= %s),
    (SELECT c."version" FROM "{charter}" c
     WHERE c."commune_id" = r."commune_id" AND c."published_at" <= %s ORDER BY c."version" DESC LIMIT 1)
FROM "{referent}" r WHERE r."user_id" = %s
"""


@functools.cache
def _referent_standing_sql() -> str:
    return _REFERENT_STANDING_SQL.format(
        referent=Referent._meta.db_table, protocol=Protocol._meta.db_table, charter=Charter._meta.db_table
    )


def referent_standing(*, user_id: int, day: date) -> ReferentStanding | None:
    """The referent, whether a protocol is in force and the current charter's version: one statement on
    the intake's hot path, written out because compiling the ORM version (an Exists and a Subquery on
    OuterRefs) cost ~1.3 ms of CPU per submission, most of the query's time."""
    with connection.cursor() as cursor:
        cursor.execute(
            _referent_standing_sql(),
            [
                connection.ops.adapt_datefield_value(day),
                connection.ops.adapt_datefield_value(day),
                connection.ops.adapt_datetimefield_value(timezone.now()),
                user_id,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    status, commune_id, trusted, charter_version, protocol_ok, current_charter = row
    return ReferentStanding(
        status, commune_id, bool(trusted), charter_version, bool(protocol_ok), current_charter
    )
