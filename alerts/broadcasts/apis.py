"""The broadcasts API (staff) and the inbox API (everyone): thin views over services and selectors."""

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
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
from alerts.models import Observation
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
from backend.core.emergency import EMERGENCY_CALL
from backend.core.errors import ApplicationError, NotFound
from backend.core.idempotency import IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY, idempotent
from backend.territory.models import Commune

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
    kind_label = serializers.CharField(source="get_kind_display")
    msg_type = serializers.CharField()
    status = serializers.CharField(source="cap_status", help_text="actual ou exercise (CAP).")
    state = serializers.CharField(help_text="draft, scheduled, sent, cancelled ou expired.")
    state_label = serializers.CharField(source="get_state_display")
    original = serializers.IntegerField(source="original_id", allow_null=True)
    title = serializers.CharField()
    body = serializers.CharField()
    sectors = serializers.SerializerMethodField()
    include_adjacent = serializers.BooleanField()
    audiences = serializers.ListField(child=serializers.CharField())
    channels = serializers.ListField(child=serializers.CharField())
    trades = serializers.ListField(child=serializers.CharField())
    observation = serializers.IntegerField(source="observation_id", allow_null=True)
    send_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    approved_by = serializers.IntegerField(source="approved_by_id", allow_null=True)
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    recipients = serializers.IntegerField(source="recipients_count")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_sectors(self, broadcast: Broadcast) -> list[str]:
        return [sector.slug for sector in broadcast.sectors.all()]


class BroadcastDetailSerializer(BroadcastSerializer):
    receipts = serializers.SerializerMethodField()

    @extend_schema_field(ReceiptsSerializer)
    def get_receipts(self, broadcast: Broadcast) -> dict[str, Any]:
        return selectors.broadcast_receipts(broadcast=broadcast)


class PrefillSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    sectors = serializers.ListField(child=serializers.CharField())


class RecipientCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    push = serializers.IntegerField(help_text="Notifications push.")
    sms = serializers.IntegerField(help_text="SMS (sans l'application, avec un téléphone).")
    inbox_only = serializers.IntegerField(help_text="Boîte de réception seule (ni push ni SMS).")


class AudienceCountsSerializer(RecipientCountsSerializer):
    audience = serializers.CharField(help_text="referents, shopkeepers… (une personne comptée une fois).")


class SmsLengthSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="Le SMS tel qu'il part : commune, titre, texte.")
    characters = serializers.IntegerField(help_text="Septets (GSM-7) ou unités UTF-16 (UCS-2).")
    capacity = serializers.IntegerField(help_text="Ce que tiennent ces SMS : 160 pour un SMS GSM-7, 2 × 153…")
    encoding = serializers.ChoiceField(choices=["GSM-7", "UCS-2"])
    segments = serializers.IntegerField(help_text="SMS facturés par destinataire.")
    total_sms = serializers.IntegerField(help_text="SMS facturés en tout : segments × destinataires SMS.")


class TransliterationSerializer(SmsLengthSerializer):
    title = serializers.CharField()
    body = serializers.CharField()


class SmsPreviewSerializer(SmsLengthSerializer):
    non_gsm7_characters = serializers.ListField(
        child=serializers.CharField(), help_text="Les caractères qui imposent l'UCS-2."
    )
    transliteration = TransliterationSerializer(help_text="Le titre et le texte en caractères GSM-7.")


class BroadcastPreviewSerializer(serializers.Serializer):
    recipients = RecipientCountsSerializer()
    audiences = AudienceCountsSerializer(many=True)
    sms = SmsPreviewSerializer()


class InboxItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    data = serializers.DictField()  # type: ignore[assignment]
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


CREATE_EXAMPLE = {
    "kind": "burglary_alert",
    "title": "Alerte cambriolage – La Gavotte",
    "body": f"Cambriolages signalés cet après-midi. Fermez portes et fenêtres. {EMERGENCY_CALL}",
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
    serializer = validated(input_serializer, request.data)
    result = service(broadcast=_broadcast(request, broadcast_id), actor=request_user(request), **serializer)
    return Response(BroadcastDetailSerializer(result).data)


# --- views -------------------------------------------------------------------------------------


class BroadcastListCreateApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="broadcasts_list",
        summary="Diffusions de la commune",
        responses={200: paginated(BroadcastSerializer, "PaginatedBroadcastList"), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        return paginate(
            self,
            request,
            selectors.broadcast_list(user=request_user(request)),
            rendered_by(BroadcastSerializer),
        )

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
        serializer = validated(BroadcastInputSerializer, request.data)
        broadcast = services.broadcast_create(actor=request_user(request), **serializer)
        return Response(BroadcastDetailSerializer(broadcast).data, status=status.HTTP_201_CREATED)


class BroadcastPreviewApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="broadcasts_preview",
        summary="Aperçu d'une diffusion : destinataires par canal, longueur et coût des SMS",
        description=(
            "Le même corps que `POST /api/v1/broadcasts/`, les mêmes vérifications et erreurs ; rien n'est "
            "enregistré ni envoyé. Les destinataires sont comptés comme l'envoi les choisit (une seule "
            "fonction). Le SMS : son encodage (GSM-7, ou UCS-2 dès qu'un caractère n'est pas GSM-7), ses "
            "parties (GSM-7 : 160, ou 153 par partie ; UCS-2 : 70, ou 67), les caractères qui imposent "
            "l'UCS-2, et le titre et le texte translittérés en GSM-7."
        ),
        request=BroadcastInputSerializer,
        responses={200: BroadcastPreviewSerializer, **ERROR_RESPONSES},
        examples=[OpenApiExample("Alerte cambriolage", value=CREATE_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        serializer = validated(BroadcastInputSerializer, request.data)
        preview = services.broadcast_preview(actor=request_user(request), **serializer)
        return Response(BroadcastPreviewSerializer(preview).data)


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
        return Response(BroadcastDetailSerializer(_broadcast(request, broadcast_id)).data)


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
        return Response(BroadcastDetailSerializer(broadcast).data)


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
        summary="Texte prérempli d'une diffusion, depuis le modèle de la commune (sans donnée personnelle)",
        description=(
            "Le titre et le texte du modèle de la nature demandée (ceux de la commune, sinon ceux de Vigie). "
            "Avec un ou plusieurs `observation` (signalements validés, une série : "
            "`?observation=12&observation=15`), une alerte cambriolage qui les résume : catégorie, jour et "
            "moment, ou nombre et depuis quand, secteurs (leur union) ; jamais l'auteur, la description ni "
            "l'adresse."
        ),
        parameters=[
            OpenApiParameter(
                "observation",
                int,
                many=True,
                description="Id d'un signalement validé (répétable : une série).",
            ),
            OpenApiParameter(
                "kind",
                str,
                enum=Broadcast.Kind.values,
                description="Nature du message (burglary_alert par défaut).",
            ),
        ],
        responses={200: PrefillSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        kind = request.query_params.get("kind") or Broadcast.Kind.BURGLARY_ALERT
        if kind not in Broadcast.Kind.values:
            raise ApplicationError(
                _("Nature inconnue (possibles : %(allowed)s).")
                % {"allowed": ", ".join(Broadcast.Kind.values)},
                field="kind",
            )
        commune_id = access.staff_commune(user)
        if commune_id is None:
            raise NotFound(_("Aucune commune rattachée à votre compte."))
        try:
            ids = list(dict.fromkeys(int(value) for value in request.query_params.getlist("observation")))
        except ValueError:
            raise ApplicationError(_("Identifiant de signalement attendu."), field="observation") from None
        observations = list(
            Observation.objects.select_related("category", "sector", "commune").filter(pk__in=ids)
        )
        if len(observations) != len(ids) or not all(
            access.may_prefill_alert(user, obs) for obs in observations
        ):
            raise NotFound(_("Signalement introuvable."))
        for observation in observations:
            services.observation_check(commune_id=observation.commune_id, observation=observation)
        commune = observations[0].commune if observations else Commune.objects.get(pk=commune_id)
        return Response(services.broadcast_prefill(commune=commune, kind=kind, observations=observations))


class InboxListApi(APIView):
    permission_classes = [door("signed_in")]

    @extend_schema(
        operation_id="inbox_list",
        summary="Ma boîte de réception",
        description="Tout ce qui m'a été envoyé (conseils, alertes, suivi de mes signalements), même si "
        "la notification push n'est pas arrivée.",
        responses={200: paginated(InboxItemSerializer, "PaginatedInbox"), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        return paginate(
            self, request, selectors.inbox_list(user=request_user(request)), rendered_by(InboxItemSerializer)
        )


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
        return Response(
            InboxItemSerializer(services.notification_mark_read(notification=notification, user=user)).data
        )
