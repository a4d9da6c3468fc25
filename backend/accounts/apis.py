from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenRefreshView

from backend.accounts import otp, personal_data
from backend.accounts.models import PhoneCode
from backend.accounts.serializers import (
    MeSerializer,
    OtpRequestSerializer,
    OtpTokenRequestSerializer,
    TokenPairSerializer,
    VerificationTokenSerializer,
)
from backend.audit.services import client_ip
from backend.core.schema import ERROR_RESPONSES, ErrorSerializer


class OtpIpThrottle(AnonRateThrottle):
    """Per-IP limit on code requests and code checks, on top of the per-number limits."""

    scope = "otp_ip"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class OtpRequestApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [OtpIpThrottle]

    @extend_schema(
        operation_id="auth_otp_request",
        summary="Demander un code par SMS",
        request=OtpRequestSerializer,
        responses={
            202: OpenApiResponse(description="Demande prise en compte."),
            **ERROR_RESPONSES,
            503: OpenApiResponse(
                ErrorSerializer, description="Vérification : l'envoi du SMS est impossible pour le moment."
            ),
        },
        examples=[
            OpenApiExample("Connexion", value={"phone": "06 12 34 56 78"}, request_only=True),
            OpenApiExample(
                "Vérification", value={"phone": "06 12 34 56 78", "purpose": "verify"}, request_only=True
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = OtpRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        otp.phone_code_request(**serializer.validated_data, ip=client_ip(request))
        return Response(
            {"detail": "Si ce numéro est enregistré, un code vient de lui être envoyé par SMS."},
            status=status.HTTP_202_ACCEPTED,
        )


class OtpTokenApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [OtpIpThrottle]

    @extend_schema(
        operation_id="auth_otp_token",
        summary="Échanger le code contre des jetons",
        request=OtpTokenRequestSerializer,
        responses={
            200: PolymorphicProxySerializer(
                component_name="OtpTokenResponse",
                serializers=[TokenPairSerializer, VerificationTokenSerializer],
                resource_type_field_name=None,
            ),
            **ERROR_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "Connexion", value={"phone": "06 12 34 56 78", "code": "123456"}, request_only=True
            ),
            OpenApiExample("Jetons", value={"access": "eyJ…", "refresh": "eyJ…"}, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = OtpTokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["purpose"] == PhoneCode.Purpose.VERIFY:
            token = otp.verify_phone_with_code(phone=data["phone"], code=data["code"])
            return Response(
                {
                    "verification_token": token,
                    "phone": otp.phone_from_verification_token(token),
                    "expires_in": settings.PHONE_VERIFICATION_TOKEN_TTL_SECONDS,
                }
            )
        user = otp.login_with_code(phone=data["phone"], code=data["code"], ip=client_ip(request))
        refresh = RefreshToken.for_user(user)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_retrieve", summary="Mon profil", responses={200: MeSerializer, **ERROR_RESPONSES}
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)  # type: ignore[arg-type]

    @extend_schema(
        operation_id="me_erase",
        summary="Effacer mon compte (RGPD)",
        description=(
            "Efface les données personnelles (téléphone, nom, e-mail), supprime les appareils et annule les "
            "envois en attente. Les signalements restent pour la police, rattachés à « référent supprimé »."
        ),
        request=None,
        responses={204: OpenApiResponse(description="Compte effacé."), **ERROR_RESPONSES},
    )
    def delete(self, request: Request) -> Response:
        personal_data.account_erase(user=request.user, ip=client_ip(request))  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_export",
        summary="Exporter mes données (RGPD)",
        description="Tout ce que Vigie conserve sur l'appelant, en JSON ; chaque export est journalisé.",
        responses={200: OpenApiTypes.OBJECT, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Export",
                value={
                    "exported_at": "2026-11-27T09:00:00+01:00",
                    "profile": {"id": 7, "phone": "+33612000021", "display_name": "Rachid Référent"},
                    "devices": [{"token": "fGx1…", "platform": "android", "app_version": "1.4.2"}],
                    "messages": [],
                    "referent": {"status": "active", "sector": "La Gavotte"},
                    "observations": [],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(personal_data.personal_data_export(user=request.user, ip=client_ip(request)))  # type: ignore[arg-type]


class TokenRefreshApi(TokenRefreshView):
    """Rotates the refresh token: the old one is blacklisted, the answer carries a new pair."""

    throttle_classes = [OtpIpThrottle]
