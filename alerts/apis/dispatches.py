"""Dispatches as the police see them: list, read, acknowledge, assign, notes, hand over, close; agencies.

List, read, acknowledge, notes and close are also an agency's own system's (its token, door
"police_dispatch"); assign and hand over are people's (door "police")."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
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
    request_actor,
    status_filter,
)
from alerts.models import (
    Dispatch,
    DispatchNote,
)
from alerts.models.agency_tokens import agency_token_brief
from alerts.serializers import (
    AgencyBriefSerializer,
    AssignInputSerializer,
    CloseInputSerializer,
    DispatchNoteSerializer,
    DispatchSerializer,
    HandoverInputSerializer,
    NoteInputSerializer,
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


def note_data(note: DispatchNote) -> dict[str, Any]:
    """A dispatch's note as DispatchNoteSerializer documents it."""
    author = note.author
    return DispatchNoteSerializer(
        {
            "id": note.pk,
            "text": note.text,
            "author": {"id": author.pk, "name": author.display_name} if author else None,
            "agency_token": agency_token_brief(note.agency_token),
            "created_at": note.created_at,
        }
    ).data


def dispatch_item(request: Request, dispatch: Dispatch) -> dict[str, Any]:
    """The police view of a dispatch: the console's dict (the one realtime events carry), rendered by the
    serializer that documents it."""
    data = selectors.dispatch_for_console(dispatch)
    data["observation"]["photos"] = photos_data(request, dispatch.observation)
    data["notes"] = [note_data(note) for note in dispatch.notes.all()]
    data["additions"] = [
        addition_data(addition, view=access.View.POLICE)
        for addition in getattr(dispatch.observation, "visible_additions", [])
    ]
    return DispatchSerializer(data).data


def operator_dispatch_or_404(request: Request, pk: int) -> Dispatch:
    dispatch = selectors.dispatch_for_operator(user=request_actor(request), dispatch_id=pk)
    if dispatch is None:
        raise NotFound(_("Transmission introuvable."))
    return dispatch


def _dispatch_response(request: Request, pk: int) -> Response:
    dispatch = operator_dispatch_or_404(request, pk)
    observations_served(request, [dispatch.observation], access.View.POLICE)
    return Response(dispatch_item(request, dispatch))


class DispatchListApi(APIView):
    permission_classes = [door("police_dispatch")]

    @extend_schema(
        operation_id="dispatches_list",
        summary="Transmissions de mes services",
        parameters=[STATUS_PARAMETER],
        responses={200: paginated(DispatchSerializer, "PaginatedDispatchList"), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        queryset = selectors.dispatch_list_for_operator(
            user=request_actor(request), status=status_filter(request, Dispatch.Status.values)
        )
        return paginate(
            self,
            request,
            queryset,
            lambda item: dispatch_item(request, item),
            served=lambda page: observations_served(
                request, [row.observation for row in page], access.View.POLICE
            ),
        )


class DispatchDetailApi(APIView):
    permission_classes = [door("police_dispatch")]

    @extend_schema(
        operation_id="dispatches_retrieve",
        summary="Une transmission (lecture journalisée)",
        responses={200: DispatchSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _dispatch_response(request, pk)


class DispatchAcknowledgeApi(APIView):
    permission_classes = [door("police_dispatch")]

    @extend_schema(
        operation_id="dispatches_acknowledge",
        summary="Prendre en compte",
        request=None,
        responses={200: DispatchSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        services.dispatch_acknowledge(
            dispatch=operator_dispatch_or_404(request, pk), actor=request_actor(request)
        )
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
        dispatch = operator_dispatch_or_404(request, pk)
        data = validated(AssignInputSerializer, request.data)
        services.dispatch_assign(dispatch=dispatch, actor=request_user(request), assignee=data["assignee"])
        return _dispatch_response(request, pk)


class DispatchNotesApi(APIView):
    permission_classes = [door("police_dispatch")]

    @extend_schema(
        operation_id="dispatches_notes_create",
        summary="Ajouter une note",
        request=NoteInputSerializer,
        responses={201: DispatchNoteSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        dispatch = operator_dispatch_or_404(request, pk)
        data = validated(NoteInputSerializer, request.data)
        note = services.dispatch_add_note(dispatch=dispatch, actor=request_actor(request), text=data["text"])
        return Response(note_data(note), status=status.HTTP_201_CREATED)


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
        dispatch = operator_dispatch_or_404(request, pk)
        data = validated(HandoverInputSerializer, request.data)
        new = services.dispatch_handover(dispatch=dispatch, actor=request_user(request), **data)
        fresh = selectors.dispatch_list_for_operator(user=request_user(request)).filter(pk=new.pk).first()
        if fresh is None:  # the operator does not belong to the receiving agency: show what they handed over
            return _dispatch_response(request, pk)
        return Response(dispatch_item(request, fresh))


class DispatchCloseApi(APIView):
    permission_classes = [door("police_dispatch")]

    @extend_schema(
        operation_id="dispatches_close",
        summary="Clôturer",
        request=CloseInputSerializer,
        responses={200: DispatchSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
        examples=[OpenApiExample("Rien constaté", value={"outcome": "no_trace"}, request_only=True)],
    )
    def post(self, request: Request, pk: int) -> Response:
        dispatch = operator_dispatch_or_404(request, pk)
        data = validated(CloseInputSerializer, request.data)
        services.dispatch_close(dispatch=dispatch, actor=request_actor(request), outcome=data["outcome"])
        return _dispatch_response(request, pk)


class AgencyListApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="agencies_list",
        summary="Services de police de ma commune",
        responses={200: AgencyBriefSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        rows = access.agencies_listed(request_user(request))
        return Response([{"id": row.pk, "name": row.name, "kind": row.kind} for row in rows])
