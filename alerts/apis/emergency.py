"""The commune's emergency watch mode."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access, emergency_selectors, selectors, services
from alerts.apis.emergency_serializers import (
    EmergencyActivationInputSerializer,
    EmergencyActivationSerializer,
    EmergencyCloseInputSerializer,
    EmergencyMessageInputSerializer,
    EmergencyRenewInputSerializer,
    EmergencyReportSerializer,
    EmergencyRosterInputSerializer,
    EmergencyRosterSerializer,
    EmergencyTimelineItemSerializer,
)
from alerts.models import EmergencyActivation
from alerts.serializers import (
    EmergencyModeInputSerializer,
    EmergencyModeSerializer,
)
from backend.accounts.models import User
from backend.core.access import door
from backend.core.api import CONFLICT, ERROR_RESPONSES, NOT_FOUND, request_user, validated
from backend.core.errors import ApplicationError, Forbidden, NotFound
from backend.territory.models import Commune


def staff_commune_or_404(request: Request) -> Commune:
    commune_id = access.staff_commune(request_user(request))
    commune = Commune.objects.filter(pk=commune_id).first() if commune_id is not None else None
    if commune is None:
        raise NotFound(_("Aucune commune."))
    return commune


def _emergency(request: Request) -> dict[str, Any]:
    return EmergencyModeSerializer(selectors.commune_settings(commune=staff_commune_or_404(request))).data


class EmergencyModeApi(APIView):
    def get_permissions(self) -> list[Any]:
        return [door("staff")()] if self.request.method == "GET" else [door("moderation")()]

    @extend_schema(
        operation_id="emergency_mode_retrieve",
        summary="Cellule de veille d'urgence",
        responses={200: EmergencyModeSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        return Response(_emergency(request))

    @extend_schema(
        operation_id="emergency_mode_update",
        summary="Activer ou lever la cellule de veille d'urgence",
        description="Tant qu'elle est active, les catégories choisies sont transmises sans modération.",
        request=EmergencyModeInputSerializer,
        responses={200: EmergencyModeSerializer, **ERROR_RESPONSES, **NOT_FOUND},
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
        commune = staff_commune_or_404(request)
        data = validated(EmergencyModeInputSerializer, request.data)
        services.emergency_mode_set(commune=commune, actor=request_user(request), **data)
        return Response(_emergency(request))


# --- the cell's life: activations, renewals, close, log, roster, report (docs/emergency-cell.md) -------


def _readable_commune(request: Request) -> Commune:
    """The user's commune, if they may read its cell (its moderators and roster), else 403."""
    commune = staff_commune_or_404(request)
    if not access.may_read_emergency(request_user(request), commune.pk):
        raise Forbidden(_("Vous ne faites pas partie de la cellule d'urgence."))
    return commune


def _activation(request: Request, pk: int) -> EmergencyActivation:
    row = emergency_selectors.activation_readable(user=request_user(request), activation_id=pk)
    if row is None:
        raise NotFound(_("Activation introuvable."))
    return row


def _summary(row: EmergencyActivation) -> dict[str, Any]:
    return dict(EmergencyActivationSerializer(emergency_selectors.activation_summary(row)).data)


ACTIVATION_EXAMPLE = OpenApiExample(
    "Activation à la demande du maire",
    value={
        "requested_by_quality": "mayor",
        "requested_by_name": "Monique Slissa",
        "reason": "Série de cambriolages aux Cadeneaux.",
        "categories": ["cambriolage"],
        "sectors": ["les-cadeneaux"],
        "review_at": "2026-03-11T08:00:00+01:00",
    },
    request_only=True,
)


class EmergencyActivationListApi(APIView):
    def get_permissions(self) -> list[Any]:
        return [door("staff")()] if self.request.method == "GET" else [door("moderation")()]

    @extend_schema(
        operation_id="emergency_activations_list",
        summary="Activations de la cellule d'urgence (la plus récente d'abord)",
        responses={200: EmergencyActivationSerializer(many=True), **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        commune = _readable_commune(request)
        rows = emergency_selectors.activations_of(commune_id=commune.pk).prefetch_related(
            "categories", "sectors", "renewals"
        )
        return Response([_summary(row) for row in rows])

    @extend_schema(
        operation_id="emergency_activations_create",
        summary="Activer la cellule d'urgence",
        description="Les catégories choisies sont transmises sans modération dans les secteurs choisis (aucun : "
        "toute la commune) jusqu'à l'heure de réexamen, sauf renouvellement. Les membres de la cellule sont "
        "alertés par SMS et push.",
        request=EmergencyActivationInputSerializer,
        responses={201: EmergencyActivationSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
        examples=[ACTIVATION_EXAMPLE],
    )
    def post(self, request: Request) -> Response:
        commune = staff_commune_or_404(request)
        data = validated(EmergencyActivationInputSerializer, request.data)
        row = services.emergency_activate(commune=commune, actor=request_user(request), **data)
        return Response(_summary(row), status=201)


class EmergencyActivationApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="emergency_activation_retrieve",
        summary="Une activation de la cellule d'urgence",
        responses={200: EmergencyActivationSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_summary(_activation(request, pk)))


class EmergencyRenewApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="emergency_activation_renew",
        summary="Renouveler une activation jusqu'à une nouvelle heure de réexamen",
        request=EmergencyRenewInputSerializer,
        responses={200: EmergencyActivationSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = validated(EmergencyRenewInputSerializer, request.data)
        row = services.emergency_renew(
            activation=_activation(request, pk), actor=request_user(request), **data
        )
        return Response(_summary(row))


class EmergencyCloseApi(APIView):
    permission_classes = [door("moderation")]

    @extend_schema(
        operation_id="emergency_activation_close",
        summary="Lever la cellule d'urgence (son rapport est alors définitif)",
        request=EmergencyCloseInputSerializer,
        responses={200: EmergencyActivationSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = validated(EmergencyCloseInputSerializer, request.data)
        row = services.emergency_close(
            activation=_activation(request, pk), actor=request_user(request), **data
        )
        return Response(_summary(row))


class EmergencyConfirmApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="emergency_activation_confirm",
        summary="Confirmer sa présence à la cellule d'urgence (membre ou suppléant appelé)",
        request=None,
        responses={200: EmergencyActivationSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        row = _activation(request, pk)
        services.emergency_confirm(activation=row, user=request_user(request), via="API")
        return Response(_summary(row))


class EmergencyLogApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="emergency_activation_log",
        summary="Journal daté de l'activation (décisions, messages, appels, confirmations, diffusions)",
        responses={200: EmergencyTimelineItemSerializer(many=True), **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        items = emergency_selectors.activation_timeline(_activation(request, pk))
        return Response(EmergencyTimelineItemSerializer([vars(item) for item in items], many=True).data)

    @extend_schema(
        operation_id="emergency_activation_log_write",
        summary="Écrire un message ou une décision au journal",
        request=EmergencyMessageInputSerializer,
        responses={201: EmergencyTimelineItemSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = validated(EmergencyMessageInputSerializer, request.data)
        entry = services.emergency_message(
            activation=_activation(request, pk), actor=request_user(request), **data
        )
        item = {
            "at": entry.at,
            "kind": entry.kind,
            "kind_label": str(entry.get_kind_display()),
            "actor": entry.actor.display_name if entry.actor else "",
            "text": entry.text,
        }
        return Response(EmergencyTimelineItemSerializer(item).data, status=201)


class EmergencyReportApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="emergency_activation_report",
        summary="Rapport de l'activation (JSON ; PDF : /console/urgence/<id>/rapport.pdf)",
        description="Les signalements transmis à la police sans modération pendant l'activation (vue police : "
        "référence, catégorie, secteur, heure ; jamais l'auteur), les diffusions envoyées et le journal.",
        responses={200: EmergencyReportSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            EmergencyReportSerializer(emergency_selectors.activation_report(_activation(request, pk))).data
        )


def _roster(commune: Commune) -> dict[str, Any]:
    seats = [
        {"member": row.member, "deputy": row.deputy}
        for row in emergency_selectors.roster_of(commune_id=commune.pk)
    ]
    return dict(EmergencyRosterSerializer({"seats": seats}).data)


class EmergencyRosterApi(APIView):
    def get_permissions(self) -> list[Any]:
        return [door("staff")()] if self.request.method == "GET" else [door("moderation")()]

    @extend_schema(
        operation_id="emergency_roster_retrieve",
        summary="Membres de la cellule d'urgence et leurs suppléants",
        responses={200: EmergencyRosterSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        return Response(_roster(_readable_commune(request)))

    @extend_schema(
        operation_id="emergency_roster_update",
        summary="Remplacer la liste des membres de la cellule d'urgence",
        request=EmergencyRosterInputSerializer,
        responses={200: EmergencyRosterSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def put(self, request: Request) -> Response:
        commune = staff_commune_or_404(request)
        data = validated(EmergencyRosterInputSerializer, request.data)
        people = {user.pk: user for user in User.objects.filter(commune=commune)}

        def person(pk: int | None) -> User | None:
            if pk is None:
                return None
            if pk not in people:
                raise ApplicationError(_("Agent inconnu dans cette commune."), field="seats")
            return people[pk]

        seats = [(person(seat["member"]), person(seat["deputy"])) for seat in data["seats"]]
        services.roster_set(commune=commune, actor=request_user(request), seats=seats)  # type: ignore[arg-type]
        return Response(_roster(commune))
