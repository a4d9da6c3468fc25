"""The commune's emergency watch mode."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access, selectors, services
from alerts.serializers import (
    EmergencyModeInputSerializer,
    EmergencyModeSerializer,
)
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, NOT_FOUND, request_user, validated
from backend.core.errors import NotFound
from backend.territory.models import Commune


def staff_commune_or_404(request: Request) -> Commune:
    commune_id = access.staff_commune(request_user(request))
    commune = Commune.objects.filter(pk=commune_id).first() if commune_id is not None else None
    if commune is None:
        raise NotFound(_("Aucune commune."))
    return commune


def _emergency(request: Request) -> dict[str, Any]:
    return EmergencyModeSerializer(selectors.commune_settings(commune=staff_commune_or_404(request))).data


class EmergencyModeApi(APIView):
    def get_permissions(self) -> list[Any]:
        return [door("staff")()] if self.request.method == "GET" else [door("moderation")()]

    @extend_schema(
        operation_id="emergency_mode_retrieve",
        summary="Cellule de veille d'urgence",
        responses={200: EmergencyModeSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        return Response(_emergency(request))

    @extend_schema(
        operation_id="emergency_mode_update",
        summary="Activer ou lever la cellule de veille d'urgence",
        description="Tant qu'elle est active, les catégories choisies sont transmises sans modération.",
        request=EmergencyModeInputSerializer,
        responses={200: EmergencyModeSerializer, **ERROR_RESPONSES, **NOT_FOUND},
        examples=[
            OpenApiExample(
                "Activation",
                value={
                    "active": True,
                    "categories": ["cambriolage", "violences"],
                    "reason": "Cellule activée par le maire après une série de cambriolages.",
                },
                request_only=True,
            )
        ],
    )
    def put(self, request: Request) -> Response:
        commune = staff_commune_or_404(request)
        data = validated(EmergencyModeInputSerializer, request.data)
        services.emergency_mode_set(commune=commune, actor=request_user(request), **data)
        return Response(_emergency(request))
