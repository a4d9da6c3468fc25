"""The observations API: thin views over alerts.services (writes) and alerts.selectors (reads)."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access, selectors, services
from alerts.models import (
    Dispatch,
    IdempotencyRecord,
    Observation,
    ObservationAddition,
    ObservationPhoto,
    ObservationRead,
    SenderStanding,
)
from alerts.read_log import observation_reads_export, observation_reads_for, observation_reads_record
from alerts.serializers import (
    PHOTO_URL_MAX_AGE,
    PHOTO_URL_SALT,
    AdditionInputSerializer,
    AdditionReviewInputSerializer,
    AgencyBriefSerializer,
    ApproveInputSerializer,
    AssignInputSerializer,
    CategoryListSerializer,
    CloseInputSerializer,
    DispatchNoteSerializer,
    DispatchSerializer,
    EmergencyModeInputSerializer,
    EmergencyModeSerializer,
    HandoverInputSerializer,
    MergeInputSerializer,
    ModerationAdditionSerializer,
    ModerationItemSerializer,
    NoteInputSerializer,
    ObservationAdditionSerializer,
    ObservationInputSerializer,
    ObservationMultipartInputSerializer,
    ObservationReadSerializer,
    ObservationSerializer,
    ReadLogFilterSerializer,
    RejectInputSerializer,
    SenderBlockInputSerializer,
    SenderStandingSerializer,
    observation_for_author,
    photos_data,
)
from backend.accounts.models import User
from backend.accounts.second_factor import request_has_second_factor
from backend.audit.services import client_ip
from backend.core.access import door
from backend.core.errors import ApplicationError, NotFound, Unprocessable
from backend.core.pagination import Pagination
from backend.core.parsers import FormParser, JSONParser, MultiPartParser
from backend.core.schema import ERROR_RESPONSES
from backend.territory.models import Commune

IDEMPOTENCY_SCOPE = "observation_submit"
CONFLICT = {409: OpenApiResponse(ERROR_RESPONSES[400].response, description="Conflit : déjà pris ou traité.")}
NOT_FOUND = {404: OpenApiResponse(ERROR_RESPONSES[400].response, description="Introuvable.")}
UNPROCESSABLE = {
    422: OpenApiResponse(
        ERROR_RESPONSES[400].response, description="Clé d'idempotence déjà servie pour une autre requête."
    )
}

_paginated: dict[str, type[serializers.Serializer]] = {}


def paginated(item: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """A documented {"count","next","previous","results"} envelope for `item`."""
    if name not in _paginated:
        _paginated[name] = type(
            name,
            (serializers.Serializer,),
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": item(many=True),
            },
        )
    return _paginated[name]


def _paginate(
    view: APIView,
    request: Request,
    queryset: QuerySet[Any],
    render: Any,
    *,
    served: Callable[[list[Any]], None] | None = None,
) -> Response:
    """One page; `served` is told what the page holds (the officers' read log)."""
    paginator = Pagination()
    page = list(paginator.paginate_queryset(queryset, request, view=view) or [])
    if served is not None:
        served(page)
    return paginator.get_paginated_response([render(item) for item in page])


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


STATUS_PARAMETER = OpenApiParameter("status", str, description="Filtre sur l'état.")


# --- reporters ---------------------------------------------------------------------------------


def _request_fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    data = request.data
    if hasattr(data, "lists"):
        fields = {key: values for key, values in data.lists() if key not in request.FILES}
    else:
        fields = dict(data) if isinstance(data, dict) else {"_": data}
    digest.update(json.dumps(fields, sort_keys=True, default=str).encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(name.encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


SUBMIT_EXAMPLE = {
    "category": "cambriolage",
    "description": "Deux individus forcent le portail du 12 chemin des Amandiers.",
    "occurred_at": "2026-11-27T08:30:00+01:00",
    "latitude": 43.4102,
    "longitude": 5.3098,
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
    "sector": {"id": 3, "slug": "les-amandiers", "name": "Les Amandiers"},
    "in_progress": True,
    "created_at": "2026-11-27T08:31:02+01:00",
    "photos": [],
    "history": [
        {"status": "pending", "status_label": "en attente de modération", "at": "2026-11-27T08:31:02+01:00"}
    ],
    "emergency_reminder": "En cas d'urgence, appelez le 17 (ou le 112).",
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
        status_filter = request.query_params.get("status") or None
        if status_filter and status_filter not in Observation.Status.values:
            raise ApplicationError(_("État inconnu."), field="status")
        queryset = selectors.observation_list_for_author(author=_user(request), status=status_filter)
        return _paginate(self, request, queryset, lambda item: observation_for_author(request, item))

    @extend_schema(
        operation_id="observations_create",
        summary="Envoyer un signalement",
        description=(
            "JSON, ou multipart avec les photos sous `photos`. En-tête `Idempotency-Key` conseillé : une "
            "requête rejouée renvoie la première réponse sans rien créer ; la même clé avec un autre corps "
            "→ 422. En cas d'urgence, appelez le 17 (ou le 112)."
        ),
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", str, OpenApiParameter.HEADER, description="Clé unique par envoi (UUID)."
            )
        ],
        request={
            "application/json": ObservationInputSerializer,
            "multipart/form-data": ObservationMultipartInputSerializer,
        },
        responses={201: ObservationSerializer, **ERROR_RESPONSES, **UNPROCESSABLE},
        examples=[
            OpenApiExample("Signalement", value=SUBMIT_EXAMPLE, request_only=True),
            OpenApiExample("Reçu", value=OBSERVATION_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if len(key) > 120:
            raise ApplicationError(
                _("Clé d'idempotence trop longue (120 caractères au plus)."), field="Idempotency-Key"
            )
        if not key:
            return self._submit(request, user)
        fingerprint = _request_fingerprint(request)
        try:
            with transaction.atomic():
                previous = (
                    IdempotencyRecord.objects.select_for_update()
                    .filter(user=user, scope=IDEMPOTENCY_SCOPE, key=key)
                    .first()
                )
                if previous is not None:
                    return self._replay(previous, fingerprint)
                response = self._submit(request, user)
                IdempotencyRecord.objects.create(
                    user=user,
                    scope=IDEMPOTENCY_SCOPE,
                    key=key,
                    request_hash=fingerprint,
                    response_status=response.status_code,
                    response_body=json.loads(JSONRenderer().render(response.data)),
                )
                return response
        except IntegrityError:
            # A parallel request with the same key won: everything of this one was rolled back.
            previous = IdempotencyRecord.objects.get(user=user, scope=IDEMPOTENCY_SCOPE, key=key)
            return self._replay(previous, fingerprint)

    @staticmethod
    def _replay(previous: IdempotencyRecord, fingerprint: str) -> Response:
        if previous.request_hash != fingerprint:
            raise Unprocessable(
                _("Cette clé d'idempotence a déjà servi pour une autre requête."), field="Idempotency-Key"
            )
        response = Response(previous.response_body, status=previous.response_status)
        response["Idempotent-Replayed"] = "true"
        return response

    def _submit(self, request: Request, user: User) -> Response:
        photos = request.FILES.getlist("photos") if request.FILES else []
        serializer = ObservationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        observation = services.observation_submit(
            author=user, channel="app", photos=photos, ip=client_ip(request), **serializer.validated_data
        )
        # The instance carries its category, sector, photos and history: nothing is read back.
        created = observation_for_author(request, observation)
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
        responses={200: ObservationSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        user = _user(request)
        observation = Observation.objects.filter(pk=pk).first()
        view = (
            access.observation_view(user, observation, second_factor=request_has_second_factor(request))
            if observation is not None
            else None
        )
        if view == access.View.AUTHOR:
            own = selectors.observation_list_for_author(author=user).get(pk=pk)
            return Response(observation_for_author(request, own))
        if view == access.View.MODERATION:
            moderated = selectors.observation_for_moderator(user=user, observation_id=pk)
            assert moderated is not None
            return _moderation_served(request, [moderated], detail=True)[0]
        if view == access.View.POLICE:
            policed = selectors.observation_for_operator(user=user, observation_id=pk)
            assert policed is not None
            _served(request, [policed], view)
            data = selectors.observation_for_console(policed, audience="police")
            data["photos"] = photos_data(request, policed)
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
        user = _user(request)
        observation = Observation.objects.filter(pk=pk, author=user).first()
        if observation is None:
            raise NotFound(_("Signalement introuvable."))
        serializer = AdditionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        addition = services.observation_add_text(
            observation=observation, author=user, text=serializer.validated_data["text"], channel="app"
        )
        return Response(_addition(addition), status=status.HTTP_201_CREATED)


def _addition(addition: ObservationAddition, *, view: str = access.View.MODERATION) -> dict[str, Any]:
    """A follow-up as a view shows it: the police read the approved text (redacted when it was)."""
    data: dict[str, Any] = {
        "id": addition.pk,
        "text": addition.police_text if view == access.View.POLICE else addition.text,
        "status": addition.status,
        "channel": addition.channel,
        "created_at": addition.created_at,
    }
    if view == access.View.MODERATION:
        data["redacted_text"] = addition.redacted_text
    return data


def _served(request: Request, observations: list[Observation], view: str) -> None:
    """Logs what a staff member was served (the officers' read log)."""
    observation_reads_record(
        actor=request.user,
        observations=observations,
        door=ObservationRead.Door.API,
        view=view,
        ip=client_ip(request),
    )


def _moderation_served(
    request: Request, observations: list[Observation], *, detail: bool = False
) -> list[Any]:
    _served(request, observations, access.View.MODERATION)
    return [Response(moderation_item(request, observation, detail=detail)) for observation in observations]


class ObservationPhotoApi(APIView):
    """Streams one photo: to whoever may see the observation, or with a signed, expiring URL."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="observations_photos_retrieve",
        summary="Une photo d'un signalement",
        parameters=[OpenApiParameter("signature", str, description="Signature de l'adresse (15 minutes).")],
        responses={(200, "image/*"): OpenApiTypes.BINARY, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int, photo_id: int) -> HttpResponseBase:
        photo = (
            ObservationPhoto.objects.select_related("observation")
            .filter(pk=photo_id, observation_id=pk)
            .first()
        )
        if photo is None:
            raise NotFound(_("Photo introuvable."))
        allowed = False
        signature = request.query_params.get("signature")
        if signature:
            try:
                value = signing.TimestampSigner(salt=PHOTO_URL_SALT).unsign(
                    signature, max_age=PHOTO_URL_MAX_AGE
                )
                allowed = value == str(photo.pk)
            except signing.BadSignature:
                allowed = False
        observation = photo.observation
        view = access.observation_view(
            request.user, observation, second_factor=request_has_second_factor(request)
        )
        if not allowed and view is None:
            raise NotFound(_("Photo introuvable."))
        if view not in (None, access.View.AUTHOR):
            observation_reads_record(
                actor=request.user,
                observations=[observation],
                door=ObservationRead.Door.PHOTO,
                view=view,
                ip=client_ip(request),
            )
        response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class CategoryListApi(APIView):
    permission_classes = [door("signed_in")]

    @extend_schema(
        operation_id="categories_list",
        summary="Catégories de signalement",
        responses={200: CategoryListSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Catégories",
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [{"slug": "cambriolage", "label": "cambriolage ou tentative", "urgent": True}],
                    "emergency_reminder": "En cas d'urgence, appelez le 17 (ou le 112).",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        commune = _user(request).commune
        rows = selectors.category_list(commune=commune)
        return Response(
            {
                "count": len(rows),
                "next": None,
                "previous": None,
                "results": [{"slug": row.slug, "label": row.label, "urgent": row.urgent} for row in rows],
                "emergency_reminder": selectors.emergency_reminder(),
            }
        )


# --- moderation --------------------------------------------------------------------------------


def moderation_item(request: Request, observation: Observation, *, detail: bool = False) -> dict[str, Any]:
    """The moderation view of an observation (its author, the original text, every follow-up)."""
    data = selectors.observation_for_console(observation, audience="moderation")
    data["photos"] = photos_data(request, observation)
    data["additions"] = [_addition(addition) for addition in observation.additions.all()]
    if detail:
        data["history"] = selectors.transitions_for_staff(observation)
        data["suggested_agencies"] = [
            {"id": agency.pk, "name": agency.name, "kind": agency.kind}
            for agency in selectors.routing_agencies(observation=observation)
        ]
        data["dispatches"] = [
            {
                "id": dispatch.pk,
                "agency": {"id": dispatch.agency_id, "name": dispatch.agency.name},
                "status": dispatch.status,
            }
            for dispatch in observation.dispatches.all()
        ]
    return data


def _moderated(request: Request, pk: int) -> Observation:
    observation = selectors.observation_for_moderator(user=_user(request), observation_id=pk)
    if observation is None:
        raise NotFound(_("Signalement introuvable."))
    return observation


def _moderation_response(request: Request, pk: int) -> Response:
    return _moderation_served(request, [_moderated(request, pk)], detail=True)[0]


class ModerationQueueApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="moderation_queue",
        summary="File de modération",
        description="Signalements en attente de la commune : en cours d'abord, puis les plus anciens.",
        responses={
            200: paginated(ModerationItemSerializer, "PaginatedModerationItemList"),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> Response:
        queryset = selectors.moderation_queue(user=_user(request))
        return _paginate(
            self,
            request,
            queryset,
            lambda item: moderation_item(request, item),
            served=lambda page: _served(request, page, access.View.MODERATION),
        )


class ModerationItemApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="moderation_retrieve",
        summary="Un signalement (modération)",
        description="Texte d'origine, caviardage, historique complet, services proposés par l'orientation.",
        responses={200: ModerationItemSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _moderation_response(request, pk)


class ModerationClaimApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="moderation_claim",
        summary="Prendre en charge (10 minutes)",
        request=None,
        responses={200: ModerationItemSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        services.observation_claim(observation=_moderated(request, pk), actor=_user(request))
        return _moderation_response(request, pk)


class ModerationReleaseApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="moderation_release",
        summary="Relâcher",
        request=None,
        responses={200: ModerationItemSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        services.observation_release(observation=_moderated(request, pk), actor=_user(request))
        return _moderation_response(request, pk)


class ModerationApproveApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="moderation_approve",
        summary="Valider et transmettre",
        request=ApproveInputSerializer,
        responses={200: ModerationItemSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
        examples=[
            OpenApiExample(
                "Caviardé, vers la police municipale",
                value={
                    "redacted_description": "Deux individus forcent un portail, chemin des Amandiers.",
                    "agencies": [1],
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        observation = _moderated(request, pk)
        serializer = ApproveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.observation_approve(
            observation=observation, actor=_user(request), **serializer.validated_data
        )
        return _moderation_response(request, pk)


class ModerationRejectApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="moderation_reject",
        summary="Ne pas retenir",
        request=RejectInputSerializer,
        responses={200: ModerationItemSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
        examples=[OpenApiExample("Infondé", value={"reason": "false_report", "note": ""}, request_only=True)],
    )
    def post(self, request: Request, pk: int) -> Response:
        observation = _moderated(request, pk)
        serializer = RejectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.observation_reject(
            observation=observation, actor=_user(request), **serializer.validated_data
        )
        return _moderation_response(request, pk)


class ModerationMergeApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="moderation_merge",
        summary="Fusionner avec un signalement existant",
        request=MergeInputSerializer,
        responses={200: ModerationItemSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        observation = _moderated(request, pk)
        serializer = MergeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.observation_merge(
            observation=observation, actor=_user(request), into=serializer.validated_data["into"]
        )
        return _moderation_response(request, pk)


def _moderated_additions(request: Request) -> QuerySet[ObservationAddition]:
    observations = access.observations_moderated(_user(request)).filter(quarantined=False)
    return ObservationAddition.objects.select_related("observation").filter(observation__in=observations)


class ModerationAdditionListApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="moderation_additions_list",
        summary="Compléments en attente de modération",
        description=(
            "Les compléments envoyés par les auteurs attendent un modérateur avant d'atteindre la police, "
            "que le signalement soit encore dans la file ou déjà transmis. Les plus anciens d'abord."
        ),
        responses={
            200: paginated(ModerationAdditionSerializer, "PaginatedModerationAdditionList"),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> Response:
        pending = _moderated_additions(request).filter(status=ObservationAddition.Status.PENDING)
        return _paginate(
            self,
            request,
            pending.order_by("created_at", "id"),
            _pending_addition,
            served=lambda page: _served(request, [row.observation for row in page], access.View.MODERATION),
        )


def _pending_addition(addition: ObservationAddition) -> dict[str, Any]:
    observation = addition.observation
    return {
        **_addition(addition),
        "observation": {
            "id": observation.pk,
            "reference": observation.reference,
            "status": observation.status,
        },
    }


class ModerationAdditionReviewApi(APIView):
    permission_classes = [door("moderation")]
    approve = True

    @extend_schema(
        operation_id="moderation_addition_review",
        summary="Laisser passer un complément vers la police (tel quel ou caviardé)",
        request=AdditionReviewInputSerializer,
        responses={200: ObservationAdditionSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
        examples=[
            OpenApiExample(
                "Caviardé",
                value={"redacted_text": "Ils sont partis en scooter vers la gare."},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        addition = _moderated_additions(request).filter(pk=pk).first()
        if addition is None:
            raise NotFound(_("Complément introuvable."))
        serializer = AdditionReviewInputSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        addition = services.observation_addition_review(
            addition=addition,
            actor=user,
            approve=self.approve,
            redacted_text=serializer.validated_data.get("redacted_text") if self.approve else None,
        )
        return Response(_addition(addition))


class ModerationAdditionRejectApi(ModerationAdditionReviewApi):
    approve = False

    @extend_schema(
        operation_id="moderation_addition_reject",
        summary="Écarter un complément (la police ne le lira pas)",
        request=None,
        responses={200: ObservationAdditionSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


# --- dispatch ----------------------------------------------------------------------------------


def dispatch_item(request: Request, dispatch: Dispatch) -> dict[str, Any]:
    data = selectors.dispatch_for_console(dispatch)
    data["observation"]["photos"] = photos_data(request, dispatch.observation)
    data["notes"] = [
        {
            "id": note.pk,
            "text": note.text,
            "author": {"id": note.author_id, "name": note.author.display_name} if note.author else None,
            "created_at": note.created_at,
        }
        for note in dispatch.notes.all()
    ]
    data["additions"] = [
        _addition(addition, view=access.View.POLICE)
        for addition in getattr(dispatch.observation, "visible_additions", [])
    ]
    return data


def _dispatch(request: Request, pk: int) -> Dispatch:
    dispatch = selectors.dispatch_for_operator(user=_user(request), dispatch_id=pk)
    if dispatch is None:
        raise NotFound(_("Transmission introuvable."))
    return dispatch


def _dispatch_response(request: Request, pk: int) -> Response:
    dispatch = _dispatch(request, pk)
    _served(request, [dispatch.observation], access.View.POLICE)
    return Response(dispatch_item(request, dispatch))


class DispatchListApi(APIView):
    permission_classes = [door("police")]

    @extend_schema(
        operation_id="dispatches_list",
        summary="Transmissions de mes services",
        parameters=[STATUS_PARAMETER],
        responses={200: paginated(DispatchSerializer, "PaginatedDispatchList"), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        status_filter = request.query_params.get("status") or None
        if status_filter and status_filter not in Dispatch.Status.values:
            raise ApplicationError(_("État inconnu."), field="status")
        queryset = selectors.dispatch_list_for_operator(user=_user(request), status=status_filter)
        return _paginate(
            self,
            request,
            queryset,
            lambda item: dispatch_item(request, item),
            served=lambda page: _served(request, [row.observation for row in page], access.View.POLICE),
        )


class DispatchDetailApi(APIView):
    permission_classes = [door("police")]

    @extend_schema(
        operation_id="dispatches_retrieve",
        summary="Une transmission (lecture journalisée)",
        responses={200: DispatchSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _dispatch_response(request, pk)


class DispatchAcknowledgeApi(APIView):
    permission_classes = [door("police")]

    @extend_schema(
        operation_id="dispatches_acknowledge",
        summary="Prendre en compte",
        request=None,
        responses={200: DispatchSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        services.dispatch_acknowledge(dispatch=_dispatch(request, pk), actor=_user(request))
        return _dispatch_response(request, pk)


class DispatchAssignApi(APIView):
    permission_classes = [door("police")]

    @extend_schema(
        operation_id="dispatches_assign",
        summary="Confier à un opérateur du service",
        request=AssignInputSerializer,
        responses={200: DispatchSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        dispatch = _dispatch(request, pk)
        serializer = AssignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.dispatch_assign(
            dispatch=dispatch, actor=_user(request), assignee=serializer.validated_data["assignee"]
        )
        return _dispatch_response(request, pk)


class DispatchNotesApi(APIView):
    permission_classes = [door("police")]

    @extend_schema(
        operation_id="dispatches_notes_create",
        summary="Ajouter une note",
        request=NoteInputSerializer,
        responses={201: DispatchNoteSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        dispatch = _dispatch(request, pk)
        serializer = NoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = _user(request)
        note = services.dispatch_add_note(
            dispatch=dispatch, actor=user, text=serializer.validated_data["text"]
        )
        return Response(
            {
                "id": note.pk,
                "text": note.text,
                "author": {"id": user.pk, "name": user.display_name},
                "created_at": note.created_at,
            },
            status=status.HTTP_201_CREATED,
        )


class DispatchHandoverApi(APIView):
    permission_classes = [door("police")]

    @extend_schema(
        operation_id="dispatches_handover",
        summary="Transférer à un autre service",
        description="Renvoie la nouvelle transmission (celle du service destinataire).",
        request=HandoverInputSerializer,
        responses={200: DispatchSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        dispatch = _dispatch(request, pk)
        serializer = HandoverInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = services.dispatch_handover(dispatch=dispatch, actor=_user(request), **serializer.validated_data)
        fresh = selectors.dispatch_list_for_operator(user=_user(request)).filter(pk=new.pk).first()
        if fresh is None:  # the operator does not belong to the receiving agency: show what they handed over
            return _dispatch_response(request, pk)
        return Response(dispatch_item(request, fresh))


class DispatchCloseApi(APIView):
    permission_classes = [door("police")]

    @extend_schema(
        operation_id="dispatches_close",
        summary="Clôturer",
        request=CloseInputSerializer,
        responses={200: DispatchSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
        examples=[OpenApiExample("Rien constaté", value={"outcome": "no_trace"}, request_only=True)],
    )
    def post(self, request: Request, pk: int) -> Response:
        dispatch = _dispatch(request, pk)
        serializer = CloseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.dispatch_close(
            dispatch=dispatch, actor=_user(request), outcome=serializer.validated_data["outcome"]
        )
        return _dispatch_response(request, pk)


class AgencyListApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="agencies_list",
        summary="Services de police de ma commune",
        responses={200: AgencyBriefSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        rows = access.agencies_listed(_user(request))
        return Response([{"id": row.pk, "name": row.name, "kind": row.kind} for row in rows])


# --- emergency cell and senders ----------------------------------------------------------------


def _commune(request: Request) -> Commune:
    commune_id = access.staff_commune(_user(request))
    commune = Commune.objects.filter(pk=commune_id).first() if commune_id is not None else None
    if commune is None:
        raise NotFound(_("Aucune commune."))
    return commune


def _emergency(request: Request) -> dict[str, Any]:
    row = selectors.commune_settings(commune=_commune(request))
    changed_by = row.emergency_changed_by
    return {
        "active": row.emergency_active,
        "categories": sorted(category.slug for category in row.emergency_categories.all()),
        "reason": row.emergency_reason,
        "changed_by": {"id": changed_by.pk, "name": changed_by.display_name} if changed_by else None,
        "changed_at": row.emergency_changed_at,
    }


class EmergencyModeApi(APIView):
    def get_permissions(self) -> list[Any]:
        return [door("staff")()] if self.request.method == "GET" else [door("moderation")()]

    @extend_schema(
        operation_id="emergency_mode_retrieve",
        summary="Cellule de veille d'urgence",
        responses={200: EmergencyModeSerializer, **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        return Response(_emergency(request))

    @extend_schema(
        operation_id="emergency_mode_update",
        summary="Activer ou lever la cellule de veille d'urgence",
        description="Tant qu'elle est active, les catégories choisies sont transmises sans modération.",
        request=EmergencyModeInputSerializer,
        responses={200: EmergencyModeSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Activation",
                value={
                    "active": True,
                    "categories": ["cambriolage", "violences"],
                    "reason": "Cellule activée par le maire après une série de cambriolages.",
                },
                request_only=True,
            )
        ],
    )
    def put(self, request: Request) -> Response:
        commune = _commune(request)
        serializer = EmergencyModeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.emergency_mode_set(commune=commune, actor=_user(request), **serializer.validated_data)
        return Response(_emergency(request))


def _standing(row: SenderStanding) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "rejections": row.rejections,
        "flagged_at": row.flagged_at,
        "blocked_at": row.blocked_at,
        "block_reason": row.block_reason,
    }


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
        commune_id = access.moderated_commune(_user(request))
        queryset = SenderStanding.objects.filter(
            user__commune_id=commune_id if commune_id is not None else 0
        ).filter(Q(flagged_at__isnull=False) | Q(blocked_at__isnull=False))
        return _paginate(self, request, queryset.order_by("-flagged_at", "id"), _standing)


def _sender(request: Request, user_id: int) -> User:
    return get_object_or_404(User, pk=user_id, commune_id=access.moderated_commune(_user(request)))


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
        serializer = SenderBlockInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.sender_block(
            user=_sender(request, user_id), actor=_user(request), **serializer.validated_data
        )
        return Response(_standing(row))


class SenderUnblockApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="senders_unblock",
        summary="Débloquer un expéditeur",
        request=None,
        responses={200: SenderStandingSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, user_id: int) -> Response:
        row = services.sender_unblock(user=_sender(request, user_id), actor=_user(request))
        return Response(_standing(row))


class BenchPingApi(APIView):
    """The bare endpoint of benchmarks/intake.py (mounted only with VIGIE_BENCH=1, not in the schema)."""

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        return Response({"ok": True, "echo": len(request.data)}, status=status.HTTP_201_CREATED)


# --- the officers' read log (for the data-protection officer) ------------------------------------

READ_LOG_FILTERS = [
    OpenApiParameter("observation", int, description="Id d'un signalement : qui l'a lu."),
    OpenApiParameter("officer", int, description="Id d'un agent : ce qu'il a lu."),
    OpenApiParameter("author", int, description="Id d'un auteur : qui a lu ses signalements."),
]


def _read_log(request: Request) -> tuple[QuerySet[ObservationRead], dict[str, int | None]]:
    serializer = ReadLogFilterSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    filters: dict[str, int | None] = {
        name: serializer.validated_data.get(name) for name in ("observation", "officer", "author")
    }
    if all(value is None for value in filters.values()):
        raise ApplicationError(
            _("Précisez un signalement (observation), un agent (officer) ou un auteur (author)."),
            field="observation",
        )
    return observation_reads_for(user=_user(request), **filters), filters


def _read_row(row: ObservationRead) -> dict[str, Any]:
    actor = row.actor
    return {
        "at": row.at,
        "observation_id": row.observation_id,
        "reference": row.reference,
        "officer": {"id": actor.pk, "name": actor.display_name, "role": actor.role} if actor else None,
        "door": row.door,
        "view": row.view,
        "ip": row.ip,
    }


class ObservationReadListApi(APIView):
    permission_classes = [door("commune_admin")]

    @extend_schema(
        operation_id="observation_reads_list",
        summary="Journal des lectures de signalements",
        description=(
            "Chaque signalement servi à un agent (API, console, photos, administration) y figure. Pour "
            "répondre à une demande : un signalement, un agent ou un auteur. Les signalements de la commune."
        ),
        parameters=READ_LOG_FILTERS,
        responses={
            200: paginated(ObservationReadSerializer, "PaginatedObservationReadList"),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> Response:
        rows, _filters = _read_log(request)
        return _paginate(self, request, rows, _read_row)


class ObservationReadExportApi(APIView):
    permission_classes = [door("commune_admin")]

    @extend_schema(
        operation_id="observation_reads_export_csv",
        summary="Exporter le journal des lectures (CSV)",
        description="CSV UTF-8, séparateur « ; » ; chaque export est journalisé.",
        parameters=READ_LOG_FILTERS,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Le fichier CSV."),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        rows, filters = _read_log(request)
        content = observation_reads_export(user=_user(request), rows=rows, filters=filters)
        response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="lectures-{stamp}.csv"'
        return response
