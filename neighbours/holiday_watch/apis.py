"""The referents' holiday watch API: ask for a watch, list one's requests, cancel one."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.audit.services import client_ip
from backend.core.access import door
from backend.core.api import (
    ERROR_RESPONSES,
    NOT_FOUND,
    paginate,
    paginated,
    rendered_by,
    request_user,
    validated,
)
from backend.core.errors import ApplicationError, NotFound
from backend.territory.models import Commune, Sector
from neighbours.apis.common import error_example
from neighbours.holiday_watch import selectors, services
from neighbours.holiday_watch.models import WatchRequest
from neighbours.holiday_watch.serializers import WatchRequestInputSerializer, WatchRequestOutputSerializer

TAGS = ["holiday-watch"]
EXAMPLE = {
    "id": 12,
    "address": "12 Chemin de la Gavotte, 13170 Les Pennes-Mirabeau",
    "sector": {"id": 3, "slug": "la-gavotte", "name": "La Gavotte"},
    "start": "2026-07-14",
    "end": "2026-07-28",
    "watch_starts": "2026-07-14",
    "alarm": True,
    "contact_name": "Mme Martin (voisine)",
    "contact_phone": "+33612345678",
    "visitors": "Mon fils, le jardinier le mardi",
    "keys_left_with": "Mme Martin",
    "burglary_alerts": True,
    "status": "active",
    "status_label": "en cours",
    "created_at": "2026-07-01T18:02:00+02:00",
}


class WatchRequestListApi(APIView):
    permission_classes = [door("referent")]

    @extend_schema(
        operation_id="holiday_watch_list",
        summary="Mes demandes de tranquillité vacances",
        responses={
            200: paginated(WatchRequestOutputSerializer, "PaginatedWatchRequestList"),
            **ERROR_RESPONSES,
        },
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        queryset = selectors.requests_of_referent(user=request_user(request))
        return paginate(self, request, queryset, rendered_by(WatchRequestOutputSerializer))

    @extend_schema(
        operation_id="holiday_watch_create",
        summary="Demander la surveillance de mon domicile pendant une absence",
        description=(
            "La demande doit arriver au moins 48 heures (réglage) avant le jour du départ ; un refus donne la "
            "date de départ la plus proche possible. La réponse dit quand la surveillance commence."
        ),
        request=WatchRequestInputSerializer,
        responses={201: WatchRequestOutputSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample("Réponse", value=EXAMPLE, response_only=True, status_codes=["201"]),
            error_example(
                "La demande doit nous parvenir au moins 48 heures avant le départ : le départ peut être le "
                "16 juillet 2026 au plus tôt.",
                "start",
                codes=["400"],
            ),
        ],
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = validated(WatchRequestInputSerializer, request.data)
        user = request_user(request)
        commune = Commune.objects.filter(pk=user.commune_id or 0).first()
        if commune is None or not user.phone:
            raise ApplicationError(_("Votre compte n'est rattaché à aucune commune ou n'a pas de téléphone."))
        slug = data.pop("sector")
        sector = Sector.objects.filter(commune=commune, slug=slug).first() if slug else None
        if slug and sector is None:
            raise ApplicationError(_("Secteur inconnu dans cette commune."), field="sector")
        created = services.watch_request_create(
            commune=commune,
            phone=str(user.phone),
            channel=WatchRequest.Channel.APP,
            requester=user,
            sector=sector,
            ip=client_ip(request),
            **data,
        )
        return Response(WatchRequestOutputSerializer(created).data, status=status.HTTP_201_CREATED)


class WatchRequestCancelApi(APIView):
    permission_classes = [door("referent")]

    @extend_schema(
        operation_id="holiday_watch_cancel",
        summary="Annuler une de mes demandes",
        responses={204: None, **ERROR_RESPONSES, **NOT_FOUND},
        tags=TAGS,
    )
    def delete(self, request: Request, request_id: int) -> Response:
        found = selectors.requests_of_referent(user=request_user(request)).filter(pk=request_id).first()
        if found is None:
            raise NotFound(_("Demande introuvable."))
        services.watch_request_cancel(request=found, actor=request_user(request), ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
