"""Bad input on POST /api/v1/observations/: a clear 4xx, and nothing stored (issue 4's acceptance)."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from alerts.models import Event, Observation, ObservationPhoto
from backend.core.models import IdempotencyRecord
from backend.messaging.models import Delivery
from tests.alerts import factories as f
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db


def _nothing_stored() -> None:
    assert Observation.objects.count() == 0
    assert ObservationPhoto.objects.count() == 0
    assert Event.objects.count() == 0
    assert Delivery.objects.count() == 0


@pytest.fixture
def client(commune: Any) -> Any:
    return api_client_for(f.referent(commune))


BAD_JSON = [
    ("description", {"description": ""}),
    ("description", {"description": "x" * 2001}),
    ("description", {"description": ...}),
    ("description", {"description": 12}),
    ("category", {"category": "ovni"}),
    ("category", {"category": ...}),
    ("occurred_at", {"occurred_at": (timezone.now() + timedelta(hours=2)).isoformat()}),
    ("occurred_at", {"occurred_at": (timezone.now() - timedelta(days=31)).isoformat()}),
    ("occurred_at", {"occurred_at": "hier soir"}),
    ("latitude", {"latitude": "nord"}),
    ("latitude", {"latitude": 91}),
    ("longitude", {"longitude": 181}),
    ("longitude", {"longitude": ...}),
    ("latitude", {"latitude": 48.85, "longitude": 2.35}),  # Paris: outside the commune
    ("sector", {"latitude": ..., "longitude": ..., "sector": "atlantide"}),
    ("sector", {"latitude": ..., "longitude": ...}),
    ("in_progress", {"in_progress": "peut-être"}),
]


@pytest.mark.parametrize(("field", "change"), BAD_JSON)
def test_bad_json_is_refused_and_nothing_is_stored(client: Any, field: str, change: dict[str, Any]) -> None:
    response = client.post("/api/v1/observations/", f.submission(**change), format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body["errors"], body
    assert body["detail"]
    _nothing_stored()


def test_a_sector_may_stand_for_the_point(client: Any) -> None:
    response = client.post(
        "/api/v1/observations/", f.submission(latitude=..., longitude=..., sector="sud"), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["sector"]["slug"] == "sud"
    assert response.json()["latitude"] is None


def _multipart(client: Any, photos: list[Any], **fields: Any) -> Any:
    return client.post(
        "/api/v1/observations/", {**f.submission(**fields), "photos": photos}, format="multipart"
    )


def test_photos_are_reencoded_without_exif_and_served_privately(client: Any, commune: Any) -> None:
    jpeg = f.upload("a.jpg", exif=True)
    png = f.upload("b.png", fmt="PNG")
    webp = f.upload("c.webp", fmt="WEBP")
    response = _multipart(client, [jpeg, png, webp])
    assert response.status_code == 201, response.json()
    photos = response.json()["photos"]
    assert [photo["content_type"] for photo in photos] == ["image/jpeg", "image/png", "image/webp"]
    stored = ObservationPhoto.objects.order_by("position").first()
    assert stored is not None
    with stored.file.open("rb") as handle, Image.open(handle) as image:
        assert not image.getexif()
        assert "exif" not in image.info
    assert "/media" not in photos[0]["url"]
    # Signed URL: anybody holding it within 15 minutes; unsigned: only people who may see the observation.
    anonymous = api_client_for(None)
    assert anonymous.get(photos[0]["url"]).status_code == 200
    unsigned = photos[0]["url"].split("?")[0]
    assert anonymous.get(unsigned).status_code in (401, 403, 404)
    assert anonymous.get(unsigned + "?signature=forged").status_code in (401, 403, 404)
    assert client.get(unsigned).status_code == 200
    stranger = api_client_for(f.referent(commune))
    assert stranger.get(unsigned).status_code == 404


def test_a_file_that_is_not_an_image_is_refused(client: Any) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image at all", content_type="image/jpeg")
    response = _multipart(client, [f.upload(), fake])
    assert response.status_code == 400
    assert "photos" in response.json()["errors"]
    _nothing_stored()


def test_a_gif_is_refused_whatever_its_name(client: Any) -> None:
    gif = f.upload("photo.jpg", fmt="GIF")
    response = _multipart(client, [gif])
    assert response.status_code == 400
    _nothing_stored()


def test_a_photo_over_10_mb_is_refused(client: Any) -> None:
    big = SimpleUploadedFile(
        "big.jpg", f.image_bytes() + b"\0" * (10 * 1024 * 1024), content_type="image/jpeg"
    )
    response = _multipart(client, [big])
    assert response.status_code == 400
    assert "10 Mo" in response.json()["errors"]["photos"][0]
    _nothing_stored()


def test_a_sixth_photo_is_refused(client: Any) -> None:
    response = _multipart(client, [f.upload(f"{index}.jpg") for index in range(6)])
    assert response.status_code == 400
    assert "photos" in response.json()["errors"]
    _nothing_stored()


def test_idempotency_key_replays_the_first_response(client: Any) -> None:
    payload = f.submission()
    first = client.post("/api/v1/observations/", payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == 201
    again = client.post("/api/v1/observations/", payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Observation.objects.count() == 1
    other = client.post(
        "/api/v1/observations/",
        f.submission(description="Autre chose."),
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc-1",
    )
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["errors"]
    assert Observation.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_idempotency_keys_are_per_user(client: Any, commune: Any) -> None:
    payload = f.submission()
    client.post("/api/v1/observations/", payload, format="json", HTTP_IDEMPOTENCY_KEY="same")
    other = api_client_for(f.referent(commune))
    response = other.post("/api/v1/observations/", payload, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 201
    assert Observation.objects.count() == 2


def test_categories_carry_the_emergency_reminder(client: Any) -> None:
    body = client.get("/api/v1/categories/").json()
    assert body["emergency_reminder"] == "En cas d'urgence, appelez le 17 (ou le 112)."
    assert [row["slug"] for row in body["results"]] == [
        "cambriolage",
        "suspect",
        "demarchage",
        "vol",
        "escroquerie",
        "degradation",
        "rodeo",
        "tranquillite",
        "violences",
        "autre",
    ]
