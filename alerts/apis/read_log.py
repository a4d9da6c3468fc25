"""The officers' read log, for the data-protection officer: list and CSV export."""

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts.models import (
    ObservationRead,
)
from alerts.read_log import observation_reads_export, observation_reads_for
from alerts.serializers import (
    ObservationReadSerializer,
    ReadLogFilterSerializer,
)
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, paginate, paginated, rendered_by, request_user, validated
from backend.core.errors import ApplicationError

READ_LOG_FILTERS = [
    OpenApiParameter("observation", int, description="Id d'un signalement : qui l'a lu."),
    OpenApiParameter("officer", int, description="Id d'un agent : ce qu'il a lu."),
    OpenApiParameter("author", int, description="Id d'un auteur : qui a lu ses signalements."),
]


def _read_log(request: Request) -> tuple[QuerySet[ObservationRead], dict[str, int | None]]:
    data = validated(ReadLogFilterSerializer, request.query_params)
    filters: dict[str, int | None] = {name: data.get(name) for name in ("observation", "officer", "author")}
    if all(value is None for value in filters.values()):
        raise ApplicationError(
            _("Précisez un signalement (observation), un agent (officer) ou un auteur (author)."),
            field="observation",
        )
    return observation_reads_for(user=request_user(request), **filters), filters


class ObservationReadListApi(APIView):
    permission_classes = [door("data_protection")]

    @extend_schema(
        operation_id="observation_reads_list",
        summary="Journal des lectures de signalements",
        description=(
            "Chaque signalement servi à un agent (API, console, photos, administration) y figure. Pour "
            "répondre à une demande : un signalement, un agent ou un auteur. Les signalements de la commune."
        ),
        parameters=READ_LOG_FILTERS,
        responses={
            200: paginated(ObservationReadSerializer, "PaginatedObservationReadList"),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> Response:
        rows, _filters = _read_log(request)
        return paginate(self, request, rows, rendered_by(ObservationReadSerializer))


class ObservationReadExportApi(APIView):
    permission_classes = [door("data_protection")]

    @extend_schema(
        operation_id="observation_reads_export_csv",
        summary="Exporter le journal des lectures (CSV)",
        description="CSV UTF-8, séparateur « ; » ; chaque export est journalisé.",
        parameters=READ_LOG_FILTERS,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Le fichier CSV."),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        rows, filters = _read_log(request)
        content = observation_reads_export(user=request_user(request), rows=rows, filters=filters)
        response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="lectures-{stamp}.csv"'
        return response
