"""GET /api/v1/statistics/: the figures of the page as JSON (same selector)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access
from alerts.models import Channel
from alerts.statistics.selectors import statistics_counters_labelled, statistics_for_query
from alerts.statistics.serializers import StatisticsQuerySerializer, StatisticsSerializer
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, validated
from backend.core.errors import Forbidden


class StatisticsApi(APIView):
    permission_classes = [door("statistics")]

    @extend_schema(
        operation_id="statistics_figures",
        summary="Statistiques de la commune",
        description=(
            "Les agrégats mensuels des signalements de la commune (ils survivent à la purge des données "
            "personnelles) : nombre et délais médians par groupe, et les compteurs des autres fonctions "
            "(alertes envoyées…). Coordinateur CLSPD et administrateurs de la commune, lecture seule."
        ),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, required=True, description="Premier mois, AAAA-MM."),
            OpenApiParameter(
                "to", OpenApiTypes.STR, required=True, description="Dernier mois compris, AAAA-MM."
            ),
            OpenApiParameter(
                "group_by",
                OpenApiTypes.STR,
                description="Regroupements séparés par des virgules : month, sector, category, channel, outcome.",
            ),
            OpenApiParameter(
                "sector", OpenApiTypes.STR, description="Ids de secteurs, virgules ; 0 : hors secteur."
            ),
            OpenApiParameter(
                "category", OpenApiTypes.STR, description="Identifiants de catégories, virgules."
            ),
            OpenApiParameter(
                "channel", OpenApiTypes.STR, enum=Channel.values, description="Canal de réception."
            ),
        ],
        responses={200: StatisticsSerializer, **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        commune_id = access.statistics_commune(request.user)
        if commune_id is None:
            raise Forbidden(_("Votre compte n'est rattaché à aucune commune."))
        query = validated(StatisticsQuerySerializer, request.query_params)
        body = {
            "from": f"{query['from']:%Y-%m}",
            "to": f"{query['to']:%Y-%m}",
            "group_by": query["group_by"],
            "figures": statistics_for_query(commune_id=commune_id, query=query),
            "counters": statistics_counters_labelled(commune_id=commune_id, query=query),
        }
        return Response(StatisticsSerializer(body).data)
