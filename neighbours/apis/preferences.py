"""A reporter's notification preferences (quiet hours, channels)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.audit.services import client_ip
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, request_user, validated
from neighbours import selectors, services
from neighbours.apis.common import PREFERENCES_EXAMPLE, error_example
from neighbours.serializers import (
    PreferencesInputSerializer,
    PreferencesOutputSerializer,
)


class PreferencesApi(APIView):
    permission_classes = [door("reporter")]

    @extend_schema(
        operation_id="me_preferences_retrieve",
        summary="Mes préférences de notification",
        responses={200: PreferencesOutputSerializer, **ERROR_RESPONSES},
        examples=[OpenApiExample("Préférences", value=PREFERENCES_EXAMPLE, response_only=True)],
        tags=["preferences"],
    )
    def get(self, request: Request) -> Response:
        return Response(
            PreferencesOutputSerializer(selectors.preferences_view(user=request_user(request))).data
        )

    @extend_schema(
        operation_id="me_preferences_update",
        summary="Changer mes préférences de notification",
        description=(
            "Mise à jour partielle. Les alertes cambriolage ne peuvent pas être désactivées par un référent "
            "actif ; les heures calmes retiennent les conseils de prévention, jamais les alertes."
        ),
        request=PreferencesInputSerializer,
        responses={200: PreferencesOutputSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Heures calmes",
                value={
                    "push": {"shop_alert": False},
                    "quiet_hours_start": "22:00",
                    "quiet_hours_end": "07:00",
                },
                request_only=True,
            ),
            OpenApiExample("Préférences", value=PREFERENCES_EXAMPLE, response_only=True),
            error_example(
                "Les alertes cambriolage ne peuvent pas être désactivées tant que vous êtes référent actif.",
                "push.burglary_alert",
                codes=["400"],
            ),
        ],
        tags=["preferences"],
    )
    def patch(self, request: Request) -> Response:
        serializer = validated(PreferencesInputSerializer, request.data)
        services.preferences_update(user=request_user(request), ip=client_ip(request), **serializer)
        return Response(
            PreferencesOutputSerializer(selectors.preferences_view(user=request_user(request))).data
        )
