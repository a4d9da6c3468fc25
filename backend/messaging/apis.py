"""Push addresses of the app's users: register or refresh a token, forget it on logout."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, ErrorSerializer, validated
from backend.messaging.serializers import DeviceInputSerializer, DeviceOutputSerializer
from backend.messaging.services import device_register, device_unregister

_TOKEN = "fGx1c2VydG9rZW4:APA91bH7x-Q3examplE_tokEn"  # noqa: S105  (an example, not a secret)
_DEVICE = {
    "id": 12,
    "token": _TOKEN,
    "platform": "android",
    "app_version": "1.4.2",
    "is_active": True,
    "created_at": "2026-11-27T08:30:00+01:00",
    "last_seen_at": "2026-11-27T08:30:00+01:00",
}


class DeviceRegisterApi(APIView):
    permission_classes = [door("reporter")]

    @extend_schema(
        operation_id="devices_register",
        summary="Enregistrer ou rafraîchir un appareil (jeton FCM)",
        description=(
            "Idempotent : le même jeton envoyé à nouveau rafraîchit l'appareil (200). Un jeton déjà "
            "enregistré par un autre utilisateur passe à l'appelant : l'ancien titulaire n'y reçoit plus rien."
        ),
        request=DeviceInputSerializer,
        responses={
            201: OpenApiResponse(DeviceOutputSerializer, description="Appareil enregistré."),
            200: OpenApiResponse(DeviceOutputSerializer, description="Appareil déjà connu, rafraîchi."),
            **ERROR_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "Android",
                value={"token": _TOKEN, "platform": "android", "app_version": "1.4.2"},
                request_only=True,
            ),
            OpenApiExample("Appareil", value=_DEVICE, response_only=True, status_codes=["200", "201"]),
        ],
        tags=["devices"],
    )
    def post(self, request: Request) -> Response:
        serializer = validated(DeviceInputSerializer, request.data)
        user: User = request.user  # type: ignore[assignment]
        device, created = device_register(user=user, **serializer)
        return Response(
            DeviceOutputSerializer(device).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class DeviceUnregisterApi(APIView):
    permission_classes = [door("reporter")]

    @extend_schema(
        operation_id="devices_unregister",
        summary="Oublier un appareil (déconnexion)",
        parameters=[OpenApiParameter("token", str, OpenApiParameter.PATH, description="Le jeton FCM.")],
        request=None,
        responses={
            204: OpenApiResponse(description="Appareil oublié."),
            404: OpenApiResponse(ErrorSerializer, description="Jeton inconnu ou d'un autre utilisateur."),
            **ERROR_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "Inconnu",
                value={"detail": "Appareil inconnu.", "errors": {"token": ["Appareil inconnu."]}},
                response_only=True,
                status_codes=["404"],
            )
        ],
        tags=["devices"],
    )
    def delete(self, request: Request, token: str) -> Response:
        user: User = request.user  # type: ignore[assignment]
        device_unregister(user=user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
