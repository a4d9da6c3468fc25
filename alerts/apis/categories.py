"""The categories a reporter may choose."""

from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import selectors
from alerts.serializers import (
    CategoryListSerializer,
)
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, request_user
from backend.core.emergency import EMERGENCY_CALL, emergency_call


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
                    "emergency_reminder": EMERGENCY_CALL,
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        commune = request_user(request).commune
        rows = selectors.category_list(commune=commune)
        page = {"count": len(rows), "next": None, "previous": None, "results": rows}
        return Response(CategoryListSerializer({**page, "emergency_reminder": emergency_call()}).data)
