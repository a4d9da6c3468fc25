from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenRefreshView

from backend.accounts import otp, personal_data
from backend.accounts.models import PhoneCode
from backend.accounts.serializers import (
    MeSerializer,
    OtpRequestSerializer,
    OtpTokenRequestSerializer,
    RefreshTokenSerializer,
    StaffCredentialsSerializer,
    TokenPairSerializer,
    VerificationTokenSerializer,
)
from backend.accounts.staff_auth import staff_token_obtain
from backend.accounts.tokens import TokenRefreshSerializer, token_logout, tokens_issue
from backend.audit.services import client_ip
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, validated


class AddressThrottle(AnonRateThrottle):
    """Counted per client address, signed in or not."""

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class OtpIpThrottle(AddressThrottle):
    """Per-IP limit on code requests and code checks, on top of the per-number limits (and of the
    per-network and global limits on sends, which the service applies to every door)."""

    scope = "otp_ip"


class TokenRefreshThrottle(AddressThrottle):
    """Token refresh and logout: a bucket of their own, generous (a whole office behind one NAT refreshes
    its tokens every 15 minutes), apart from the code requests'."""

    scope = "token_refresh"


class StaffTokenThrottle(AddressThrottle):
    """Staff token requests (django-axes also locks each account after repeated failures)."""

    scope = "staff_token"


class OtpRequestApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [OtpIpThrottle]

    @extend_schema(
        operation_id="auth_otp_request",
        summary="Demander un code par SMS",
        description=(
            "Connexion : réservée aux référents et aux commerçants ; tout autre numéro (inconnu, agent) "
            "reçoit la même réponse et aucun SMS. Vérification : tout numéro mobile. Le SMS part de la "
            "file d'envoi juste après la réponse. Limites : par numéro, par adresse (IPv6 : par /64) et "
            "pour toute la plateforme (429)."
        ),
        request=OtpRequestSerializer,
        responses={
            202: OpenApiResponse(description="Demande prise en compte."),
            **ERROR_RESPONSES,
        },
        examples=[
            OpenApiExample("Connexion", value={"phone": "06 12 34 56 78"}, request_only=True),
            OpenApiExample(
                "Vérification", value={"phone": "06 12 34 56 78", "purpose": "verify"}, request_only=True
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = validated(OtpRequestSerializer, request.data)
        otp.phone_code_request(**data, ip=client_ip(request))
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
        data = validated(OtpTokenRequestSerializer, request.data)
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
        # No second factor: these tokens never open a staff door (backend/accounts/second_factor.py).
        return Response(tokens_issue(user=user, second_factor=False))


_TOKENS_EXAMPLE = OpenApiExample("Jetons", value={"access": "eyJ…", "refresh": "eyJ…"}, response_only=True)


class StaffTokenApi(APIView):
    """Tokens for staff API clients and scripts, after password + TOTP (the login page's rule)."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [StaffTokenThrottle]

    @extend_schema(
        operation_id="auth_staff_token",
        summary="Jetons des agents (mot de passe + code TOTP)",
        description=(
            "Réservé aux modérateurs, opérateurs, administrateurs et super-utilisateurs. Les jetons "
            'rendus portent le second facteur (`amr` = ["pwd", "otp"]) : eux seuls, ou la session '
            "ouverte sur /connexion/, ouvrent les accès des agents. Le jeton de rafraîchissement vit "
            f"{settings.STAFF_REFRESH_TOKEN_LIFETIME_HOURS} h à compter de la connexion, rotation comprise. "
            "Toute erreur (numéro inconnu, autre rôle, mot de passe ou code faux) reçoit la même réponse ; "
            "après plusieurs échecs le compte est bloqué (429)."
        ),
        request=StaffCredentialsSerializer,
        responses={200: TokenPairSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Connexion d'un agent",
                value={"phone": "06 12 00 00 02", "password": "mot-de-passe-de-l-agent", "totp": "123456"},
                request_only=True,
            ),
            _TOKENS_EXAMPLE,
            OpenApiExample(
                "Identifiants faux",
                value={"detail": "Identifiants ou code incorrects.", "errors": {}},
                response_only=True,
                status_codes=["400"],
            ),
            OpenApiExample(
                "Compte bloqué",
                value={
                    "detail": "Trop d'échecs de connexion : compte bloqué pendant 15 minutes.",
                    "errors": {},
                },
                response_only=True,
                status_codes=["429"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = validated(StaffCredentialsSerializer, request.data)
        return Response(staff_token_obtain(request=request._request, **data))


class LogoutApi(APIView):
    """Ends a login: the refresh token is blacklisted and its whole family revoked."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [TokenRefreshThrottle]

    def get_authenticate_header(self, request: Request) -> str:
        # A bad refresh token is a 401, as on the refresh endpoint (DRF answers 403 without this header).
        return 'Bearer realm="api"'

    @extend_schema(
        operation_id="auth_logout",
        summary="Se déconnecter",
        description=(
            "Met le jeton de rafraîchissement sur liste noire et ferme toute sa famille (les jetons issus "
            "de la même connexion, y compris les jetons d'accès, sont refusés aussitôt)."
        ),
        request=RefreshTokenSerializer,
        responses={204: OpenApiResponse(description="Déconnecté."), **ERROR_RESPONSES},
        examples=[OpenApiExample("Déconnexion", value={"refresh": "eyJ…"}, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        data = validated(RefreshTokenSerializer, request.data)
        try:
            token_logout(raw=data["refresh"], ip=client_ip(request))
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [door("signed_in")]

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
    permission_classes = [door("signed_in")]

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
    """Rotates the refresh token: the old one is blacklisted, the answer carries a new pair of the same
    family. Presenting an already rotated token again revokes the whole family."""

    serializer_class = TokenRefreshSerializer
    throttle_classes = [TokenRefreshThrottle]

    @extend_schema(
        operation_id="auth_token_refresh_create",
        summary="Renouveler les jetons",
        description=(
            "Rend un nouveau couple de jetons de la même famille ; l'ancien jeton de rafraîchissement est "
            "mis sur liste noire. Présenter à nouveau un jeton déjà renouvelé ferme toute la famille "
            "(le plus récent est refusé lui aussi) : les clients ne renouvellent qu'une fois à la fois."
        ),
        request=TokenRefreshSerializer,
        responses={200: TokenRefreshSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample("Renouvellement", value={"refresh": "eyJ…"}, request_only=True),
            _TOKENS_EXAMPLE,
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)
