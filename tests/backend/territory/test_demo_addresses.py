"""The demo's address file (BAN format, Les Pennes-Mirabeau) is imported with the demo's territory, and
every demo observation's point has an address near enough to be named."""

import pytest
from django.conf import settings

from alerts.demo import OBSERVATIONS
from backend.territory import demo
from backend.territory.models import Address
from backend.territory.nearest_sql import address_nearest

pytestmark = pytest.mark.django_db


def test_the_demo_addresses_are_imported_and_name_every_demo_observation() -> None:
    commune = demo.seed(lambda _text: None)
    assert Address.objects.filter(commune=commune).count() == 188
    for *_author, (latitude, longitude), _in_progress, _minutes, _fate in OBSERVATIONS:
        found = address_nearest(
            commune_id=commune.pk,
            latitude=latitude,
            longitude=longitude,
            max_distance=settings.ADDRESS_MAX_DISTANCE_METRES,
        )
        assert found is not None, (latitude, longitude)
        assert found.label.endswith(", 13170 Les Pennes-Mirabeau")
    demo.seed(lambda _text: None)  # seeding again changes nothing
    assert Address.objects.filter(commune=commune).count() == 188
