"""A commune with cameras, a police municipale agency (one operator), and each role of the register."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from alerts.models import Agency
from alerts.video.models import Camera
from backend.accounts.models import Role, User
from tests import factories
from tests.alerts import factories as alert_factories


@dataclass
class Video:
    commune: Any
    agency: Agency
    operator: User
    csu: User
    admin: User
    ethics: User
    inspector: User
    cameras: list[Camera]


def cameras_of(commune: Any) -> list[Camera]:
    north, south = commune.sectors.order_by("name")
    return [
        Camera.objects.create(commune=commune, name="Parvis", sector=north, films="parvis de la mairie",
                              latitude=43.415, longitude=5.31),
        Camera.objects.create(commune=commune, name="Gare", sector=south, films="parking de la gare",
                              latitude=43.405, longitude=5.31),
    ]  # fmt: skip


def video_of(commune: Any) -> Video:
    operator = alert_factories.operator(commune)
    return Video(
        commune=commune,
        agency=alert_factories.agency(commune=commune, members=(operator,)),
        operator=operator,
        csu=factories.user(role=Role.CSU, commune=commune),
        admin=factories.user(role=Role.ADMIN, commune=commune),
        ethics=factories.user(role=Role.ETHICS, commune=commune),
        inspector=factories.user(role=Role.INSPECTOR, commune=commune),
        cameras=cameras_of(commune),
    )


@pytest.fixture
def video(commune: Any) -> Video:
    return video_of(commune)


def window(hours_ago: float = 3, hours: float = 2) -> tuple[datetime, datetime]:
    end = timezone.now() - timedelta(hours=hours_ago)
    return end - timedelta(hours=hours), end


def request_body(video: Video, **changes: Any) -> dict[str, Any]:
    start, end = window()
    body = {
        "agency": video.agency.pk,
        "officer_name": "Brigadier Dupont",
        "officer_is_opj": False,
        "kind": "administrative",
        "cameras": [video.cameras[0].pk],
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    body.update(changes)
    return body


def extraction_body(**changes: Any) -> dict[str, Any]:
    body = {
        "medium": "usb",
        "files": [{"name": "parvis.mp4", "sha256": "ab" * 32}],
        "recipient_name": "Brigadier Dupont",
        "handed_over_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
    }
    body.update(changes)
    return body
