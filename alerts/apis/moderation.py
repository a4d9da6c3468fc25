"""The moderation queue: claim, release, approve, reject, merge, and follow-ups to review."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access, selectors, services
from alerts.apis.common import (
    addition_data,
    observations_served,
)
from alerts.models import (
    Observation,
    ObservationAddition,
)
from alerts.personal_data_flags import report_flags
from alerts.serializers import (
    AdditionReviewInputSerializer,
    ApproveInputSerializer,
    MergeInputSerializer,
    ModerationAdditionSerializer,
    ModerationConflictSerializer,
    ModerationItemSerializer,
    ObservationAdditionSerializer,
    RejectInputSerializer,
    photos_data,
)
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
from backend.core.errors import NotFound

MODERATION_CONFLICT = {
    409: OpenApiResponse(
        ModerationConflictSerializer, description="Déjà traité, ou pris en charge par un autre modérateur."
    )
}


def moderation_served(
    request: Request, observations: list[Observation], *, detail: bool = False
) -> list[Any]:
    observations_served(request, observations, access.View.MODERATION)
    return [Response(moderation_item(request, observation, detail=detail)) for observation in observations]


def moderation_item(request: Request, observation: Observation, *, detail: bool = False) -> dict[str, Any]:
    """The moderation view of an observation (its author, the original text, every follow-up): the
    console's dict (the one realtime events carry), rendered by the serializer that documents it."""
    data = selectors.observation_for_console(observation, audience="moderation")
    data["photos"] = photos_data(request, observation)
    data["additions"] = [addition_data(addition) for addition in observation.additions.all()]
    data["personal_data_flags"] = report_flags(
        description=observation.description,
        place=observation.place,
        additions=[(addition["id"], addition["text"]) for addition in data["additions"]],
    )
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
        data["likely_duplicates"] = selectors.observation_duplicates(observations=[observation]).get(
            observation.pk, []
        )
    return ModerationItemSerializer(data).data


def _moderated(request: Request, pk: int) -> Observation:
    observation = selectors.observation_for_moderator(user=request_user(request), observation_id=pk)
    if observation is None:
        raise NotFound(_("Signalement introuvable."))
    return observation


def _moderation_response(request: Request, pk: int) -> Response:
    return moderation_served(request, [_moderated(request, pk)], detail=True)[0]


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
        queryset = selectors.moderation_queue(user=request_user(request))
        return paginate(
            self,
            request,
            queryset,
            lambda item: moderation_item(request, item),
            served=lambda page: observations_served(request, page, access.View.MODERATION),
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
        responses={200: ModerationItemSerializer, **ERROR_RESPONSES, **NOT_FOUND, **MODERATION_CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        services.observation_claim(observation=_moderated(request, pk), actor=request_user(request))
        return _moderation_response(request, pk)


class ModerationReleaseApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="moderation_release",
        summary="Relâcher",
        request=None,
        responses={200: ModerationItemSerializer, **ERROR_RESPONSES, **NOT_FOUND, **MODERATION_CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        services.observation_release(observation=_moderated(request, pk), actor=request_user(request))
        return _moderation_response(request, pk)


class ModerationApproveApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="moderation_approve",
        summary="Valider et transmettre",
        request=ApproveInputSerializer,
        responses={200: ModerationItemSerializer, **ERROR_RESPONSES, **NOT_FOUND, **MODERATION_CONFLICT},
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
        data = validated(ApproveInputSerializer, request.data)
        services.observation_approve(observation=observation, actor=request_user(request), **data)
        return _moderation_response(request, pk)


class ModerationRejectApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="moderation_reject",
        summary="Ne pas retenir",
        request=RejectInputSerializer,
        responses={200: ModerationItemSerializer, **ERROR_RESPONSES, **NOT_FOUND, **MODERATION_CONFLICT},
        examples=[OpenApiExample("Infondé", value={"reason": "false_report", "note": ""}, request_only=True)],
    )
    def post(self, request: Request, pk: int) -> Response:
        observation = _moderated(request, pk)
        data = validated(RejectInputSerializer, request.data)
        services.observation_reject(observation=observation, actor=request_user(request), **data)
        return _moderation_response(request, pk)


class ModerationMergeApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="moderation_merge",
        summary="Fusionner avec un signalement existant",
        request=MergeInputSerializer,
        responses={200: ModerationItemSerializer, **ERROR_RESPONSES, **NOT_FOUND, **MODERATION_CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        observation = _moderated(request, pk)
        data = validated(MergeInputSerializer, request.data)
        services.observation_merge(observation=observation, actor=request_user(request), into=data["into"])
        return _moderation_response(request, pk)


def _moderated_additions(request: Request) -> QuerySet[ObservationAddition]:
    observations = access.observations_moderated(request_user(request)).filter(quarantined=False)
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
        return paginate(
            self,
            request,
            pending.order_by("created_at", "id"),
            _pending_addition,
            served=lambda page: observations_served(
                request, [row.observation for row in page], access.View.MODERATION
            ),
        )


def _pending_addition(addition: ObservationAddition) -> dict[str, Any]:
    return ModerationAdditionSerializer({**addition_data(addition), "observation": addition.observation}).data


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
        user = request_user(request)
        addition = _moderated_additions(request).filter(pk=pk).first()
        if addition is None:
            raise NotFound(_("Complément introuvable."))
        serializer = validated(AdditionReviewInputSerializer, request.data or {})
        addition = services.observation_addition_review(
            addition=addition,
            actor=user,
            approve=self.approve,
            redacted_text=serializer.get("redacted_text") if self.approve else None,
        )
        return Response(ObservationAdditionSerializer(addition_data(addition)).data)


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
