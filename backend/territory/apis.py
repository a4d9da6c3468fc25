from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.territory.models import Sector
from backend.territory.selectors import sector_list
from backend.territory.serializers import sector_as_feature


class SectorListApi(APIView):
    """The sectors as a GeoJSON FeatureCollection (public: the app draws them before login)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="sectors_list",
        summary="Secteurs (GeoJSON)",
        parameters=[OpenApiParameter("commune", str, description="Identifiant (slug) de la commune.")],
        responses={200: OpenApiTypes.OBJECT},
        examples=[
            OpenApiExample(
                "FeatureCollection",
                value={
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "id": 1,
                            "geometry": {
                                "type": "Polygon",
                                "coordinates": [[[5.30, 43.41], [5.31, 43.41], [5.31, 43.42], [5.30, 43.41]]],
                            },
                            "properties": {
                                "id": 1,
                                "slug": "la-gavotte",
                                "name": "La Gavotte",
                                "commune": "les-pennes-mirabeau",
                                "adjacent": [],
                            },
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        queryset: QuerySet[Sector] = sector_list()
        commune_slug = request.query_params.get("commune")
        if commune_slug:
            queryset = queryset.filter(commune__slug=commune_slug)
        elif commune_id := getattr(request.user, "commune_id", None):
            queryset = queryset.filter(commune_id=commune_id)
        features = [sector_as_feature(sector) for sector in queryset]
        return Response({"type": "FeatureCollection", "features": features})
