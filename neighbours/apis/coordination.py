"""Coordinators: the commune's referents (list, CSV export, detail) and their decisions."""

import csv
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access
from backend.audit.services import audit_record, client_ip
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, paginate, paginated, request_user, validated
from backend.core.errors import NotFound
from backend.core.spreadsheet import csv_safe
from neighbours import selectors, services
from neighbours.apis.common import (
    ERROR_404,
    ERROR_409,
    HISTORY_EXAMPLE,
    REFERENT_EXAMPLE,
    TAGS,
    error_example,
)
from neighbours.models import Referent
from neighbours.serializers import (
    OptionalReasonInputSerializer,
    ReasonInputSerializer,
    ReferentDetailSerializer,
    ReferentFilterSerializer,
    ReferentOutputSerializer,
    ReferentUpdateInputSerializer,
)


def _coordinator_referent(request: Request, pk: int) -> Referent:
    referent = selectors.referent_get(
        commune_id=access.coordinated_commune(request_user(request)), referent_id=pk
    )
    if referent is None:
        raise NotFound(_("Référent introuvable."))
    return referent


def _filtered(request: Request) -> QuerySet[Referent]:
    data = validated(ReferentFilterSerializer, request.query_params)
    user = request_user(request)
    sector = None
    commune_id = access.coordinated_commune(user)
    if data.get("sector") and commune_id is not None:
        sector = selectors.sector_resolve(commune=commune_id, value=data["sector"])
    return selectors.referent_list(commune_id=commune_id, sector=sector, status=data.get("status"))


_FILTERS = [
    OpenApiParameter("sector", str, description="Secteur (identifiant ou slug)."),
    OpenApiParameter("status", str, enum=Referent.Status.values, description="État."),
]


class ReferentListApi(APIView):
    permission_classes = [door("coordination")]

    @extend_schema(
        operation_id="referents_list",
        summary="Référents de ma commune",
        parameters=_FILTERS,
        responses={200: paginated(ReferentOutputSerializer, "PaginatedReferentList"), **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Page",
                value={"count": 1, "next": None, "previous": None, "results": [REFERENT_EXAMPLE]},
                response_only=True,
            )
        ],
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return paginate(self, request, _filtered(request), lambda item: ReferentOutputSerializer(item).data)


class ReferentExportApi(APIView):
    permission_classes = [door("coordination")]
    COLUMNS = [
        "id",
        "nom",
        "telephone",
        "secteur",
        "etat",
        "confiance",
        "origine",
        "charte_version",
        "charte_acceptee_le",
        "inscrit_le",
        "etat_change_le",
    ]

    @extend_schema(
        operation_id="referents_export_csv",
        summary="Exporter la liste des référents (CSV)",
        description="CSV UTF-8 (avec BOM), séparateur « ; », une ligne par référent ; chaque export est journalisé.",
        parameters=_FILTERS,
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="Le fichier CSV.",
                examples=[
                    OpenApiExample(
                        "CSV",
                        value=(
                            "id;nom;telephone;secteur;etat;confiance;origine;charte_version;charte_acceptee_le;"
                            "inscrit_le;etat_change_le\r\n5;Rachid Référent;+33612000021;La Gavotte;actif;oui;"
                            "candidature;1;2025-02-03 18:12;2025-01-20 10:00;2025-01-22 09:00\r\n"
                        ),
                    )
                ],
            ),
            **ERROR_RESPONSES,
        },
        tags=TAGS,
    )
    def get(self, request: Request) -> HttpResponse:
        referents = list(_filtered(request))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="referents-{stamp}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow(self.COLUMNS)
        for referent in referents:
            writer.writerow(_csv_row(referent))
        audit_record(
            actor=request.user,
            action="referents.exported",
            extra={"count": len(referents), "commune": access.coordinated_commune(request_user(request))},
            ip=client_ip(request),
        )
        return response


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _csv_row(referent: Referent) -> list[Any]:
    user = referent.user
    return [
        referent.pk,
        csv_safe(user.display_name),
        user.phone.as_e164 if user.phone else "",
        csv_safe(referent.sector.name),
        referent.get_status_display(),
        _("oui") if referent.trusted else _("non"),
        referent.get_source_display(),
        referent.charter_version or "",
        _local(referent.charter_accepted_at),
        _local(referent.created_at),
        _local(referent.status_changed_at),
    ]


class ReferentDetailApi(APIView):
    permission_classes = [door("coordination")]

    @extend_schema(
        operation_id="referents_retrieve",
        summary="Un référent de ma commune, avec son historique",
        responses={200: ReferentDetailSerializer, 404: ERROR_404, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Référent", value={**REFERENT_EXAMPLE, "history": HISTORY_EXAMPLE}, response_only=True
            )
        ],
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ReferentDetailSerializer(_coordinator_referent(request, pk)).data)

    @extend_schema(
        operation_id="referents_update",
        summary="Changer le secteur ou la confiance d'un référent",
        request=ReferentUpdateInputSerializer,
        responses={200: ReferentDetailSerializer, 404: ERROR_404, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Confiance", value={"trusted": True, "sector": "les-amandiers"}, request_only=True
            ),
            OpenApiExample(
                "Référent", value={**REFERENT_EXAMPLE, "history": HISTORY_EXAMPLE}, response_only=True
            ),
        ],
        tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        serializer = validated(ReferentUpdateInputSerializer, request.data)
        referent = services.referent_update(
            referent=_coordinator_referent(request, pk),
            actor=request_user(request),
            ip=client_ip(request),
            **serializer,
        )
        return Response(ReferentDetailSerializer(_coordinator_referent(request, referent.pk)).data)


def _decision_api(name: str, verb: str, summary: str, action: Any, *, reason_required: bool) -> type[APIView]:
    input_serializer = ReasonInputSerializer if reason_required else OptionalReasonInputSerializer

    class DecisionApi(APIView):
        permission_classes = [door("coordination")]

        @extend_schema(
            operation_id=f"referents_{verb}",
            summary=summary,
            request=input_serializer,
            responses={200: ReferentDetailSerializer, 404: ERROR_404, 409: ERROR_409, **ERROR_RESPONSES},
            examples=[
                OpenApiExample(
                    "Motif", value={"reason": "Ne réside plus dans le secteur."}, request_only=True
                ),
                OpenApiExample(
                    "Référent", value={**REFERENT_EXAMPLE, "history": HISTORY_EXAMPLE}, response_only=True
                ),
                error_example("Impossible : ce référent est « fin de mission ».", "status", codes=["409"]),
            ],
            tags=TAGS,
        )
        def post(self, request: Request, pk: int) -> Response:
            serializer = validated(input_serializer, request.data)
            referent = action(
                referent=_coordinator_referent(request, pk),
                actor=request_user(request),
                reason=serializer["reason"],
                ip=client_ip(request),
            )
            return Response(ReferentDetailSerializer(_coordinator_referent(request, referent.pk)).data)

    DecisionApi.__name__ = DecisionApi.__qualname__ = name
    return DecisionApi


ReferentApproveApi = _decision_api(
    "ReferentApproveApi",
    "approve",
    "Valider (ou rétablir) un référent",
    services.referent_approve,
    reason_required=False,
)
ReferentRefuseApi = _decision_api(
    "ReferentRefuseApi",
    "refuse",
    "Refuser une inscription (la personne est prévenue par SMS)",
    services.referent_refuse,
    reason_required=True,
)
ReferentSuspendApi = _decision_api(
    "ReferentSuspendApi", "suspend", "Suspendre un référent", services.referent_suspend, reason_required=True
)
ReferentEndApi = _decision_api(
    "ReferentEndApi",
    "end",
    "Mettre fin à la mission d'un référent",
    services.referent_end,
    reason_required=True,
)
