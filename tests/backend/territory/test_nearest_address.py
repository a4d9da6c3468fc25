"""The nearest address of a point: the right one on the BAN fixture, none beyond the maximum distance,
never another commune's, and the same answer as a full scan of the commune (the written-out SQL against
its plain ORM equivalent)."""

import random
from pathlib import Path

import pytest

from backend.territory.models import Address, Commune
from backend.territory.nearest_sql import address_nearest, haversine_m
from backend.territory.services import addresses_import_ban
from tests import factories
from tests.backend.territory import ban

pytestmark = pytest.mark.django_db


@pytest.fixture
def pennes(tmp_path: Path) -> Commune:
    commune = factories.commune()
    commune.insee_code = "13071"
    commune.save(update_fields=["insee_code"])
    addresses_import_ban(commune=commune, path=ban.write(tmp_path / "adresses-13.csv", ban.pennes_rows()))
    return commune


def scan(commune: Commune, latitude: float, longitude: float, max_distance: float) -> tuple[str, int] | None:
    """Every address of the commune, the nearest by haversine: the reference the lookup must match."""
    rows = [
        (haversine_m(latitude, longitude, a.latitude, a.longitude), a)
        for a in Address.objects.filter(commune=commune)
    ]
    distance, nearest = min(rows, key=lambda pair: pair[0])
    return (nearest.label, round(distance)) if distance <= max_distance else None


@pytest.mark.parametrize(
    ("latitude", "longitude", "label"),
    [
        (43.4005, 5.3005, "1 Chemin de la Gavotte, 13170 Les Pennes-Mirabeau"),  # on the point itself
        (43.40395, 5.30065, "4 bis Chemin de la Gavotte, 13170 Les Pennes-Mirabeau"),  # ~20 m off
        (43.4104, 5.30183, "11 bis Avenue François Mitterrand, 13170 Les Pennes-Mirabeau"),
        (43.4194, 5.3190, "20 Rue Jean Moulin, 13170 Les Pennes-Mirabeau"),  # the north-east corner
    ],
)
def test_the_right_address_for_fixture_points(
    pennes: Commune, latitude: float, longitude: float, label: str
) -> None:
    found = address_nearest(commune_id=pennes.pk, latitude=latitude, longitude=longitude, max_distance=150)
    assert found is not None
    assert found.label == label
    assert found.distance == round(haversine_m(latitude, longitude, found.latitude, found.longitude))


def test_none_beyond_the_maximum_distance(pennes: Commune) -> None:
    # 43.4005 is the southmost row; 0.0015° further south is ~167 m.
    assert address_nearest(commune_id=pennes.pk, latitude=43.3990, longitude=5.3005, max_distance=150) is None
    found = address_nearest(commune_id=pennes.pk, latitude=43.3990, longitude=5.3005, max_distance=200)
    assert found is not None
    assert found.distance == 167


def test_never_another_communes_address(pennes: Commune) -> None:
    other = factories.commune(name="Ailleurs", slug="ailleurs", prefix="AIL", lon_offset=0.1)
    assert address_nearest(commune_id=other.pk, latitude=43.4005, longitude=5.3005, max_distance=150) is None


def test_same_answer_as_a_full_scan(pennes: Commune) -> None:
    draw = random.Random(14)
    answers = set()
    for _ in range(100):
        latitude, longitude = draw.uniform(43.398, 43.422), draw.uniform(5.298, 5.322)
        found = address_nearest(commune_id=pennes.pk, latitude=latitude, longitude=longitude, max_distance=80)
        expected = scan(pennes, latitude, longitude, 80)
        assert (found.label, found.distance) == expected if found else expected is None
        answers.add(found is None)
    assert answers == {True, False}  # points with and without an address within 80 m were drawn
