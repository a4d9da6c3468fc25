"""The categories a reporter may choose."""

from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import selectors
from alerts.apis.common import (
    request_user,
)
from alerts.serializers import (
    CategoryListSerializer,
)
from backend.core.access import door
from backend.core.schema import ERROR_RESPONSES


class CategoryListApi(APIView):
    permission_classes = [door("signed_in")]

    @extend_schema(
        operation_id="categories_list",
        summary="Catégories de signalement",
        responses={200: CategoryListSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Catégories",
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [{"slug": "cambriolage", "label": "cambriolage ou tentative", "urgent": True}],
                    "emergency_reminder": "En cas d'urgence, appelez le 17 (ou le 112).",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        commune = request_user(request).commune
        rows = selectors.category_list(commune=commune)
        return Response(
            {
                "count": len(rows),
                "next": None,
                "previous": None,
                "results": [{"slug": row.slug, "label": row.label, "urgent": row.urgent} for row in rows],
                "emergency_reminder": selectors.emergency_reminder(),
            }
        )
