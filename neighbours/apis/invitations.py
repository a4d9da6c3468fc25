"""Coordinators' invitations: list and create (the code goes by SMS)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access
from backend.audit.services import client_ip
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, paginate, paginated, request_user, validated
from backend.core.idempotency import IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY, idempotent
from neighbours import selectors, services
from neighbours.apis.common import ERROR_409, INVITATION_EXAMPLE, TAGS, error_example
from neighbours.serializers import (
    InvitationInputSerializer,
    InvitationOutputSerializer,
)


class InvitationApi(APIView):
    permission_classes = [door("coordination")]

    @extend_schema(
        operation_id="referents_invitations_list",
        summary="Invitations de ma commune",
        responses={200: paginated(InvitationOutputSerializer, "PaginatedInvitationList"), **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Page",
                value={"count": 1, "next": None, "previous": None, "results": [INVITATION_EXAMPLE]},
                response_only=True,
            )
        ],
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return paginate(
            self,
            request,
            selectors.invitation_list(commune_id=access.coordinated_commune(request_user(request))),
            lambda item: InvitationOutputSerializer(item).data,
        )

    @extend_schema(
        operation_id="referents_invitations_create",
        summary="Inviter un numéro dans un secteur",
        description="Le code part par SMS au numéro invité ; il sert une fois, pendant 14 jours.",
        request=InvitationInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: InvitationOutputSerializer,
            409: ERROR_409,
            **ERROR_RESPONSES,
            **IDEMPOTENCY_CONFLICT,
        },
        examples=[
            OpenApiExample(
                "Invitation",
                value={"phone": "06 12 00 00 24", "sector": "la-gavotte", "display_name": "Inès Invitée"},
                request_only=True,
            ),
            OpenApiExample(
                "Invitation créée", value=INVITATION_EXAMPLE, response_only=True, status_codes=["201"]
            ),
            error_example("Secteur inconnu.", "sector", codes=["400"]),
        ],
        tags=TAGS,
    )
    @idempotent("invitation_create")
    def post(self, request: Request) -> Response:
        serializer = validated(InvitationInputSerializer, request.data)
        invitation = services.invitation_create(
            actor=request_user(request), ip=client_ip(request), **serializer
        )
        return Response(InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED)
