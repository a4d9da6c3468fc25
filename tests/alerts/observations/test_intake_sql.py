"""alerts/intake_sql.py against its ORM equivalents: a model change that the written-out SQL does not
follow (a renamed column, a new condition) fails here, on SQLite and on PostgreSQL."""

from itertools import product
from typing import Any

import pytest
from django.db.models import Q
from django.forms.models import model_to_dict
from django.utils import timezone

from alerts.intake_sql import intake_category_rows, intake_place
from alerts.models import Category, CommuneAlertSettings, SenderStanding
from backend.territory.models import Commune, Sector
from tests import factories

pytestmark = pytest.mark.django_db


def orm_category_rows(*, author_id: int, commune_id: int, key: str, value: Any) -> list[tuple[Any, ...]]:
    rows = Category.objects.filter(Q(commune=None) | Q(commune_id=commune_id), **{key: value}).order_by(
        "position", "label"
    )
    blocked = SenderStanding.objects.filter(user_id=author_id, blocked_at__isnull=False).exists()
    forwarded = set(
        CommuneAlertSettings.objects.filter(commune_id=commune_id, emergency_active=True).values_list(
            "emergency_categories", flat=True
        )
    )
    return [(model_to_dict(row), blocked, row.pk in forwarded) for row in rows]


def sql_category_rows(**lookup: Any) -> list[tuple[Any, ...]]:
    return [
        (model_to_dict(row.category), row.sender_blocked, row.emergency_on)
        for row in intake_category_rows(**lookup)
    ]


@pytest.mark.parametrize(
    ("blocked", "emergency", "own_category"),
    list(product([False, True], ["off", "this", "other"], [False, True])),
)
def test_intake_category_rows_match_the_orm(blocked: bool, emergency: str, own_category: bool) -> None:
    commune = factories.commune()
    other = factories.commune(name="Autre", slug="autre", prefix="AUT", lon_offset=1.0)
    author = factories.user(commune=commune)
    default = Category.objects.get(commune=None, slug="cambriolage")
    if own_category:  # the commune's own row of the same slug, and another commune's
        Category.objects.create(commune=commune, slug="cambriolage", label="Cambriolage (Pennes)", position=1)
        Category.objects.create(commune=other, slug="cambriolage", label="Cambriolage (autre)")
    if blocked:
        SenderStanding.objects.create(user=author, blocked_at=timezone.now(), block_reason="abus")
    SenderStanding.objects.create(user=factories.user(commune=commune), blocked_at=timezone.now())
    # "off": the cell lists the category but is not active; "other": active, for another category.
    cell = CommuneAlertSettings.objects.create(commune=commune, emergency_active=emergency != "off")
    cell.emergency_categories.add(
        Category.objects.get(commune=None, slug="vol") if emergency == "other" else default
    )
    inactive_elsewhere = CommuneAlertSettings.objects.create(commune=other, emergency_active=False)
    inactive_elsewhere.emergency_categories.add(default)

    for key, value in (("slug", "cambriolage"), ("id", default.pk), ("slug", "inconnue")):
        lookup: dict[str, Any] = {
            "author_id": author.pk,
            "commune_id": commune.pk,
            "key": key,
            "value": value,
        }
        assert sql_category_rows(**lookup) == orm_category_rows(**lookup)
    assert sql_category_rows(author_id=author.pk, commune_id=commune.pk, key="slug", value="cambriolage")


def test_intake_place_matches_the_orm() -> None:
    commune = factories.commune()
    factories.commune(name="Autre", slug="autre", prefix="AUT", lon_offset=1.0)
    found, sectors = intake_place(commune_id=commune.pk)
    assert found is not None
    assert model_to_dict(found) == model_to_dict(Commune.objects.get(pk=commune.pk))
    expected = Sector.objects.filter(commune=commune).order_by("name")
    assert [model_to_dict(row) for row in sectors] == [model_to_dict(row) for row in expected]
    assert all(sector.commune is found for sector in sectors)

    _, only = intake_place(commune_id=commune.pk, sector_slug="sud")
    assert [row.pk for row in only] == [Sector.objects.get(commune=commune, slug="sud").pk]
    assert intake_place(commune_id=commune.pk, sector_slug="inconnu")[1] == []
    assert intake_place(commune_id=0) == (None, [])
