"""What the alerts API views share: pagination, the request's user, error responses, renderings."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access
from alerts.models import (
    Observation,
    ObservationAddition,
    ObservationRead,
)
from alerts.read_log import observation_reads_record
from backend.accounts.models import User
from backend.audit.services import client_ip
from backend.core.pagination import Pagination
from backend.core.schema import ERROR_RESPONSES

IDEMPOTENCY_SCOPE = "observation_submit"
CONFLICT = {409: OpenApiResponse(ERROR_RESPONSES[400].response, description="Conflit : déjà pris ou traité.")}
NOT_FOUND = {404: OpenApiResponse(ERROR_RESPONSES[400].response, description="Introuvable.")}
UNPROCESSABLE = {
    422: OpenApiResponse(
        ERROR_RESPONSES[400].response, description="Clé d'idempotence déjà servie pour une autre requête."
    )
}

_paginated: dict[str, type[serializers.Serializer]] = {}


def paginated(item: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """A documented {"count","next","previous","results"} envelope for `item`."""
    if name not in _paginated:
        _paginated[name] = type(
            name,
            (serializers.Serializer,),
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": item(many=True),
            },
        )
    return _paginated[name]


def paginate(
    view: APIView,
    request: Request,
    queryset: QuerySet[Any],
    render: Any,
    *,
    served: Callable[[list[Any]], None] | None = None,
) -> Response:
    """One page; `served` is told what the page holds (the officers' read log)."""
    paginator = Pagination()
    page = list(paginator.paginate_queryset(queryset, request, view=view) or [])
    if served is not None:
        served(page)
    return paginator.get_paginated_response([render(item) for item in page])


def request_user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


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
