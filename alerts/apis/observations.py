"""Reporters' observations: submit (idempotent), list their own, read one, add a follow-up."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access, selectors, services
from alerts.apis.common import (
    STATUS_PARAMETER,
    addition_data,
    observations_served,
    status_filter,
)
from alerts.apis.moderation import moderation_served
from alerts.models import (
    Observation,
)
from alerts.serializers import (
    AdditionInputSerializer,
    ConsoleObservationSerializer,
    ModerationItemSerializer,
    ObservationAdditionSerializer,
    ObservationInputSerializer,
    ObservationMultipartInputSerializer,
    ObservationSerializer,
    photos_data,
)
from backend.accounts.second_factor import request_has_second_factor
from backend.audit.services import client_ip
from backend.core.access import door
from backend.core.api import (
    CONFLICT,
    ERROR_RESPONSES,
    NOT_FOUND,
    paginate,
    paginated,
    request_user,
    validated,
)
from backend.core.emergency import EMERGENCY_CALL
from backend.core.errors import NotFound
from backend.core.idempotency import IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY, idempotent
from backend.core.parsers import FormParser, JSONParser, MultiPartParser

# --- reporters ---------------------------------------------------------------------------------

SUBMIT_EXAMPLE = {
    "category": "cambriolage",
    "description": "Deux individus forcent le portail du 12 chemin des Amandiers.",
    "occurred_at": "2026-11-27T08:30:00+01:00",
    "latitude": 43.4102,
    "longitude": 5.3098,
    "accuracy": 12,
    "place": "Devant le portail vert, au fond de l'impasse",
    "in_progress": True,
}
OBSERVATION_EXAMPLE = {
    "id": 42,
    "reference": "PMB-2026-000123",
    "status": "pending",
    "status_label": "en attente de modération",
    "channel": "app",
    "category": {"slug": "cambriolage", "label": "cambriolage ou tentative", "urgent": True},
    "description": "Deux individus forcent le portail du 12 chemin des Amandiers.",
    "occurred_at": "2026-11-27T08:30:00+01:00",
    "latitude": 43.4102,
    "longitude": 5.3098,
    "accuracy": 12,
    "address": "12 Chemin des Amandiers, 13170 Les Pennes-Mirabeau",
    "place": "Devant le portail vert, au fond de l'impasse",
    "sector": {"id": 3, "slug": "les-amandiers", "name": "Les Amandiers"},
    "in_progress": True,
    "created_at": "2026-11-27T08:31:02+01:00",
    "photos": [],
    "history": [
        {"status": "pending", "status_label": "en attente de modération", "at": "2026-11-27T08:31:02+01:00"}
    ],
    "emergency_reminder": EMERGENCY_CALL,
}


class ObservationListCreateApi(APIView):
    permission_classes = [door("reporter")]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="observations_list",
        summary="Mes signalements",
        parameters=[STATUS_PARAMETER],
        responses={200: paginated(ObservationSerializer, "PaginatedObservationList"), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        queryset = selectors.observation_list_for_author(
            author=request_user(request), status=status_filter(request, Observation.Status.values)
        )
        return paginate(
            self,
            request,
            queryset,
            lambda item: ObservationSerializer(item, context={"request": request}).data,
        )

    @extend_schema(
        operation_id="observations_create",
        summary="Envoyer un signalement",
        description=(
            "JSON, ou multipart avec les photos sous `photos`. En-tête `Idempotency-Key` conseillé : une "
            "requête rejouée renvoie la première réponse sans rien créer ; la même clé avec un autre corps "
            "→ 422. Ce que deviennent les données, et les droits de l'auteur : `GET /api/v1/privacy/`, à "
            "montrer avant le premier envoi. " + EMERGENCY_CALL
        ),
        parameters=[IDEMPOTENCY_KEY],
        request={
            "application/json": ObservationInputSerializer,
            "multipart/form-data": ObservationMultipartInputSerializer,
        },
        responses={201: ObservationSerializer, **ERROR_RESPONSES, **IDEMPOTENCY_CONFLICT},
        examples=[
            OpenApiExample("Signalement", value=SUBMIT_EXAMPLE, request_only=True),
            OpenApiExample("Reçu", value=OBSERVATION_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    @idempotent("observation_submit")
    def post(self, request: Request) -> Response:
        user = request_user(request)
        photos = request.FILES.getlist("photos") if request.FILES else []
        serializer = validated(ObservationInputSerializer, request.data)
        observation = services.observation_submit(
            author=user, channel="app", photos=photos, ip=client_ip(request), **serializer
        )
        # The instance carries its category, sector, photos and history: nothing is read back.
        created = ObservationSerializer(observation, context={"request": request}).data
        return Response(created, status=status.HTTP_201_CREATED)


class ObservationDetailApi(APIView):
    permission_classes = [door("signed_in")]

    @extend_schema(
        operation_id="observations_retrieve",
        summary="Un signalement",
        description=(
            "L'auteur voit son signalement et son historique ; un modérateur de la commune voit tout ; un "
            "opérateur d'un service destinataire voit le texte transmis (chaque lecture est journalisée)."
        ),
        responses={
            200: PolymorphicProxySerializer(
                component_name="ObservationView",
                serializers=[ObservationSerializer, ModerationItemSerializer, ConsoleObservationSerializer],
                resource_type_field_name=None,
            ),
            **ERROR_RESPONSES,
            **NOT_FOUND,
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        observation = Observation.objects.filter(pk=pk).first()
        view = (
            access.observation_view(user, observation, second_factor=request_has_second_factor(request))
            if observation is not None
            else None
        )
        if view == access.View.AUTHOR:
            own = selectors.observation_list_for_author(author=user).get(pk=pk)
            return Response(ObservationSerializer(own, context={"request": request}).data)
        if view == access.View.MODERATION:
            moderated = selectors.observation_for_moderator(user=user, observation_id=pk)
            assert moderated is not None
            return moderation_served(request, [moderated], detail=True)[0]
        if view == access.View.POLICE:
            policed = selectors.observation_for_operator(user=user, observation_id=pk)
            assert policed is not None
            observations_served(request, [policed], view)
            data = selectors.observation_for_console(policed, audience="police")
            data["photos"] = photos_data(request, policed)
            data["photo_count"] = len(data["photos"])
            return Response(data)
        raise NotFound(_("Signalement introuvable."))


class ObservationAdditionApi(APIView):
    permission_classes = [door("reporter")]

    @extend_schema(
        operation_id="observations_additions_create",
        summary="Compléter mon signalement",
        request=AdditionInputSerializer,
        responses={201: ObservationAdditionSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        observation = Observation.objects.filter(pk=pk, author=user).first()
        if observation is None:
            raise NotFound(_("Signalement introuvable."))
        serializer = validated(AdditionInputSerializer, request.data)
        addition = services.observation_add_text(
            observation=observation, author=user, text=serializer["text"], channel="app"
        )
        return Response(
            ObservationAdditionSerializer(addition_data(addition)).data, status=status.HTTP_201_CREATED
        )
