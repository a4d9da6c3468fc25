"""What several alerts API views share: the status filter, a follow-up's rendering, the read log's record."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
)
from rest_framework.request import Request

from alerts import access
from alerts.models import (
    AgencyTokenPrincipal,
    Observation,
    ObservationAddition,
    ObservationRead,
)
from alerts.models.agency_tokens import PoliceActor
from alerts.read_log import observation_reads_record
from backend.accounts.models import User
from backend.audit.services import client_ip
from backend.core.errors import ApplicationError

STATUS_PARAMETER = OpenApiParameter("status", str, description="Filtre sur l'état.")


def request_actor(request: Request) -> PoliceActor:
    """The request's account, or its agency token (which only the agency-token doors let through)."""
    user = request.user
    assert isinstance(user, User | AgencyTokenPrincipal)
    return user


def status_filter(request: Request, allowed: list[str]) -> str | None:
    """The `status` query parameter (STATUS_PARAMETER), one of `allowed`, or None when absent."""
    value = request.query_params.get("status") or None
    if value and value not in allowed:
        raise ApplicationError(_("État inconnu."), field="status")
    return value


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
