"""Territory: the sector of a point (holes, multipolygons, edges) and GET /api/v1/sectors/ as GeoJSON."""

import pytest
from django.core.exceptions import ValidationError

from backend.territory.geo import geometry_contains, validate_polygon
from backend.territory.models import Commune, Sector
from backend.territory.selectors import commune_contains_point, sector_for_point
from tests import factories
from tests.helpers import api_client_for


def _slug(commune: Commune, latitude: float, longitude: float) -> str | None:
    sector = sector_for_point(commune=commune, latitude=latitude, longitude=longitude)
    return sector.slug if sector is not None else None


SQUARE = factories.box(0, 0, 10, 10)
WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [
        [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
        [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
    ],
}
TWO_ISLANDS = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]],
        [
            [[5, 5], [7, 5], [7, 7], [5, 7], [5, 5]],
            [[5.5, 5.5], [6.5, 5.5], [6.5, 6.5], [5.5, 6.5], [5.5, 5.5]],
        ],
    ],
}
TRIANGLE = {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [0, 10], [0, 0]]]}


@pytest.mark.parametrize(
    ("geometry", "lon", "lat", "inside"),
    [
        (SQUARE, 5, 5, True),
        (SQUARE, 11, 5, False),
        (SQUARE, 5, -0.1, False),
        (WITH_HOLE, 2, 2, True),
        (WITH_HOLE, 5, 5, False),  # in the hole
        (WITH_HOLE, 7, 5, True),
        (TWO_ISLANDS, 1, 1, True),
        (TWO_ISLANDS, 3.5, 3.5, False),  # between the islands
        (TWO_ISLANDS, 5.2, 5.2, True),
        (TWO_ISLANDS, 6, 6, False),  # in the second island's hole
        (TRIANGLE, 2, 2, True),
        (TRIANGLE, 6, 6, False),  # inside the bounding box, outside the triangle
        (None, 1, 1, False),
        ({"type": "Point", "coordinates": [1, 1]}, 1, 1, False),
    ],
)
def test_geometry_contains(geometry, lon, lat, inside):
    assert geometry_contains(geometry, latitude=lat, longitude=lon) is inside


def test_validate_polygon():
    assert validate_polygon(SQUARE) == []
    assert validate_polygon(TWO_ISLANDS) == []
    assert validate_polygon(None) == []
    assert validate_polygon({"type": "Point", "coordinates": [0, 0]})
    assert validate_polygon({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]})  # not closed
    assert validate_polygon({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]})


@pytest.mark.django_db
def test_sector_for_point(commune, other_commune):
    assert _slug(commune, 43.415, 5.31) == "nord"
    assert _slug(commune, 43.405, 5.31) == "sud"
    assert sector_for_point(commune=commune, latitude=43.50, longitude=5.31) is None
    # The other commune's sectors are 0.2° east: never answered for this commune.
    assert sector_for_point(commune=commune, latitude=43.415, longitude=5.51) is None
    found = sector_for_point(commune=other_commune, latitude=43.415, longitude=5.51)
    assert found is not None
    assert (found.commune, found.slug) == (other_commune, "nord")
    assert commune_contains_point(commune=commune, latitude=43.415, longitude=5.31)
    assert not commune_contains_point(commune=commune, latitude=43.415, longitude=5.51)


@pytest.mark.django_db
def test_sector_for_point_with_a_hole_and_a_multipolygon(commune):
    Sector.objects.filter(commune=commune).delete()
    ring = factories.box(43.40, 5.30, 43.42, 5.32)["coordinates"][0]
    hole = factories.box(43.405, 5.305, 43.415, 5.315)["coordinates"][0]
    Sector.objects.create(
        commune=commune,
        name="Couronne",
        slug="couronne",
        polygon={"type": "Polygon", "coordinates": [ring, hole]},
    )
    Sector.objects.create(
        commune=commune,
        name="Îlots",
        slug="ilots",
        polygon={
            "type": "MultiPolygon",
            "coordinates": [[hole], [factories.box(43.43, 5.30, 43.44, 5.31)["coordinates"][0]]],
        },
    )
    Sector.objects.create(commune=commune, name="Sans contour", slug="sans-contour", polygon=None)
    assert _slug(commune, 43.401, 5.301) == "couronne"
    assert _slug(commune, 43.41, 5.31) == "ilots"  # in the hole
    assert _slug(commune, 43.435, 5.305) == "ilots"
    assert sector_for_point(commune=commune, latitude=43.435, longitude=5.315) is None


@pytest.mark.django_db
def test_an_invalid_polygon_is_refused_by_the_model(commune):
    sector = Sector(
        commune=commune, name="Cassé", slug="casse", polygon={"type": "Point", "coordinates": [0, 0]}
    )
    with pytest.raises(ValidationError):
        sector.full_clean()


@pytest.mark.django_db
def test_sectors_api_is_a_geojson_feature_collection(api_client, commune, other_commune):
    response = api_client.get("/api/v1/sectors/", {"commune": commune.slug})
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    features = {feature["properties"]["slug"]: feature for feature in body["features"]}
    assert {feature["id"] for feature in body["features"]} == set(
        Sector.objects.filter(commune=commune).values_list("pk", flat=True)
    )
    assert set(features) == {"nord", "sud"}
    nord = features["nord"]
    assert nord["type"] == "Feature"
    assert nord["geometry"] == factories.box(43.41, 5.30, 43.42, 5.32)
    assert nord["properties"] == {
        "id": Sector.objects.get(commune=commune, slug="nord").pk,
        "slug": "nord",
        "name": "Nord",
        "commune": commune.slug,
        "adjacent": ["sud"],
    }


@pytest.mark.django_db
def test_sectors_api_defaults_to_the_callers_commune(commune, other_commune):
    user = factories.user(commune=other_commune)
    body = api_client_for(user).get("/api/v1/sectors/").json()
    assert {f["properties"]["commune"] for f in body["features"]} == {other_commune.slug}
    anonymous = api_client_for(None).get("/api/v1/sectors/").json()
    assert {f["properties"]["commune"] for f in anonymous["features"]} == {commune.slug, other_commune.slug}
    ids = [feature["id"] for feature in anonymous["features"]]
    assert len(ids) == len(set(ids)) == 4  # both communes have a "nord": ids stay unique
