"""The broadcasts API (staff) and the inbox API (everyone): thin views over services and selectors."""

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access
from alerts.broadcasts import selectors, services
from alerts.broadcasts.models import Broadcast
from alerts.broadcasts.serializers import (
    BroadcastCancelInputSerializer,
    BroadcastInputSerializer,
    BroadcastUpdateInputSerializer,
)
from alerts.models import Notification, Observation
from backend.core.access import door
from backend.core.api import CONFLICT, ERROR_RESPONSES, NOT_FOUND, paginate, request_user
from backend.core.errors import ApplicationError, NotFound
from backend.core.idempotency import IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY, idempotent

# --- serializers -------------------------------------------------------------------------------


class ReceiptCountsSerializer(serializers.Serializer):
    queued = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    invalid = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class ReceiptsSerializer(serializers.Serializer):
    push = ReceiptCountsSerializer()
    sms = ReceiptCountsSerializer()
    inbox_only = serializers.DictField(child=serializers.IntegerField())


class BroadcastSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    msg_type = serializers.CharField()
    status = serializers.CharField(help_text="actual ou exercise (CAP).")
    state = serializers.CharField(help_text="draft, scheduled, sent, cancelled ou expired.")
    state_label = serializers.CharField()
    original = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    body = serializers.CharField()
    sectors = serializers.ListField(child=serializers.CharField())
    include_adjacent = serializers.BooleanField()
    audiences = serializers.ListField(child=serializers.CharField())
    channels = serializers.ListField(child=serializers.CharField())
    trades = serializers.ListField(child=serializers.CharField())
    observation = serializers.IntegerField(allow_null=True)
    send_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    created_by = serializers.IntegerField(allow_null=True)
    approved_by = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    recipients = serializers.IntegerField()


class BroadcastDetailSerializer(BroadcastSerializer):
    receipts = ReceiptsSerializer()


def broadcast_data(broadcast: Broadcast, *, receipts: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": broadcast.pk,
        "kind": broadcast.kind,
        "kind_label": broadcast.get_kind_display(),
        "msg_type": broadcast.msg_type,
        "status": broadcast.cap_status,
        "state": broadcast.state,
        "state_label": broadcast.get_state_display(),
        "original": broadcast.original_id,
        "title": broadcast.title,
        "body": broadcast.body,
        "sectors": [sector.slug for sector in broadcast.sectors.all()],
        "include_adjacent": broadcast.include_adjacent,
        "audiences": list(broadcast.audiences),
        "channels": list(broadcast.channels),
        "trades": list(broadcast.trades),
        "observation": broadcast.observation_id,
        "send_at": broadcast.send_at,
        "expires_at": broadcast.expires_at,
        "created_by": broadcast.created_by_id,
        "approved_by": broadcast.approved_by_id,
        "created_at": broadcast.created_at,
        "sent_at": broadcast.sent_at,
        "cancelled_at": broadcast.cancelled_at,
        "recipients": broadcast.recipients_count,
    }
    if receipts:
        data["receipts"] = selectors.broadcast_receipts(broadcast=broadcast)
    return data


class PrefillSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    sectors = serializers.ListField(child=serializers.CharField())


class InboxItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    data = serializers.DictField()  # type: ignore[assignment]
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


def inbox_data(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "data": notification.data,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


class PaginatedBroadcastListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = BroadcastSerializer(many=True)


class PaginatedInboxSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InboxItemSerializer(many=True)


CREATE_EXAMPLE = {
    "kind": "burglary_alert",
    "title": "Alerte cambriolage – La Gavotte",
    "body": "Cambriolages signalés cet après-midi. Fermez portes et fenêtres ; en cas d'urgence, appelez le 17.",
    "sectors": ["la-gavotte"],
    "include_adjacent": True,
    "audiences": ["referents", "shopkeepers"],
    "channels": ["push", "sms"],
}
RECEIPTS_EXAMPLE = {
    "push": {"queued": 0, "sent": 41, "failed": 0, "invalid": 2, "cancelled": 0},
    "sms": {"queued": 3, "sent": 12, "failed": 0, "invalid": 0, "cancelled": 0},
    "inbox_only": {"recipients": 1},
}


def _broadcast(request: Request, broadcast_id: int) -> Broadcast:
    return selectors.broadcast_get(user=request_user(request), broadcast_id=broadcast_id)


def _follow_up(
    request: Request,
    broadcast_id: int,
    input_serializer: type[serializers.Serializer],
    service: Callable[..., Broadcast],
) -> Response:
    """Update and cancel: the input checked, the service run on the broadcast, its result with receipts."""
    serializer = input_serializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    result = service(
        broadcast=_broadcast(request, broadcast_id), actor=request_user(request), **serializer.validated_data
    )
    return Response(broadcast_data(result, receipts=True))


# --- views -------------------------------------------------------------------------------------


class BroadcastListCreateApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="broadcasts_list",
        summary="Diffusions de la commune",
        responses={200: PaginatedBroadcastListSerializer, **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        return paginate(self, request, selectors.broadcast_list(user=request_user(request)), broadcast_data)

    @extend_schema(
        operation_id="broadcasts_create",
        summary="Diffuser un conseil ou une alerte",
        description=(
            "Public : les `audiences` (referents, shopkeepers…) de la commune, des `sectors` (et de leurs "
            "voisins avec `include_adjacent`). Chaque destinataire reçoit une notification push s'il a "
            "l'application, sinon un SMS si `sms` est demandé ; tous la trouvent dans leur boîte de "
            "réception. Avec `observation`, le titre et le texte vides sont préremplis sans donnée "
            "personnelle. Sous la règle de validation à deux, la diffusion attend la validation d'une "
            "autre personne (`state` = draft) ; avec `send_at`, elle part à l'heure dite."
        ),
        request=BroadcastInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: BroadcastDetailSerializer, **ERROR_RESPONSES, **IDEMPOTENCY_CONFLICT},
        examples=[OpenApiExample("Alerte cambriolage", value=CREATE_EXAMPLE, request_only=True)],
    )
    @idempotent("broadcast_create")
    def post(self, request: Request) -> Response:
        serializer = BroadcastInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        broadcast = services.broadcast_create(actor=request_user(request), **serializer.validated_data)
        return Response(broadcast_data(broadcast, receipts=True), status=status.HTTP_201_CREATED)


class BroadcastDetailApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="broadcasts_retrieve",
        summary="Une diffusion et ses accusés d'envoi",
        description="`receipts` : les envois par canal et par état (en file, envoyé, échec, adresse invalide).",
        responses={200: BroadcastDetailSerializer, **ERROR_RESPONSES, **NOT_FOUND},
        examples=[OpenApiExample("Accusés", value={"receipts": RECEIPTS_EXAMPLE}, response_only=True)],
    )
    def get(self, request: Request, broadcast_id: int) -> Response:
        return Response(broadcast_data(_broadcast(request, broadcast_id), receipts=True))


class BroadcastApproveApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="broadcasts_approve",
        summary="Valider la diffusion rédigée par une autre personne",
        request=None,
        responses={200: BroadcastDetailSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, broadcast_id: int) -> Response:
        broadcast = services.broadcast_approve(
            broadcast=_broadcast(request, broadcast_id), actor=request_user(request)
        )
        return Response(broadcast_data(broadcast, receipts=True))


class BroadcastUpdateApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="broadcasts_update",
        summary="Mettre à jour une diffusion",
        description=(
            "Avant l'envoi, modifie la diffusion. Après, envoie une mise à jour (CAP Update) aux mêmes "
            "destinataires, par le même canal ; la réponse est ce nouveau message."
        ),
        request=BroadcastUpdateInputSerializer,
        responses={200: BroadcastDetailSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
        examples=[
            OpenApiExample(
                "Mise à jour",
                value={"body": "Les individus ont été interpellés. Restez vigilants."},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, broadcast_id: int) -> Response:
        return _follow_up(request, broadcast_id, BroadcastUpdateInputSerializer, services.broadcast_update)


class BroadcastCancelApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="broadcasts_cancel",
        summary="Annuler une diffusion",
        description=(
            "Avant l'envoi, personne ne reçoit rien. Après, ce qui n'est pas parti est retenu et une "
            "annulation (CAP Cancel) part vers les mêmes destinataires ; la réponse est ce message."
        ),
        request=BroadcastCancelInputSerializer,
        responses={200: BroadcastDetailSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
        examples=[
            OpenApiExample("Annulation", value={"body": "Fausse alerte : message annulé."}, request_only=True)
        ],
    )
    def post(self, request: Request, broadcast_id: int) -> Response:
        return _follow_up(request, broadcast_id, BroadcastCancelInputSerializer, services.broadcast_cancel)


class BroadcastCapApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="broadcasts_cap",
        summary="La diffusion au format CAP 1.2 (XML)",
        responses={
            (200, "application/xml"): OpenApiResponse(OpenApiTypes.STR, description="Document CAP 1.2."),
            **ERROR_RESPONSES,
            **NOT_FOUND,
        },
    )
    def get(self, request: Request, broadcast_id: int) -> HttpResponse:
        broadcast = _broadcast(request, broadcast_id)
        return HttpResponse(
            selectors.broadcast_cap_xml(broadcast=broadcast), content_type="application/xml; charset=utf-8"
        )


class BroadcastPrefillApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="broadcasts_prefill",
        summary="Texte d'alerte prérempli depuis un signalement validé (sans donnée personnelle)",
        parameters=[OpenApiParameter("observation", int, required=True, description="Id du signalement.")],
        responses={200: PrefillSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        try:
            observation_id = int(request.query_params.get("observation", ""))
        except ValueError:
            raise ApplicationError(_("Identifiant de signalement attendu."), field="observation") from None
        observation = Observation.objects.filter(pk=observation_id).first()
        if observation is None or not access.may_prefill_alert(user, observation):
            raise NotFound(_("Signalement introuvable."))
        services.observation_check(commune_id=observation.commune_id, observation=observation)
        return Response(services.observation_prefill(observation=observation))


class InboxListApi(APIView):
    permission_classes = [door("signed_in")]

    @extend_schema(
        operation_id="inbox_list",
        summary="Ma boîte de réception",
        description="Tout ce qui m'a été envoyé (conseils, alertes, suivi de mes signalements), même si "
        "la notification push n'est pas arrivée.",
        responses={200: PaginatedInboxSerializer, **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        return paginate(self, request, selectors.inbox_list(user=request_user(request)), inbox_data)


class InboxReadApi(APIView):
    permission_classes = [door("signed_in")]

    @extend_schema(
        operation_id="inbox_read",
        summary="Marquer un message comme lu",
        request=None,
        responses={200: InboxItemSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def post(self, request: Request, notification_id: int) -> Response:
        user = request_user(request)
        notification = selectors.inbox_get(user=user, notification_id=notification_id)
        return Response(inbox_data(services.notification_mark_read(notification=notification, user=user)))
