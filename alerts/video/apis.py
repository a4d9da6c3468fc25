"""The video-protection API (/api/v1/video/…): thin views over alerts.video's services and selectors.
Who passes which door, and which rows each one reads, is alerts/access.py's answer."""

from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access
from alerts.models import Observation
from alerts.video import selectors, services
from alerts.video.serializers import (
    CameraSerializer,
    DestructionInputSerializer,
    DestructionSerializer,
    ExtractionInputSerializer,
    ExtractionSerializer,
    FootageRequestedSerializer,
    FootageRequestInputSerializer,
    FootageRequestSerializer,
    MonthInputSerializer,
    MonthlyTotalsSerializer,
    PeriodInputSerializer,
    RefuseInputSerializer,
)
from backend.audit.services import client_ip
from backend.core.access import door
from backend.core.api import (
    ERROR_RESPONSES,
    NOT_FOUND,
    paginate,
    paginated,
    rendered_by,
    request_user,
    validated,
)
from backend.core.errors import Forbidden, NotFound


def _visible_request(request: Request, pk: int) -> Any:
    found = selectors.with_register_rows(access.footage_requests_visible(request_user(request))).filter(pk=pk)
    footage_request = found.first()
    if footage_request is None:
        raise NotFound(_("Demande introuvable."))
    return footage_request


class CameraListApi(APIView):
    permission_classes = [door("video_register")]

    @extend_schema(
        operation_id="video_cameras_list",
        summary="Caméras de la commune",
        responses={200: paginated(CameraSerializer, "PaginatedCameraList"), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        cameras = (
            access.cameras_visible(request_user(request)).select_related("sector").order_by("name", "id")
        )
        services.inspection_record(actor=request_user(request), what="cameras", ip=client_ip(request))
        return paginate(self, request, cameras, rendered_by(CameraSerializer))


class FootageRequestListCreateApi(APIView):
    def get_permissions(self) -> list[Any]:
        return [door("video_register")()] if self.request.method == "GET" else [door("video_request")()]

    @extend_schema(
        operation_id="video_requests_list",
        summary="Demandes d'images",
        description="Les demandes de la commune (CSU, administrateur, inspection) ou de ses services (police).",
        responses={
            200: paginated(FootageRequestSerializer, "PaginatedFootageRequestList"),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        rows = selectors.with_register_rows(access.footage_requests_visible(user)).order_by(
            "-created_at", "-id"
        )
        services.inspection_record(actor=user, what="requests", ip=client_ip(request))
        return paginate(self, request, rows, rendered_by(FootageRequestSerializer))

    @extend_schema(
        operation_id="video_requests_create",
        summary="Demander des images",
        description=(
            "Une fenêtre de 12 heures au plus (VIDEO_REQUEST_MAX_HOURS) ; une demande judiciaire exige la "
            "référence de la réquisition et un OPJ. Des images plus anciennes que leur durée de conservation "
            "(30 jours) sont refusées : la demande est inscrite au registre comme refusée, et la réponse (400) "
            "en donne le motif."
        ),
        request=FootageRequestInputSerializer,
        responses={201: FootageRequestSerializer, **ERROR_RESPONSES},
    )
    def post(self, request: Request) -> Response:
        data = validated(FootageRequestInputSerializer, request.data)
        created = services.footage_request_create(
            actor=request_user(request),
            agency_id=data["agency"],
            officer_name=data["officer_name"],
            officer_is_opj=data["officer_is_opj"],
            kind=data["kind"],
            requisition_reference=data["requisition_reference"],
            motive=data["motive"],
            camera_ids=data["cameras"],
            start=data["start"],
            end=data["end"],
            observation_id=data["observation"],
            ip=client_ip(request),
        )
        return Response(
            FootageRequestSerializer(_visible_request(request, created.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class FootageRequestDetailApi(APIView):
    permission_classes = [door("video_register")]

    @extend_schema(
        operation_id="video_requests_retrieve",
        summary="Une demande d'images et ses extractions",
        description="Jamais au comité d'éthique (403) : il ne voit que les totaux mensuels.",
        responses={200: FootageRequestSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        footage_request = _visible_request(request, pk)
        services.inspection_record(
            actor=request_user(request), what="request", target=footage_request, ip=client_ip(request)
        )
        return Response(FootageRequestSerializer(footage_request).data)


class FootageRequestRefuseApi(APIView):
    permission_classes = [door("video_csu")]

    @extend_schema(
        operation_id="video_requests_refuse",
        summary="Refuser une demande (CSU)",
        request=RefuseInputSerializer,
        responses={200: FootageRequestSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = validated(RefuseInputSerializer, request.data)
        services.footage_request_refuse(
            actor=request_user(request), request_id=pk, reason=data["reason"], ip=client_ip(request)
        )
        return Response(FootageRequestSerializer(_visible_request(request, pk)).data)


class ExtractionCreateApi(APIView):
    permission_classes = [door("video_csu")]

    @extend_schema(
        operation_id="video_extractions_create",
        summary="Inscrire une extraction (CSU)",
        description=(
            "Ajoute une ligne au registre : support, empreinte SHA-256 de chaque fichier, destinataire et date "
            "de remise. Une extraction ne se modifie ni ne se supprime : une correction est une nouvelle "
            "extraction qui nomme celle qu'elle corrige (corrects)."
        ),
        request=ExtractionInputSerializer,
        responses={201: ExtractionSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = validated(ExtractionInputSerializer, request.data)
        extraction = services.extraction_record(
            actor=request_user(request),
            request_id=pk,
            medium=data["medium"],
            files=data["files"],
            recipient_name=data["recipient_name"],
            handed_over_at=data["handed_over_at"],
            corrects_id=data["corrects"],
            note=data["note"],
            ip=client_ip(request),
        )
        return Response(ExtractionSerializer(extraction).data, status=status.HTTP_201_CREATED)


class DestructionCreateApi(APIView):
    permission_classes = [door("video_csu")]

    @extend_schema(
        operation_id="video_destructions_create",
        summary="Inscrire la destruction d'une extraction (CSU)",
        request=DestructionInputSerializer,
        responses={201: DestructionSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = validated(DestructionInputSerializer, request.data)
        destruction = services.destruction_record(
            actor=request_user(request),
            extraction_id=pk,
            destroyed_at=data["destroyed_at"],
            witness_name=data["witness_name"],
            note=data["note"],
            ip=client_ip(request),
        )
        return Response(DestructionSerializer(destruction).data, status=status.HTTP_201_CREATED)


def _month(request: Request) -> date:
    raw = request.query_params.get("month") or timezone.localdate().strftime("%Y-%m")
    year, month = validated(MonthInputSerializer, {"month": raw})["month"].split("-")
    return date(int(year), int(month), 1)


class MonthlyTotalsApi(APIView):
    permission_classes = [door("video_totals")]

    @extend_schema(
        operation_id="video_totals_retrieve",
        summary="Totaux mensuels du registre",
        description="Ce que voit le comité d'éthique : des nombres, jamais le détail d'une demande.",
        parameters=[OpenApiParameter("month", str, description="AAAA-MM ; le mois en cours par défaut.")],
        responses={200: MonthlyTotalsSerializer, **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        commune_id = access.video_totals_commune(user)
        if commune_id is None:
            raise Forbidden(_("Votre compte n'est rattaché à aucune commune."))
        month = _month(request)
        services.inspection_record(
            actor=user, what="totals", extra={"month": month.isoformat()}, ip=client_ip(request)
        )
        return Response(MonthlyTotalsSerializer(selectors.monthly_totals(commune_id, month)).data)


class RegisterExportApi(APIView):
    permission_classes = [door("video_export")]

    @extend_schema(
        operation_id="video_register_export_csv",
        summary="Exporter le registre d'une période (CSV)",
        description="CSV UTF-8, séparateur « ; » : une ligne par demande, par fichier extrait (avec son "
        "empreinte SHA-256) et par destruction. Chaque export est journalisé.",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("end", OpenApiTypes.DATE, required=True),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Le fichier CSV."),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        period = validated(PeriodInputSerializer, request.query_params)
        content = services.register_export(
            actor=request_user(request), start=period["start"], end=period["end"], ip=client_ip(request)
        )
        response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="registre-video-{period["start"]}-{period["end"]}.csv"'
        )
        response["Cache-Control"] = "private, no-store"
        return response


class FootageRequestedApi(APIView):
    permission_classes = [door("staff")]

    @extend_schema(
        operation_id="video_observation_retrieve",
        summary="Des images ont-elles été demandées pour ce signalement ?",
        description="Pour la console : un nombre, rien d'autre (ni la demande, ni l'auteur du signalement).",
        responses={200: FootageRequestedSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        observation = Observation.objects.filter(pk=pk).first()
        if observation is None or not access.footage_requested_visible(request_user(request), observation):
            raise NotFound(_("Signalement introuvable."))
        return Response({"observation": pk, "requests": selectors.footage_requested(pk)})
