"""The referent's own profile and the charter they accept."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.audit.services import client_ip
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, request_user, validated
from backend.core.errors import NotFound
from neighbours import selectors, services
from neighbours.apis.common import ERROR_404, ERROR_409, ME_EXAMPLE, PENDING_ME_EXAMPLE, TAGS, error_example
from neighbours.models import Referent
from neighbours.serializers import (
    CharterAcceptInputSerializer,
    ReferentMeSerializer,
)


def _my_referent(request: Request) -> Referent:
    referent = selectors.referent_for_user(user=request_user(request))
    if referent is None:
        raise NotFound(_("Vous n'êtes pas inscrit comme référent."))
    return referent


class ReferentMeApi(APIView):
    permission_classes = [door("referent")]

    @extend_schema(
        operation_id="referents_me",
        summary="Mon inscription de référent",
        description="État, secteur, charte à accepter, protocole, et si je peux transmettre un signalement.",
        responses={200: ReferentMeSerializer, 404: ERROR_404, **ERROR_RESPONSES},
        examples=[
            OpenApiExample("Actif", value=ME_EXAMPLE, response_only=True),
            OpenApiExample("En attente", value=PENDING_ME_EXAMPLE, response_only=True),
        ],
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        referent = _my_referent(request)
        return Response(ReferentMeSerializer(selectors.referent_profile(referent=referent)).data)


class CharterAcceptApi(APIView):
    permission_classes = [door("referent")]

    @extend_schema(
        operation_id="referents_me_charter_accept",
        summary="Accepter la charte du référent",
        description="La version envoyée doit être la version en vigueur ; une nouvelle version demande à nouveau.",
        request=CharterAcceptInputSerializer,
        responses={200: ReferentMeSerializer, 404: ERROR_404, 409: ERROR_409, **ERROR_RESPONSES},
        examples=[
            OpenApiExample("Version 1", value={"version": 1}, request_only=True),
            OpenApiExample("Charte acceptée", value=ME_EXAMPLE, response_only=True),
            error_example("La charte a changé : relisez et acceptez la version 2.", "version", codes=["409"]),
        ],
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = validated(CharterAcceptInputSerializer, request.data)
        referent = services.charter_accept(
            referent=_my_referent(request),
            version=serializer["version"],
            ip=client_ip(request),
        )
        return Response(ReferentMeSerializer(selectors.referent_profile(referent=referent)).data)
