"""Push addresses of the app's users: register or refresh a token (an FCM token, a browser's Web Push
subscription), forget it on logout; the Web Push public key the web app subscribes with."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, ErrorSerializer, validated
from backend.messaging.backends.webpush import webpush_enabled, webpush_public_key
from backend.messaging.serializers import (
    DeviceInputSerializer,
    DeviceOutputSerializer,
    WebPushConfigSerializer,
)
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
_ENDPOINT = "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bGexample"
_PUBLIC_KEY = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
_SUBSCRIPTION = {
    "endpoint": _ENDPOINT,
    "expirationTime": None,
    "keys": {
        "p256dh": _PUBLIC_KEY,
        "auth": "tBHItJI5svbpez7KI4CCXg",
    },
}


class DeviceRegisterApi(APIView):
    permission_classes = [door("reporter")]

    @extend_schema(
        operation_id="devices_register",
        summary="Enregistrer ou rafraîchir un appareil (jeton FCM ou abonnement Web Push)",
        description=(
            "Jeton FCM : `token` et `platform` (android, ios, ou web avec le SDK JavaScript de Firebase). "
            "Abonnement Web Push d'un navigateur : `platform` web et `subscription`, l'abonnement tel que "
            "`JSON.stringify(pushSubscription)` le donne, sans `token` ; son "
            "`endpoint` devient le jeton de l'appareil (400 sur `platform` quand le serveur n'a pas de clé "
            "VAPID : voir GET /api/v1/push/web/). "
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
            OpenApiExample(
                "Navigateur (Web Push)",
                value={"platform": "web", "subscription": _SUBSCRIPTION},
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
        parameters=[
            OpenApiParameter(
                "token",
                str,
                OpenApiParameter.PATH,
                description=(
                    "Le jeton FCM, ou l'adresse (endpoint) d'un abonnement Web Push, de préférence encodée "
                    "(`encodeURIComponent`)."
                ),
            )
        ],
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


class WebPushConfigApi(APIView):
    """Public: the key is public (browsers send it to their push service), and the app reads it before
    asking the user for notifications."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="push_web_config",
        summary="Clé publique Web Push (VAPID) pour abonner un navigateur",
        description=(
            "`public_key` est l'`applicationServerKey` de `pushManager.subscribe()`. Quand `enabled` est "
            "faux, le serveur refuse les abonnements web : l'application ne propose pas les notifications."
        ),
        responses={200: WebPushConfigSerializer, 429: ERROR_RESPONSES[429]},
        examples=[
            OpenApiExample(
                "Activé",
                value={"enabled": True, "public_key": _PUBLIC_KEY},
                response_only=True,
            )
        ],
        tags=["devices"],
    )
    def get(self, request: Request) -> Response:
        config = {"enabled": webpush_enabled(), "public_key": webpush_public_key()}
        return Response(WebPushConfigSerializer(config).data)
