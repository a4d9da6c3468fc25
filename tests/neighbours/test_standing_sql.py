"""neighbours/standing_sql.py against its ORM equivalent: a model change that the written-out SQL does
not follow fails here, on SQLite and on PostgreSQL."""

from datetime import date, timedelta
from itertools import product

import pytest
from django.utils import timezone

from neighbours.models import Charter, Protocol, Referent
from neighbours.standing_sql import ReferentStanding, referent_standing
from tests import factories
from tests.neighbours import factories as nf

pytestmark = pytest.mark.django_db


def orm_standing(*, user_id: int, day: date) -> ReferentStanding | None:
    referent = Referent.objects.filter(user_id=user_id).first()
    if referent is None:
        return None
    in_force = Protocol.objects.filter(
        commune_id=referent.commune_id, starts_on__lte=day, ends_on__gte=day
    ).exists()
    current = (
        Charter.objects.filter(commune_id=referent.commune_id, published_at__lte=timezone.now())
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return ReferentStanding(
        referent.status, referent.commune_id, referent.trusted, referent.charter_version, in_force, current
    )


@pytest.mark.parametrize(
    ("protocol", "charters", "status"),
    list(
        product(
            ["none", "in_force", "expired", "future"],
            [0, 1, 2],
            [Referent.Status.ACTIVE, Referent.Status.SUSPENDED],
        )
    ),
)
def test_referent_standing_matches_the_orm(protocol: str, charters: int, status: str) -> None:
    commune = factories.commune()
    other = factories.commune(name="Autre", slug="autre", prefix="AUT", lon_offset=1.0)
    today = timezone.localdate()
    spans = {
        "in_force": (today - timedelta(days=30), today + timedelta(days=30)),
        "expired": (today - timedelta(days=400), today - timedelta(days=1)),
        "future": (today + timedelta(days=1), today + timedelta(days=400)),
    }
    if protocol in spans:
        nf.protocol(commune, starts_on=spans[protocol][0], ends_on=spans[protocol][1])
    nf.protocol(other)  # another commune's protocol never counts
    for version in range(1, charters + 1):
        nf.charter(commune, version=version)
    Charter.objects.create(  # published tomorrow: not the current one yet
        commune=commune, version=charters + 1, text="À venir", published_at=timezone.now() + timedelta(days=1)
    )
    nf.charter(other, version=7)
    referent = nf.referent(commune, status=status, trusted=charters == 2, charter_version=charters or None)

    for day in (today, today - timedelta(days=60)):
        assert referent_standing(user_id=referent.user_id, day=day) == orm_standing(
            user_id=referent.user_id, day=day
        )
    assert referent_standing(user_id=factories.user(commune=commune).pk, day=today) is None
