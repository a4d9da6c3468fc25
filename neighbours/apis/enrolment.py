"""Enrolment without an account: an application (phone verified) or an accepted invitation."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.audit.services import client_ip
from backend.core.api import ERROR_RESPONSES, ErrorSerializer, validated
from backend.core.errors import ApplicationError
from backend.territory.models import Commune
from neighbours import services
from neighbours.apis.common import ENROLMENT_EXAMPLE, ERROR_404, TAGS, enrolment_response, error_example
from neighbours.serializers import (
    ApplicationInputSerializer,
    EnrolmentOutputSerializer,
    InvitationAcceptInputSerializer,
)


class ApplicationCreateApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        operation_id="referents_application_create",
        summary="Candidater comme référent",
        description=(
            "Le téléphone est prouvé par un jeton de vérification (POST /api/v1/auth/otp/ puis "
            "/api/v1/auth/token/ avec « purpose »: « verify »). La candidature attend la mairie ; la "
            "réponse porte des jetons de connexion pour suivre son état. Un numéro déjà inscrit → 409."
        ),
        request=ApplicationInputSerializer,
        responses={
            201: EnrolmentOutputSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Numéro déjà inscrit ou déjà candidat."),
            **ERROR_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "Candidature",
                value={
                    "verification_token": "eyJwaG9uZSI6…",
                    "commune": "les-pennes-mirabeau",
                    "sector": "la-gavotte",
                    "display_name": "Rose Référente",
                    "motivation": "Je connais bien le quartier et ses habitants.",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Candidature enregistrée", value=ENROLMENT_EXAMPLE, response_only=True, status_codes=["201"]
            ),
            error_example(
                "Une candidature a déjà été déposée avec ce numéro : elle attend la mairie.",
                "phone",
                codes=["409"],
            ),
            error_example("Ce secteur n'appartient pas à votre commune.", "sector", codes=["400"]),
        ],
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = validated(ApplicationInputSerializer, request.data)
        commune = Commune.objects.filter(slug=data.pop("commune")).first()
        if commune is None:
            raise ApplicationError(_("Commune inconnue."), field="commune")
        referent = services.application_create(commune=commune, ip=client_ip(request), **data)
        return enrolment_response(referent)


class InvitationAcceptApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        operation_id="referents_invitation_accept",
        summary="Accepter une invitation de la mairie",
        description=(
            "Le code reçu par SMS sert une fois, 14 jours. Le jeton de vérification doit prouver le numéro "
            "invité. La personne devient référent en attente de validation."
        ),
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="Code d'invitation.")],
        request=InvitationAcceptInputSerializer,
        responses={
            201: EnrolmentOutputSerializer,
            404: ERROR_404,
            409: OpenApiResponse(
                ErrorSerializer, description="Invitation déjà utilisée, ou numéro déjà inscrit."
            ),
            410: OpenApiResponse(ErrorSerializer, description="Invitation expirée."),
            **ERROR_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "Acceptation",
                value={"verification_token": "eyJwaG9uZSI6…", "display_name": "Inès Invitée"},
                request_only=True,
            ),
            OpenApiExample(
                "Inscription en attente", value=ENROLMENT_EXAMPLE, response_only=True, status_codes=["201"]
            ),
            error_example(
                "Cette invitation a expiré : demandez-en une nouvelle à la mairie.", "code", codes=["410"]
            ),
            error_example("Cette invitation a déjà été utilisée.", "code", codes=["409"]),
        ],
        tags=TAGS,
    )
    def post(self, request: Request, code: str) -> Response:
        data = validated(InvitationAcceptInputSerializer, request.data)
        referent = services.invitation_accept(code=code, ip=client_ip(request), **data)
        return enrolment_response(referent)
