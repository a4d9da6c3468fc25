"""What several alerts API views share: the status filter, a follow-up's rendering, the read log's record."""

from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
)
from rest_framework.request import Request

from alerts import access
from alerts.models import (
    Observation,
    ObservationAddition,
    ObservationRead,
)
from alerts.read_log import observation_reads_record
from backend.audit.services import client_ip

STATUS_PARAMETER = OpenApiParameter("status", str, description="Filtre sur l'état.")


def addition_data(addition: ObservationAddition, *, view: str = access.View.MODERATION) -> dict[str, Any]:
    """A follow-up as a view shows it: the police read the approved text (redacted when it was)."""
    data: dict[str, Any] = {
        "id": addition.pk,
        "text": addition.police_text if view == access.View.POLICE else addition.text,
        "status": addition.status,
        "channel": addition.channel,
        "created_at": addition.created_at,
    }
    if view == access.View.MODERATION:
        data["redacted_text"] = addition.redacted_text
    return data


def observations_served(request: Request, observations: list[Observation], view: str) -> None:
    """Logs what a staff member was served (the officers' read log)."""
    observation_reads_record(
        actor=request.user,
        observations=observations,
        door=ObservationRead.Door.API,
        view=view,
        ip=client_ip(request),
    )
