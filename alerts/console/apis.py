"""Read APIs of the live console: its initial state and an observation's detail (actions go over the
socket or the alerts REST API; both call the same services)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access
from alerts.console.selectors import console_observation, console_state, observation_detail
from alerts.models import ObservationRead
from alerts.read_log import observation_reads_record, observation_reads_record_ids
from backend.accounts.models import User
from backend.audit.services import client_ip
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, ErrorSerializer
from backend.core.errors import NotFound

_NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Signalement introuvable ou hors de cette console.")

_STATE_EXAMPLE = {
    "newest_event_id": 1284,
    "user": {"id": 7, "name": "Brigadier Martin", "role": "operator", "moderator": False},
    "commune": {"id": 1, "name": "Les Pennes-Mirabeau", "slug": "les-pennes-mirabeau"},
    "agencies": [{"id": 2, "name": "Police municipale des Pennes-Mirabeau", "kind": "police_municipale"}],
    "observations": [],
    "dispatches": [
        {
            "id": 31,
            "status": "sent",
            "status_label": "transmis",
            "agency": {"id": 2, "name": "Police municipale des Pennes-Mirabeau", "kind": "police_municipale"},
            "assignee": None,
            "created_at": "2026-11-27T10:02:11+01:00",
            "ack_deadline": "2026-11-27T10:12:11+01:00",
            "observation": {
                "id": 88,
                "reference": "PMB-2026-000088",
                "category": {"slug": "cambriolage", "label": "cambriolage ou tentative", "urgent": True},
                "in_progress": True,
                "status": "dispatched",
                "sector": {"id": 3, "slug": "la-gavotte", "name": "La Gavotte"},
                "latitude": 43.41,
                "longitude": 5.31,
                "description": "Deux personnes forcent un portail.",
            },
        }
    ],
    "presence": [
        {
            "scope": "agency",
            "agency": {"id": 2, "name": "Police municipale", "kind": "police_municipale"},
            "users": [{"id": 7, "name": "Brigadier Martin"}],
        }
    ],
    "choices": {"categories": [], "agencies": [], "reject_reasons": [], "outcomes": [], "operators": {}},
}


class ConsoleStateApi(APIView):
    """What a console draws before its socket opens; the socket then replays from `newest_event_id`."""

    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="console_state",
        summary="État initial de la console",
        description=(
            "Les signalements (modérateurs) et transmissions (opérateurs) que cette console peut voir, la "
            "présence des agents et l'identifiant du dernier événement visible : la page ouvre ensuite "
            "`/ws/console/?last_event_id=<newest_event_id>`."
        ),
        responses={200: OpenApiTypes.OBJECT, **ERROR_RESPONSES},
        examples=[OpenApiExample("Console d'un opérateur", value=_STATE_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)
        state = console_state(user=user)
        # What the page now shows is served: the officers' read log.
        for view, ids in (
            (access.View.MODERATION, [item["id"] for item in state["observations"]]),
            (access.View.POLICE, [item["observation"]["id"] for item in state["dispatches"]]),
        ):
            observation_reads_record_ids(
                actor=user, observation_ids=ids, door=ObservationRead.Door.CONSOLE, view=view
            )
        return Response(state)


class ConsoleObservationApi(APIView):
    """The detail pane: photos, dispatches and history of one observation this console may see."""

    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="console_observation",
        summary="Détail d'un signalement pour la console",
        responses={200: OpenApiTypes.OBJECT, **ERROR_RESPONSES, 404: _NOT_FOUND},
        examples=[
            OpenApiExample(
                "Détail",
                value={
                    "observation": {"id": 88, "reference": "PMB-2026-000088", "status": "dispatched"},
                    "dispatches": [],
                    "photos": [{"id": 5, "url": "/console/photos/5/"}],
                    "history": [
                        {
                            "at": "2026-11-27T10:01:00+01:00",
                            "kind": "transition",
                            "status": "pending",
                            "label": "en attente de modération",
                            "actor": None,
                            "note": "",
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, observation_id: int) -> Response:
        user = request.user
        assert isinstance(user, User)
        found = console_observation(user=user, observation_id=observation_id)
        if found is None:
            raise NotFound(_("Signalement introuvable."))
        observation, view = found
        observation_reads_record(
            actor=user,
            observations=[observation],
            door=ObservationRead.Door.CONSOLE,
            view=view,
            ip=client_ip(request),
        )
        return Response(observation_detail(user=user, observation=observation, view=view))
