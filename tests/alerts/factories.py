"""Factories of the observations domain (plain functions)."""

import io
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from alerts import services
from alerts.models import Agency, CommuneAlertSettings, Observation, RoutingRule
from backend.accounts.models import Role, User
from backend.territory.models import Commune
from tests import factories

# Inside the `nord` sector of tests.factories.commune().
NORTH_POINT = {"latitude": 43.415, "longitude": 5.31}
SOUTH_POINT = {"latitude": 43.405, "longitude": 5.31}


def agency(
    *,
    commune: Commune,
    name: str = "Police municipale",
    kind: str = Agency.Kind.POLICE_MUNICIPALE,
    members: tuple[User, ...] = (),
    **fields: Any,
) -> Agency:
    created = Agency.objects.create(name=name, kind=kind, **fields)
    created.communes.add(commune)
    created.members.add(*members)
    return created


def routing(commune: Commune, *agencies: Agency, priority: int = 100, **fields: Any) -> RoutingRule:
    rule = RoutingRule.objects.create(commune=commune, priority=priority, **fields)
    rule.agencies.add(*agencies)
    return rule


def fallback(commune: Commune, agency: Agency) -> None:
    CommuneAlertSettings.objects.update_or_create(commune=commune, defaults={"fallback_agency": agency})


def referent(commune: Commune, **fields: Any) -> User:
    return factories.user(role=Role.REFERENT, commune=commune, **fields)


def moderator(commune: Commune) -> User:
    return factories.user(role=Role.MODERATOR, commune=commune)


def operator(commune: Commune) -> User:
    return factories.user(role=Role.OPERATOR, commune=commune)


def recent(minutes: int = 30) -> datetime:
    return timezone.now() - timedelta(minutes=minutes)


def submission(**fields: Any) -> dict[str, Any]:
    """The body of POST /api/v1/observations/ (a shoplifting in the `nord` sector), with `fields`; a field
    given as `...` is left out."""
    values: dict[str, Any] = {
        "category": "vol",
        "description": "Vol à l'étalage au tabac de la place.",
        "occurred_at": recent().isoformat(),
        **NORTH_POINT,
        "in_progress": False,
        **fields,
    }
    return {key: value for key, value in values.items() if value is not ...}


def observation(author: User, **fields: Any) -> Observation:
    values: dict[str, Any] = {
        "channel": "app",
        "category": "cambriolage",
        "description": "Deux personnes forcent le portail du 12 chemin des Amandiers.",
        "occurred_at": recent(),
        **NORTH_POINT,
    }
    values.update(fields)
    return services.observation_submit(author=author, **values)


def image_bytes(fmt: str = "JPEG", *, size: tuple[int, int] = (64, 48), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    options: dict[str, Any] = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "CameraMaker"  # Make
        data.get_ifd(0x8825).update({1: "N", 2: (43.0, 24.0, 36.0)})  # GPS IFD
        options["exif"] = data.tobytes()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def upload(
    name: str = "photo.jpg", *, fmt: str = "JPEG", content: bytes | None = None, **kwargs: Any
) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content if content is not None else image_bytes(fmt, **kwargs), content_type="image/jpeg"
    )
