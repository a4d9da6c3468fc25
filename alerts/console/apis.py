"""APIs of the live console: its initial state, an observation's detail, the moderators' suggestions
(actions go over the socket or the alerts REST API; both call the same services) and the user's sound and
notification preferences."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access
from alerts.console.search import dispatches_search, observations_search, search_kind
from alerts.console.selectors import (
    console_observation,
    console_preference,
    console_state,
    console_suggestions,
    observation_detail,
)
from alerts.console.serializers import (
    ConsolePreferenceInputSerializer,
    ConsolePreferenceSerializer,
    ConsoleSearchInputSerializer,
    ConsoleSearchItemSerializer,
    ConsoleSuggestionsSerializer,
    search_filters,
)
from alerts.console.services import console_preference_set
from alerts.models import ObservationRead
from alerts.read_log import observation_reads_record, observation_reads_record_ids
from alerts.selectors import dispatch_for_console, observation_for_console
from backend.accounts.models import User
from backend.audit.services import client_ip
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, ErrorSerializer, paginate, paginated, request_user, validated
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
                "accuracy": 20,
                "address": "12 Chemin de la Gavotte, 13170 Les Pennes-Mirabeau",
                "address_distance": 14,
                "geo_uri": "geo:43.410000,5.310000",
                "map_url": "https://www.openstreetmap.org/?mlat=43.410000&mlon=5.310000#map=18/43.410000/5.310000",
                "description": "Deux personnes forcent un portail.",
                "place": "Au fond de l'impasse",
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
    "suggestions": {"duplicates": {}, "series": []},
    "preferences": {"sound": True, "notifications": False},
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
            "`/ws/console/?last_event_id=<newest_event_id>`. `suggestions` : les doublons probables et les "
            "séries de cambriolages (modération, comme `GET /api/v1/console/suggestions/`) ; `preferences` : "
            "le son et les notifications de bureau de l'utilisateur."
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


_PREFERENCE_EXAMPLE = {"sound": True, "notifications": False}


class ConsolePreferenceApi(APIView):
    """The console user's own sound and desktop notification choices, found again on every console."""

    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="console_preferences_retrieve",
        summary="Mes préférences de console",
        responses={200: ConsolePreferenceSerializer, **ERROR_RESPONSES},
        examples=[OpenApiExample("Préférences", value=_PREFERENCE_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        return Response(ConsolePreferenceSerializer(console_preference(user=request_user(request))).data)

    @extend_schema(
        operation_id="console_preferences_update",
        summary="Changer mes préférences de console",
        description="Mise à jour partielle : seul ce qui est donné change.",
        request=ConsolePreferenceInputSerializer,
        responses={200: ConsolePreferenceSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample("Couper le son", value={"sound": False}, request_only=True),
            OpenApiExample("Préférences", value=_PREFERENCE_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request) -> Response:
        user = request_user(request)
        console_preference_set(user=user, **validated(ConsolePreferenceInputSerializer, request.data))
        return Response(ConsolePreferenceSerializer(console_preference(user=user)).data)


class ConsoleSuggestionsApi(APIView):
    """Likely duplicates of the pending items and series of burglaries: the moderation console asks again
    when new items arrive."""

    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="console_suggestions",
        summary="Doublons probables et séries de cambriolages",
        description=(
            "Pour chaque signalement en attente, les signalements antérieurs de même catégorie à moins de "
            "300 m et 2 h, ou du même commerce ; les séries d'au moins trois cambriolages (non refusés) "
            "dans un secteur et ses voisins en 72 h."
        ),
        responses={200: ConsoleSuggestionsSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Un doublon et une série",
                value={
                    "duplicates": {
                        "90": [
                            {
                                "id": 88,
                                "reference": "PMB-2026-000088",
                                "status": "pending",
                                "category": "cambriolage ou tentative",
                                "distance_m": 120,
                                "minutes": 35,
                                "reason": "nearby",
                            }
                        ]
                    },
                    "series": [
                        {
                            "count": 3,
                            "hours": 48,
                            "first_at": "2026-11-25T10:02:11+01:00",
                            "last_at": "2026-11-27T09:40:00+01:00",
                            "sectors": [{"id": 3, "name": "La Gavotte"}, {"id": 4, "name": "Les Amandiers"}],
                            "observations": [
                                {"id": 80, "reference": "PMB-2026-000080"},
                                {"id": 84, "reference": "PMB-2026-000084"},
                                {"id": 88, "reference": "PMB-2026-000088"},
                            ],
                            "alert_observation_ids": [80, 84],
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(ConsoleSuggestionsSerializer(console_suggestions(user=request_user(request))).data)


class ConsoleSearchApi(APIView):
    """The console's search: what this console may see, filtered, newest first (in progress, urgent on top)."""

    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="console_search",
        summary="Recherche dans la console",
        description=(
            "Modérateurs (et administrateurs de commune) : les signalements de leur commune, vue de "
            "modération. Opérateurs : les transmissions de leurs services, vue police (texte caviardé, "
            "jamais l'auteur). Tous les filtres se combinent ; une valeur invalide répond 400 avec le champ "
            "en cause."
        ),
        parameters=[ConsoleSearchInputSerializer],
        responses={
            200: paginated(ConsoleSearchItemSerializer, "PaginatedConsoleSearchItemList"),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        filters = search_filters(validated(ConsoleSearchInputSerializer, request.query_params))
        view = search_kind(user)
        moderation = view == access.View.MODERATION

        def served(page: list[Any]) -> None:
            """The page's observations go to the officers' read log."""
            observation_reads_record(
                actor=user,
                observations=page if moderation else [dispatch.observation for dispatch in page],
                door=ObservationRead.Door.CONSOLE,
                view=view,
                ip=client_ip(request),
            )

        if moderation:
            return paginate(
                self,
                request,
                observations_search(user=user, filters=filters),
                lambda row: {
                    "kind": "observation",
                    "observation": observation_for_console(row),
                    "dispatch": None,
                },
                served=served,
            )
        return paginate(
            self,
            request,
            dispatches_search(user=user, filters=filters),
            lambda row: {"kind": "dispatch", "observation": None, "dispatch": dispatch_for_console(row)},
            served=served,
        )
