"""Senders flagged by moderators: list, block, unblock."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access, services
from alerts.models import (
    SenderStanding,
)
from alerts.serializers import (
    SenderBlockInputSerializer,
    SenderStandingSerializer,
)
from backend.accounts.models import User
from backend.core.access import door
from backend.core.api import (
    CONFLICT,
    ERROR_RESPONSES,
    NOT_FOUND,
    paginate,
    paginated,
    rendered_by,
    request_user,
    validated,
)


class FlaggedSenderListApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="senders_flagged_list",
        summary="Expéditeurs signalés (refus répétés) ou bloqués",
        responses={
            200: paginated(SenderStandingSerializer, "PaginatedSenderStandingList"),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> Response:
        commune_id = access.moderated_commune(request_user(request))
        queryset = SenderStanding.objects.filter(
            user__commune_id=commune_id if commune_id is not None else 0
        ).filter(Q(flagged_at__isnull=False) | Q(blocked_at__isnull=False))
        return paginate(
            self, request, queryset.order_by("-flagged_at", "id"), rendered_by(SenderStandingSerializer)
        )


def _sender(request: Request, user_id: int) -> User:
    return get_object_or_404(User, pk=user_id, commune_id=access.moderated_commune(request_user(request)))


class SenderBlockApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="senders_block",
        summary="Bloquer un expéditeur",
        description="Ses signalements sont conservés mais ne parviennent plus ni à la file ni à la police.",
        request=SenderBlockInputSerializer,
        responses={200: SenderStandingSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, user_id: int) -> Response:
        serializer = validated(SenderBlockInputSerializer, request.data)
        row = services.sender_block(user=_sender(request, user_id), actor=request_user(request), **serializer)
        return Response(SenderStandingSerializer(row).data)


class SenderUnblockApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="senders_unblock",
        summary="Débloquer un expéditeur",
        request=None,
        responses={200: SenderStandingSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, user_id: int) -> Response:
        row = services.sender_unblock(user=_sender(request, user_id), actor=request_user(request))
        return Response(SenderStandingSerializer(row).data)
