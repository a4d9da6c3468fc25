"""The observations API: thin views over alerts.services (writes) and alerts.selectors (reads)."""

import hashlib
import json
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import selectors, services
from alerts.models import (
    Dispatch,
    IdempotencyRecord,
    Observation,
    ObservationAddition,
    ObservationPhoto,
    SenderStanding,
)
from alerts.serializers import (
    PHOTO_URL_MAX_AGE,
    PHOTO_URL_SALT,
    AdditionInputSerializer,
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
    ModerationItemSerializer,
    NoteInputSerializer,
    ObservationAdditionSerializer,
    ObservationInputSerializer,
    ObservationMultipartInputSerializer,
    ObservationSerializer,
    RejectInputSerializer,
    SenderBlockInputSerializer,
    SenderStandingSerializer,
    observation_for_author,
    photos_data,
)
from backend.accounts.models import User
from backend.accounts.permissions import IsModerator, IsOperator, IsReporter, IsStaff
from backend.audit.services import client_ip
from backend.core.errors import ApplicationError, NotFound, Unprocessable
from backend.core.pagination import Pagination
from backend.core.parsers import FormParser, JSONParser, MultiPartParser
from backend.core.schema import ERROR_RESPONSES

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


def _paginate(view: APIView, request: Request, queryset: QuerySet[Any], render: Any) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response([render(item) for item in page or []])


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
    permission_classes = [IsReporter]
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
    permission_classes = [IsAuthenticated]

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
        own = selectors.observation_list_for_author(author=user).filter(pk=pk).first()
        if own is not None:
            return Response(observation_for_author(request, own))
        moderated = selectors.observation_for_moderator(user=user, observation_id=pk)
        if moderated is not None:
            return Response(moderation_item(request, moderated, detail=True))
        policed = selectors.observation_for_operator(user=user, observation_id=pk)
        if policed is not None:
            services.observation_read_log(observation=policed, actor=user, ip=client_ip(request))
            data = selectors.observation_for_console(policed, audience="police")
            data["photos"] = photos_data(request, policed)
            return Response(data)
        raise NotFound(_("Signalement introuvable."))


class ObservationAdditionApi(APIView):
    permission_classes = [IsReporter]

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


def _addition(addition: ObservationAddition) -> dict[str, Any]:
    return {
        "id": addition.pk,
        "text": addition.text,
        "status": addition.status,
        "channel": addition.channel,
        "created_at": addition.created_at,
    }


def _may_see_photo(user: Any, photo: ObservationPhoto) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    observation_id = photo.observation_id
    if Observation.objects.filter(pk=observation_id, author=user).exists():
        return True
    if selectors.observation_for_moderator(user=user, observation_id=observation_id) is not None:
        return True
    return selectors.observation_for_operator(user=user, observation_id=observation_id) is not None


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
        photo = ObservationPhoto.objects.filter(pk=photo_id, observation_id=pk).first()
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
        if not allowed:
            allowed = _may_see_photo(request.user, photo)
        if not allowed:
            raise NotFound(_("Photo introuvable."))
        response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class CategoryListApi(APIView):
    permission_classes = [IsAuthenticated]

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
    return Response(moderation_item(request, _moderated(request, pk), detail=True))


class ModerationQueueApi(APIView):
    permission_classes = [IsModerator]

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
        queryset = selectors.moderation_queue(commune_id=_user(request).commune_id)
        return _paginate(self, request, queryset, lambda item: moderation_item(request, item))


class ModerationItemApi(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        operation_id="moderation_retrieve",
        summary="Un signalement (modération)",
        description="Texte d'origine, caviardage, historique complet, services proposés par l'orientation.",
        responses={200: ModerationItemSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _moderation_response(request, pk)


class ModerationClaimApi(APIView):
    permission_classes = [IsModerator]

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
    permission_classes = [IsModerator]

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
    permission_classes = [IsModerator]

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
    permission_classes = [IsModerator]

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
    permission_classes = [IsModerator]

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


class ModerationAdditionReviewApi(APIView):
    permission_classes = [IsModerator]
    approve = True

    @extend_schema(
        operation_id="moderation_addition_review",
        summary="Laisser passer (ou non) un complément vers la police",
        request=None,
        responses={200: ObservationAdditionSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        addition = (
            ObservationAddition.objects.select_related("observation")
            .filter(pk=pk, observation__commune_id=user.commune_id or 0)
            .first()
        )
        if addition is None:
            raise NotFound(_("Complément introuvable."))
        addition = services.observation_addition_review(addition=addition, actor=user, approve=self.approve)
        return Response(_addition(addition))


class ModerationAdditionRejectApi(ModerationAdditionReviewApi):
    approve = False

    @extend_schema(
        operation_id="moderation_addition_reject",
        summary="Écarter un complément",
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
        _addition(addition) for addition in getattr(dispatch.observation, "visible_additions", [])
    ]
    return data


def _dispatch(request: Request, pk: int) -> Dispatch:
    dispatch = selectors.dispatch_for_operator(user=_user(request), dispatch_id=pk)
    if dispatch is None:
        raise NotFound(_("Transmission introuvable."))
    return dispatch


def _dispatch_response(request: Request, pk: int) -> Response:
    return Response(dispatch_item(request, _dispatch(request, pk)))


class DispatchListApi(APIView):
    permission_classes = [IsOperator]

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
        return _paginate(self, request, queryset, lambda item: dispatch_item(request, item))


class DispatchDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        operation_id="dispatches_retrieve",
        summary="Une transmission (lecture journalisée)",
        responses={200: DispatchSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        dispatch = _dispatch(request, pk)
        services.observation_read_log(
            observation=dispatch.observation, actor=_user(request), ip=client_ip(request)
        )
        return Response(dispatch_item(request, dispatch))


class DispatchAcknowledgeApi(APIView):
    permission_classes = [IsOperator]

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
    permission_classes = [IsOperator]

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
    permission_classes = [IsOperator]

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
    permission_classes = [IsOperator]

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
    permission_classes = [IsOperator]

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
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="agencies_list",
        summary="Services de police de ma commune",
        responses={200: AgencyBriefSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        commune = _user(request).commune
        rows = selectors.agencies_serving(commune=commune) if commune else []
        return Response([{"id": row.pk, "name": row.name, "kind": row.kind} for row in rows])


# --- emergency cell and senders ----------------------------------------------------------------


def _emergency(request: Request) -> dict[str, Any]:
    commune = _user(request).commune
    if commune is None:
        raise NotFound(_("Aucune commune."))
    row = selectors.commune_settings(commune=commune)
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
        return [IsStaff()] if self.request.method == "GET" else [IsModerator()]

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
        user = _user(request)
        if user.commune is None:
            raise NotFound(_("Aucune commune."))
        serializer = EmergencyModeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.emergency_mode_set(commune=user.commune, actor=user, **serializer.validated_data)
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
    permission_classes = [IsModerator]

    @extend_schema(
        operation_id="senders_flagged_list",
        summary="Expéditeurs signalés (refus répétés) ou bloqués",
        responses={
            200: paginated(SenderStandingSerializer, "PaginatedSenderStandingList"),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> Response:
        queryset = SenderStanding.objects.filter(
            user__commune_id=_user(request).commune_id or 0, flagged_at__isnull=False
        ) | SenderStanding.objects.filter(
            user__commune_id=_user(request).commune_id or 0, blocked_at__isnull=False
        )
        return _paginate(self, request, queryset.order_by("-flagged_at", "id"), _standing)


def _sender(request: Request, user_id: int) -> User:
    return get_object_or_404(User, pk=user_id, commune_id=_user(request).commune_id or 0)


class SenderBlockApi(APIView):
    permission_classes = [IsModerator]

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
    permission_classes = [IsModerator]

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
