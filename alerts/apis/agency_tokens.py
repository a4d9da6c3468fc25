"""Agency tokens, managed by the admins who may edit the agency: list, create (the secret shown once),
revoke (docs/agency-api.md)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import selectors, services
from alerts.models import Agency
from alerts.serializers import (
    AgencyTokenCreatedSerializer,
    AgencyTokenInputSerializer,
    AgencyTokenSerializer,
)
from backend.audit.services import client_ip
from backend.core.access import door
from backend.core.api import CONFLICT, ERROR_RESPONSES, NOT_FOUND, request_user, validated
from backend.core.errors import NotFound


def _agency_or_404(request: Request, pk: int) -> Agency:
    agency = selectors.agency_for_tokens(user=request_user(request), agency_id=pk)
    if agency is None:
        raise NotFound(_("Service introuvable."))
    return agency


class AgencyTokenListCreateApi(APIView):
    permission_classes = [door("commune_admin")]

    @extend_schema(
        operation_id="agencies_tokens_list",
        summary="Jetons d'API du service (sans leur secret)",
        responses={200: AgencyTokenSerializer(many=True), **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        tokens = selectors.agency_tokens_of(_agency_or_404(request, pk))
        return Response(AgencyTokenSerializer(tokens, many=True).data)

    @extend_schema(
        operation_id="agencies_tokens_create",
        summary="Créer un jeton d'API pour le service",
        description="Le jeton en clair (`token`) n'est montré que dans cette réponse.",
        request=AgencyTokenInputSerializer,
        responses={201: AgencyTokenCreatedSerializer, **ERROR_RESPONSES, **NOT_FOUND},
        examples=[OpenApiExample("Main courante", value={"label": "Main courante PM"}, request_only=True)],
    )
    def post(self, request: Request, pk: int) -> Response:
        agency = _agency_or_404(request, pk)
        data = validated(AgencyTokenInputSerializer, request.data)
        token, raw = services.agency_token_create(
            agency=agency, label=data["label"], actor=request_user(request), ip=client_ip(request)
        )
        created = selectors.agency_tokens_of(agency).get(pk=token.pk)
        data = AgencyTokenCreatedSerializer(created, context={"secret": raw}).data
        return Response(data, status=status.HTTP_201_CREATED)


class AgencyTokenRevokeApi(APIView):
    permission_classes = [door("commune_admin")]

    @extend_schema(
        operation_id="agencies_tokens_revoke",
        summary="Révoquer un jeton d'API (refusé dès la requête suivante)",
        request=None,
        responses={200: AgencyTokenSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int, token_id: int) -> Response:
        token = selectors.agency_tokens_of(_agency_or_404(request, pk)).filter(pk=token_id).first()
        if token is None:
            raise NotFound(_("Jeton introuvable."))
        services.agency_token_revoke(token=token, actor=request_user(request), ip=client_ip(request))
        return Response(AgencyTokenSerializer(selectors.agency_tokens_of(token.agency).get(pk=token.pk)).data)
