"""The referents' API (the mobile app) and the coordinators' side of it. Thin: validate, call, render."""

import csv
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access
from backend.accounts.tokens import tokens_issue
from backend.audit.services import audit_record, client_ip
from backend.core.access import door
from backend.core.api import ERROR_RESPONSES, ErrorSerializer, paginate, paginated, request_user
from backend.core.errors import ApplicationError, NotFound
from backend.core.idempotency import IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY, idempotent
from backend.core.spreadsheet import csv_safe
from backend.territory.models import Commune
from neighbours import selectors, services
from neighbours.models import Referent
from neighbours.serializers import (
    ApplicationInputSerializer,
    CharterAcceptInputSerializer,
    EnrolmentOutputSerializer,
    InvitationAcceptInputSerializer,
    InvitationInputSerializer,
    InvitationOutputSerializer,
    OptionalReasonInputSerializer,
    PreferencesInputSerializer,
    PreferencesOutputSerializer,
    ReasonInputSerializer,
    ReferentDetailSerializer,
    ReferentFilterSerializer,
    ReferentMeSerializer,
    ReferentOutputSerializer,
    ReferentUpdateInputSerializer,
)

TAGS = ["referents"]

# --- examples ---------------------------------------------------------------------------------------------
_SECTOR = {"id": 3, "slug": "la-gavotte", "name": "La Gavotte"}
_ME = {
    "id": 5,
    "display_name": "Rachid Référent",
    "phone": "+33612000021",
    "status": "active",
    "status_label": "actif",
    "commune": {"id": 1, "slug": "les-pennes-mirabeau", "name": "Les Pennes-Mirabeau"},
    "sector": _SECTOR,
    "trusted": True,
    "charter": {
        "version": 1,
        "text": "Le référent observe, signale, ne s'interpose jamais…",
        "published_at": "2025-01-01T00:00:00+01:00",
    },
    "charter_accepted_version": 1,
    "charter_accepted_at": "2025-02-03T18:12:00+01:00",
    "must_accept_charter": False,
    "protocol": {
        "signed_on": "2024-12-10",
        "starts_on": "2025-01-01",
        "ends_on": "2027-12-31",
        "police_force": "police_nationale",
        "police_force_label": "Police nationale",
        "police_unit": "Commissariat de Vitrolles",
        "in_force": True,
    },
    "can_submit": True,
    "cannot_submit_reason": "",
}
_PENDING_ME = {
    **_ME,
    "status": "pending",
    "status_label": "en attente de validation",
    "trusted": False,
    "charter_accepted_version": None,
    "charter_accepted_at": None,
    "must_accept_charter": True,
    "can_submit": False,
    "cannot_submit_reason": "Votre inscription de référent attend la validation de la mairie.",
}
_ENROLMENT = {"access": "eyJ…", "refresh": "eyJ…", "referent": _PENDING_ME}
_REFERENT = {
    "id": 5,
    "user_id": 21,
    "display_name": "Rachid Référent",
    "phone": "+33612000021",
    "status": "active",
    "status_label": "actif",
    "sector": _SECTOR,
    "trusted": True,
    "source": "application",
    "charter_version": 1,
    "charter_accepted_at": "2025-02-03T18:12:00+01:00",
    "created_at": "2025-01-20T10:00:00+01:00",
    "status_changed_at": "2025-01-22T09:00:00+01:00",
    "application": {"motivation": "Je connais bien le quartier.", "created_at": "2025-01-20T10:00:00+01:00"},
}
_HISTORY = [
    {
        "at": "2025-01-20T10:00:00+01:00",
        "from_status": "",
        "to_status": "pending",
        "reason": "",
        "actor_id": 21,
    },
    {
        "at": "2025-01-22T09:00:00+01:00",
        "from_status": "pending",
        "to_status": "active",
        "reason": "",
        "actor_id": 2,
    },
]
_INVITATION = {
    "id": 4,
    "code": "K7PM3QXD",
    "phone": "+33612000024",
    "display_name": "Inès Invitée",
    "sector": _SECTOR,
    "created_at": "2026-11-27T09:00:00+01:00",
    "expires_at": "2026-12-11T09:00:00+01:00",
    "accepted_at": None,
    "state": "pending",
}
_PREFERENCES = {
    "push": {"prevention": True, "burglary_alert": True, "shop_alert": False},
    "push_locked": ["burglary_alert"],
    "push_kinds": {
        "prevention": "conseils de prévention",
        "burglary_alert": "alertes cambriolage",
        "shop_alert": "alertes commerces",
    },
    "quiet_hours_start": "22:00",
    "quiet_hours_end": "07:00",
    "language": "fr",
}


def _error(detail: str, field: str | None = None, *, codes: list[str]) -> OpenApiExample:
    return OpenApiExample(
        detail[:40],
        value={"detail": detail, "errors": {field: [detail]} if field else {}},
        response_only=True,
        status_codes=codes,
    )


_ERROR_404 = OpenApiResponse(ErrorSerializer, description="Introuvable (ou d'une autre commune).")
_ERROR_409 = OpenApiResponse(ErrorSerializer, description="Conflit avec l'état actuel.")


def _enrolment_response(referent: Referent) -> Response:
    data = {
        **tokens_issue(user=referent.user),  # a login: starts a token family, no second factor
        "referent": ReferentMeSerializer(selectors.referent_profile(referent=referent)).data,
    }
    return Response(data, status=status.HTTP_201_CREATED)


# --- enrolment (no account yet) ---------------------------------------------------------------------------
class ApplicationCreateApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        operation_id="referents_application_create",
        summary="Candidater comme référent",
        description=(
            "Le téléphone est prouvé par un jeton de vérification (POST /api/v1/auth/otp/ puis "
            "/api/v1/auth/token/ avec « purpose »: « verify »). La candidature attend la mairie ; la "
            "réponse porte des jetons de connexion pour suivre son état. Un numéro déjà inscrit → 409."
        ),
        request=ApplicationInputSerializer,
        responses={
            201: EnrolmentOutputSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Numéro déjà inscrit ou déjà candidat."),
            **ERROR_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "Candidature",
                value={
                    "verification_token": "eyJwaG9uZSI6…",
                    "commune": "les-pennes-mirabeau",
                    "sector": "la-gavotte",
                    "display_name": "Rose Référente",
                    "motivation": "Je connais bien le quartier et ses habitants.",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Candidature enregistrée", value=_ENROLMENT, response_only=True, status_codes=["201"]
            ),
            _error(
                "Une candidature a déjà été déposée avec ce numéro : elle attend la mairie.",
                "phone",
                codes=["409"],
            ),
            _error("Ce secteur n'appartient pas à votre commune.", "sector", codes=["400"]),
        ],
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = ApplicationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        commune = Commune.objects.filter(slug=data.pop("commune")).first()
        if commune is None:
            raise ApplicationError(_("Commune inconnue."), field="commune")
        referent = services.application_create(commune=commune, ip=client_ip(request), **data)
        return _enrolment_response(referent)


class InvitationAcceptApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        operation_id="referents_invitation_accept",
        summary="Accepter une invitation de la mairie",
        description=(
            "Le code reçu par SMS sert une fois, 14 jours. Le jeton de vérification doit prouver le numéro "
            "invité. La personne devient référent en attente de validation."
        ),
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="Code d'invitation.")],
        request=InvitationAcceptInputSerializer,
        responses={
            201: EnrolmentOutputSerializer,
            404: _ERROR_404,
            409: OpenApiResponse(
                ErrorSerializer, description="Invitation déjà utilisée, ou numéro déjà inscrit."
            ),
            410: OpenApiResponse(ErrorSerializer, description="Invitation expirée."),
            **ERROR_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "Acceptation",
                value={"verification_token": "eyJwaG9uZSI6…", "display_name": "Inès Invitée"},
                request_only=True,
            ),
            OpenApiExample(
                "Inscription en attente", value=_ENROLMENT, response_only=True, status_codes=["201"]
            ),
            _error(
                "Cette invitation a expiré : demandez-en une nouvelle à la mairie.", "code", codes=["410"]
            ),
            _error("Cette invitation a déjà été utilisée.", "code", codes=["409"]),
        ],
        tags=TAGS,
    )
    def post(self, request: Request, code: str) -> Response:
        serializer = InvitationAcceptInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referent = services.invitation_accept(code=code, ip=client_ip(request), **serializer.validated_data)
        return _enrolment_response(referent)


# --- the referent -------------------------------------------------------------------------------------------
def _my_referent(request: Request) -> Referent:
    referent = selectors.referent_for_user(user=request_user(request))
    if referent is None:
        raise NotFound(_("Vous n'êtes pas inscrit comme référent."))
    return referent


class ReferentMeApi(APIView):
    permission_classes = [door("referent")]

    @extend_schema(
        operation_id="referents_me",
        summary="Mon inscription de référent",
        description="État, secteur, charte à accepter, protocole, et si je peux transmettre un signalement.",
        responses={200: ReferentMeSerializer, 404: _ERROR_404, **ERROR_RESPONSES},
        examples=[
            OpenApiExample("Actif", value=_ME, response_only=True),
            OpenApiExample("En attente", value=_PENDING_ME, response_only=True),
        ],
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        referent = _my_referent(request)
        return Response(ReferentMeSerializer(selectors.referent_profile(referent=referent)).data)


class CharterAcceptApi(APIView):
    permission_classes = [door("referent")]

    @extend_schema(
        operation_id="referents_me_charter_accept",
        summary="Accepter la charte du référent",
        description="La version envoyée doit être la version en vigueur ; une nouvelle version demande à nouveau.",
        request=CharterAcceptInputSerializer,
        responses={200: ReferentMeSerializer, 404: _ERROR_404, 409: _ERROR_409, **ERROR_RESPONSES},
        examples=[
            OpenApiExample("Version 1", value={"version": 1}, request_only=True),
            OpenApiExample("Charte acceptée", value=_ME, response_only=True),
            _error("La charte a changé : relisez et acceptez la version 2.", "version", codes=["409"]),
        ],
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = CharterAcceptInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referent = services.charter_accept(
            referent=_my_referent(request),
            version=serializer.validated_data["version"],
            ip=client_ip(request),
        )
        return Response(ReferentMeSerializer(selectors.referent_profile(referent=referent)).data)


# --- coordinators ------------------------------------------------------------------------------------------
def _coordinator_referent(request: Request, pk: int) -> Referent:
    referent = selectors.referent_get(
        commune_id=access.coordinated_commune(request_user(request)), referent_id=pk
    )
    if referent is None:
        raise NotFound(_("Référent introuvable."))
    return referent


def _filtered(request: Request) -> QuerySet[Referent]:
    filters = ReferentFilterSerializer(data=request.query_params)
    filters.is_valid(raise_exception=True)
    user = request_user(request)
    sector = None
    commune_id = access.coordinated_commune(user)
    if filters.validated_data.get("sector") and commune_id is not None:
        sector = selectors.sector_resolve(commune=commune_id, value=filters.validated_data["sector"])
    return selectors.referent_list(
        commune_id=commune_id, sector=sector, status=filters.validated_data.get("status")
    )


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
                value={"count": 1, "next": None, "previous": None, "results": [_REFERENT]},
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
        responses={200: ReferentDetailSerializer, 404: _ERROR_404, **ERROR_RESPONSES},
        examples=[OpenApiExample("Référent", value={**_REFERENT, "history": _HISTORY}, response_only=True)],
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ReferentDetailSerializer(_coordinator_referent(request, pk)).data)

    @extend_schema(
        operation_id="referents_update",
        summary="Changer le secteur ou la confiance d'un référent",
        request=ReferentUpdateInputSerializer,
        responses={200: ReferentDetailSerializer, 404: _ERROR_404, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Confiance", value={"trusted": True, "sector": "les-amandiers"}, request_only=True
            ),
            OpenApiExample("Référent", value={**_REFERENT, "history": _HISTORY}, response_only=True),
        ],
        tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        serializer = ReferentUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referent = services.referent_update(
            referent=_coordinator_referent(request, pk),
            actor=request_user(request),
            ip=client_ip(request),
            **serializer.validated_data,
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
            responses={200: ReferentDetailSerializer, 404: _ERROR_404, 409: _ERROR_409, **ERROR_RESPONSES},
            examples=[
                OpenApiExample(
                    "Motif", value={"reason": "Ne réside plus dans le secteur."}, request_only=True
                ),
                OpenApiExample("Référent", value={**_REFERENT, "history": _HISTORY}, response_only=True),
                _error("Impossible : ce référent est « fin de mission ».", "status", codes=["409"]),
            ],
            tags=TAGS,
        )
        def post(self, request: Request, pk: int) -> Response:
            serializer = input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            referent = action(
                referent=_coordinator_referent(request, pk),
                actor=request_user(request),
                reason=serializer.validated_data["reason"],
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


class InvitationApi(APIView):
    permission_classes = [door("coordination")]

    @extend_schema(
        operation_id="referents_invitations_list",
        summary="Invitations de ma commune",
        responses={200: paginated(InvitationOutputSerializer, "PaginatedInvitationList"), **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Page",
                value={"count": 1, "next": None, "previous": None, "results": [_INVITATION]},
                response_only=True,
            )
        ],
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return paginate(
            self,
            request,
            selectors.invitation_list(commune_id=access.coordinated_commune(request_user(request))),
            lambda item: InvitationOutputSerializer(item).data,
        )

    @extend_schema(
        operation_id="referents_invitations_create",
        summary="Inviter un numéro dans un secteur",
        description="Le code part par SMS au numéro invité ; il sert une fois, pendant 14 jours.",
        request=InvitationInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: InvitationOutputSerializer,
            409: _ERROR_409,
            **ERROR_RESPONSES,
            **IDEMPOTENCY_CONFLICT,
        },
        examples=[
            OpenApiExample(
                "Invitation",
                value={"phone": "06 12 00 00 24", "sector": "la-gavotte", "display_name": "Inès Invitée"},
                request_only=True,
            ),
            OpenApiExample("Invitation créée", value=_INVITATION, response_only=True, status_codes=["201"]),
            _error("Secteur inconnu.", "sector", codes=["400"]),
        ],
        tags=TAGS,
    )
    @idempotent("invitation_create")
    def post(self, request: Request) -> Response:
        serializer = InvitationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            actor=request_user(request), ip=client_ip(request), **serializer.validated_data
        )
        return Response(InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED)


# --- preferences -------------------------------------------------------------------------------------------
class PreferencesApi(APIView):
    permission_classes = [door("reporter")]

    @extend_schema(
        operation_id="me_preferences_retrieve",
        summary="Mes préférences de notification",
        responses={200: PreferencesOutputSerializer, **ERROR_RESPONSES},
        examples=[OpenApiExample("Préférences", value=_PREFERENCES, response_only=True)],
        tags=["preferences"],
    )
    def get(self, request: Request) -> Response:
        return Response(
            PreferencesOutputSerializer(selectors.preferences_view(user=request_user(request))).data
        )

    @extend_schema(
        operation_id="me_preferences_update",
        summary="Changer mes préférences de notification",
        description=(
            "Mise à jour partielle. Les alertes cambriolage ne peuvent pas être désactivées par un référent "
            "actif ; les heures calmes retiennent les conseils de prévention, jamais les alertes."
        ),
        request=PreferencesInputSerializer,
        responses={200: PreferencesOutputSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Heures calmes",
                value={
                    "push": {"shop_alert": False},
                    "quiet_hours_start": "22:00",
                    "quiet_hours_end": "07:00",
                },
                request_only=True,
            ),
            OpenApiExample("Préférences", value=_PREFERENCES, response_only=True),
            _error(
                "Les alertes cambriolage ne peuvent pas être désactivées tant que vous êtes référent actif.",
                "push.burglary_alert",
                codes=["400"],
            ),
        ],
        tags=["preferences"],
    )
    def patch(self, request: Request) -> Response:
        serializer = PreferencesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.preferences_update(
            user=request_user(request), ip=client_ip(request), **serializer.validated_data
        )
        return Response(
            PreferencesOutputSerializer(selectors.preferences_view(user=request_user(request))).data
        )
