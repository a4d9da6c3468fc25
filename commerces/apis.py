"""The shopkeepers' API (for those who also use the mobile app): their shop and their SMS opt-in."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import access
from backend.core.access import door
from backend.core.api import CONFLICT, ERROR_RESPONSES, NOT_FOUND, paginate, paginated, validated
from backend.core.errors import ApplicationError, Forbidden, NotFound
from backend.core.parsers import MultiPartParser
from backend.territory.models import Commune, Sector
from backend.territory.serializers import SectorBriefSerializer
from commerces.models import InboundMessage, Shop, ShopApplication, Shopkeeper, Trade
from commerces.selectors import quarantine_list, shop_list, shopkeeper_of
from commerces.services import (
    inbound_discard,
    shop_application_approve,
    shop_application_reject,
    shop_create,
    shopkeeper_enrol,
    shopkeeper_set_sms_opt_in,
    shops_csv_read,
    shops_import_csv,
)
from commerces.sms import inbound_attach

TAGS = ["commerces"]
_EXAMPLE = {
    "shop": {
        "id": 1,
        "name": "Boulangerie de la Gavotte",
        "trade": "boulangerie",
        "trade_label": "Boulangerie, pâtisserie",
        "address": "Avenue de la Gavotte",
        "sector": {"id": 3, "slug": "la-gavotte", "name": "La Gavotte"},
    },
    "sms_opt_in": True,
}


class _ShopSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    trade = serializers.CharField()
    trade_label = serializers.CharField(source="get_trade_display")
    address = serializers.CharField()
    sector = SectorBriefSerializer(allow_null=True)


class ShopkeeperMeOutputSerializer(serializers.Serializer):
    shop = _ShopSerializer()
    sms_opt_in = serializers.BooleanField(help_text="Reçoit les alertes commerces par SMS.")


class ShopkeeperMeInputSerializer(serializers.Serializer):
    sms_opt_in = serializers.BooleanField(help_text="Recevoir les alertes commerces par SMS.")


def _mine(request: Request) -> Shopkeeper:
    shopkeeper = shopkeeper_of(request.user)  # type: ignore[arg-type]
    if shopkeeper is None:
        raise NotFound(_("Votre compte n'est rattaché à aucun commerce."))
    return shopkeeper


class ShopkeeperMeApi(APIView):
    permission_classes = [door("shopkeeper")]

    @extend_schema(
        operation_id="shopkeeper_me_retrieve",
        summary="Mon commerce et mon abonnement aux alertes SMS",
        tags=TAGS,
        responses={200: ShopkeeperMeOutputSerializer, **ERROR_RESPONSES},
        examples=[OpenApiExample("Commerçant", value=_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        return Response(ShopkeeperMeOutputSerializer(_mine(request)).data)

    @extend_schema(
        operation_id="shopkeeper_me_update",
        summary="S'abonner ou se désabonner des alertes commerces par SMS",
        tags=TAGS,
        request=ShopkeeperMeInputSerializer,
        responses={200: ShopkeeperMeOutputSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample("Désabonnement", value={"sms_opt_in": False}, request_only=True),
            OpenApiExample("Commerçant", value=_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request) -> Response:
        data = validated(ShopkeeperMeInputSerializer, request.data)
        shopkeeper = shopkeeper_set_sms_opt_in(
            shopkeeper=_mine(request),
            opt_in=data["sms_opt_in"],
            actor=request.user,  # type: ignore[arg-type]
            via="api",
        )
        return Response(ShopkeeperMeOutputSerializer(shopkeeper).data)


# --- coordinators: shops, enrolment, applications, SMS quarantine -------------------------------

_SHOP = {
    "id": 1,
    "name": "Boulangerie de la Gavotte",
    "trade": "boulangerie",
    "trade_label": "Boulangerie, pâtisserie",
    "siret": "73282932000074",
    "address": "Avenue de la Gavotte",
    "sector": {"id": 3, "slug": "la-gavotte", "name": "La Gavotte"},
    "is_active": True,
    "shopkeepers": 1,
}


def _page_example(item: dict[str, Any]) -> OpenApiExample:
    return OpenApiExample(
        "Page", value={"count": 1, "next": None, "previous": None, "results": [item]}, response_only=True
    )


def _commune_of(request: Request) -> Commune:
    """The commune whose shops this coordinator manages (the access policy's answer)."""
    commune_id = access.coordinated_commune(request.user)
    commune = Commune.objects.filter(pk=commune_id).first() if commune_id is not None else None
    if commune is None:
        raise Forbidden(_("Votre compte n'est rattaché à aucune commune."))
    return commune


def _sector(commune: Commune, slug: str) -> Sector:
    sector = Sector.objects.filter(commune=commune, slug=slug).first()
    if sector is None:
        raise ApplicationError(_("Secteur inconnu dans cette commune."), field="sector")
    return sector


class ShopOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    trade = serializers.CharField()
    trade_label = serializers.CharField(source="get_trade_display")
    siret = serializers.CharField()
    address = serializers.CharField()
    sector = SectorBriefSerializer(allow_null=True)
    is_active = serializers.BooleanField()
    shopkeepers = serializers.IntegerField(source="shopkeepers.count")


class ShopInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    trade = serializers.ChoiceField(choices=Trade.choices)
    siret = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    sector = serializers.SlugField(
        help_text="Identifiant du secteur (obligatoire pour situer les signalements)."
    )


class ShopListApi(APIView):
    permission_classes = [door("coordination")]

    @extend_schema(
        operation_id="shops_list",
        summary="Commerces de ma commune",
        tags=TAGS,
        parameters=[
            OpenApiParameter("sector", str, description="Identifiant de secteur."),
            OpenApiParameter("trade", str, description="Type de commerce.", enum=Trade.values),
        ],
        responses={200: paginated(ShopOutputSerializer, "PaginatedShopList"), **ERROR_RESPONSES},
        examples=[_page_example(_SHOP)],
    )
    def get(self, request: Request) -> Response:
        queryset = shop_list(
            commune=_commune_of(request),
            sector=request.query_params.get("sector") or None,
            trade=request.query_params.get("trade") or None,
        )
        return paginate(self, request, queryset, lambda item: ShopOutputSerializer(item).data)

    @extend_schema(
        operation_id="shops_create",
        summary="Inscrire un commerce",
        tags=TAGS,
        request=ShopInputSerializer,
        responses={201: ShopOutputSerializer, **ERROR_RESPONSES, **CONFLICT},
        examples=[
            OpenApiExample(
                "Commerce",
                value={"name": "Boulangerie de la Gavotte", "trade": "boulangerie", "sector": "la-gavotte"},
                request_only=True,
            ),
            OpenApiExample("Créé", value=_SHOP, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        data = validated(ShopInputSerializer, request.data)
        commune = _commune_of(request)
        shop = shop_create(
            actor=request.user,  # type: ignore[arg-type]
            commune=commune,
            name=data["name"],
            trade=data["trade"],
            siret=data["siret"],
            address=data["address"],
            sector=_sector(commune, data["sector"]),
        )
        return Response(ShopOutputSerializer(shop).data, status=201)


class EnrolInputSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=40, help_text="Mobile du commerçant.")
    display_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    sms_opt_in = serializers.BooleanField(default=True)


class EnrolOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    shop_id = serializers.IntegerField()
    sms_opt_in = serializers.BooleanField()


class ShopkeeperEnrolApi(APIView):
    permission_classes = [door("coordination")]

    @extend_schema(
        operation_id="shops_shopkeepers_create",
        summary="Rattacher un commerçant (son mobile) à un commerce",
        tags=TAGS,
        request=EnrolInputSerializer,
        responses={201: EnrolOutputSerializer, **ERROR_RESPONSES, **NOT_FOUND},
        examples=[
            OpenApiExample(
                "Commerçant", value={"phone": "06 12 00 00 31", "display_name": "Camille"}, request_only=True
            ),
            OpenApiExample(
                "Rattaché",
                value={"id": 1, "user_id": 10, "shop_id": 1, "sms_opt_in": True},
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request, shop_id: int) -> Response:
        payload = validated(EnrolInputSerializer, request.data)
        shop = Shop.objects.filter(pk=shop_id, commune=_commune_of(request)).first()
        if shop is None:
            raise NotFound(_("Commerce introuvable."))
        shopkeeper = shopkeeper_enrol(actor=request.user, shop=shop, **payload)  # type: ignore[arg-type]
        return Response(EnrolOutputSerializer(shopkeeper).data, status=201)


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV UTF-8 : nom, type, siret, adresse, secteur, telephone, contact."
    )


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    reason = serializers.CharField()


class ImportOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    errors = ImportErrorSerializer(many=True)  # type: ignore[assignment]


class ShopImportApi(APIView):
    permission_classes = [door("coordination")]
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="shops_import_csv",
        summary="Importer une liste de commerces (CSV) : chaque ligne entière ou pas du tout",
        tags=TAGS,
        request={"multipart/form-data": ImportInputSerializer},
        responses={200: ImportOutputSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Rapport",
                value={"created": 12, "errors": [{"line": 4, "reason": "Secteur inconnu : « Atlantide »."}]},
                response_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = validated(ImportInputSerializer, request.data)
        content = shops_csv_read(data["file"])
        report = shops_import_csv(commune=_commune_of(request), actor=request.user, content=content)  # type: ignore[arg-type]
        errors = [{"line": line, "reason": reason} for line, reason in report.errors]
        return Response(ImportOutputSerializer({"created": len(report.created), "errors": errors}).data)


class ApplicationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    shop_name = serializers.CharField()
    trade = serializers.CharField()
    siret = serializers.CharField()
    address = serializers.CharField()
    sector = SectorBriefSerializer(allow_null=True)
    contact_name = serializers.CharField()
    phone = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()


class ApplicationDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


_APPLICATION = {
    "id": 4,
    "shop_name": "Fleurs de Gavotte",
    "trade": "autre",
    "siret": "",
    "address": "1 avenue de la gare",
    "sector": None,
    "contact_name": "Flore",
    "phone": "+33612000077",
    "status": "pending",
    "status_label": "en attente",
    "created_at": "2026-11-27T09:00:00+01:00",
}


class ApplicationListApi(APIView):
    permission_classes = [door("coordination")]

    @extend_schema(
        operation_id="shop_applications_list",
        summary="Demandes d'inscription des commerces",
        tags=TAGS,
        parameters=[OpenApiParameter("status", str, enum=ShopApplication.Status.values)],
        responses={
            200: paginated(ApplicationOutputSerializer, "PaginatedApplicationList"),
            **ERROR_RESPONSES,
        },
        examples=[_page_example(_APPLICATION)],
    )
    def get(self, request: Request) -> Response:
        queryset = ShopApplication.objects.filter(commune=_commune_of(request)).select_related("sector")
        if request.query_params.get("status"):
            queryset = queryset.filter(status=request.query_params["status"])
        return paginate(
            self,
            request,
            queryset.order_by("-created_at", "-id"),
            lambda item: ApplicationOutputSerializer(item).data,
        )


def _decide(request: Request, application_id: int, *, approve: bool) -> Response:
    payload = validated(ApplicationDecisionInputSerializer, request.data)
    application = ShopApplication.objects.filter(pk=application_id, commune=_commune_of(request)).first()
    if application is None:
        raise NotFound(_("Demande introuvable."))
    if approve:
        shop_application_approve(application=application, actor=request.user)  # type: ignore[arg-type]
    else:
        shop_application_reject(
            application=application,
            actor=request.user,  # type: ignore[arg-type]
            note=payload["note"],
        )
    application.refresh_from_db()
    return Response(ApplicationOutputSerializer(application).data)


_DECISION: dict[str, Any] = {
    "tags": TAGS,
    "request": ApplicationDecisionInputSerializer,
    "responses": {200: ApplicationOutputSerializer, **ERROR_RESPONSES, **NOT_FOUND, **CONFLICT},
}


class ApplicationApproveApi(APIView):
    permission_classes = [door("coordination")]

    @extend_schema(
        operation_id="shop_applications_approve",
        summary="Accepter une demande : crée le commerce et le commerçant, qui est prévenu par SMS",
        examples=[
            OpenApiExample("Acceptée", value={**_APPLICATION, "status": "approved"}, response_only=True)
        ],
        **_DECISION,
    )
    def post(self, request: Request, application_id: int) -> Response:
        return _decide(request, application_id, approve=True)


class ApplicationRejectApi(APIView):
    permission_classes = [door("coordination")]

    @extend_schema(
        operation_id="shop_applications_reject",
        summary="Refuser une demande d'inscription",
        examples=[
            OpenApiExample("Motif", value={"note": "Commerce hors de la commune"}, request_only=True),
            OpenApiExample("Refusée", value={**_APPLICATION, "status": "rejected"}, response_only=True),
        ],
        **_DECISION,
    )
    def post(self, request: Request, application_id: int) -> Response:
        return _decide(request, application_id, approve=False)


class QuarantineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sender = serializers.CharField()
    body = serializers.CharField()
    received_at = serializers.DateTimeField()
    status = serializers.CharField()


class AttachInputSerializer(serializers.Serializer):
    shop = serializers.IntegerField(help_text="Commerce auquel rattacher le numéro.")
    display_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


_QUARANTINED = {
    "id": 9,
    "sender": "+33698765432",
    "body": "VOL à la caisse",
    "received_at": "2026-11-27T09:00:00+01:00",
    "status": "quarantined",
}


class QuarantineListApi(APIView):
    permission_classes = [door("coordination")]

    @extend_schema(
        operation_id="sms_quarantine_list",
        summary="SMS de numéros inconnus en attente d'examen",
        tags=TAGS,
        responses={200: paginated(QuarantineOutputSerializer, "PaginatedQuarantineList"), **ERROR_RESPONSES},
        examples=[_page_example(_QUARANTINED)],
    )
    def get(self, request: Request) -> Response:
        return paginate(
            self,
            request,
            quarantine_list(commune=_commune_of(request)),
            lambda item: QuarantineOutputSerializer(item).data,
        )


def _quarantined(request: Request, message_id: int) -> InboundMessage:
    message = quarantine_list(commune=_commune_of(request)).filter(pk=message_id).first()
    if message is None:
        raise NotFound(_("Message introuvable ou déjà examiné."))
    return message


class QuarantineAttachApi(APIView):
    permission_classes = [door("coordination")]

    @extend_schema(
        operation_id="sms_quarantine_attach",
        summary="Rattacher le numéro à un commerce : ses messages partent en modération",
        tags=TAGS,
        request=AttachInputSerializer,
        responses={200: EnrolOutputSerializer, **ERROR_RESPONSES, **NOT_FOUND},
        examples=[
            OpenApiExample("Rattachement", value={"shop": 1, "display_name": "Sam"}, request_only=True),
            OpenApiExample(
                "Rattaché",
                value={"id": 2, "user_id": 11, "shop_id": 1, "sms_opt_in": True},
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request, message_id: int) -> Response:
        payload = validated(AttachInputSerializer, request.data)
        commune = _commune_of(request)
        message = _quarantined(request, message_id)
        shop = Shop.objects.filter(pk=payload["shop"], commune=commune, is_active=True).first()
        if shop is None:
            raise ApplicationError(_("Commerce inconnu dans cette commune."), field="shop")
        shopkeeper = inbound_attach(
            message=message,
            shop=shop,
            actor=request.user,  # type: ignore[arg-type]
            display_name=payload["display_name"],
        )
        return Response(EnrolOutputSerializer(shopkeeper).data)


class QuarantineDiscardApi(APIView):
    permission_classes = [door("coordination")]

    @extend_schema(
        operation_id="sms_quarantine_discard",
        summary="Écarter un SMS en quarantaine",
        tags=TAGS,
        request=None,
        responses={200: QuarantineOutputSerializer, **ERROR_RESPONSES, **NOT_FOUND},
        examples=[
            OpenApiExample("Écarté", value={**_QUARANTINED, "status": "discarded"}, response_only=True)
        ],
    )
    def post(self, request: Request, message_id: int) -> Response:
        message = inbound_discard(message=_quarantined(request, message_id), actor=request.user)  # type: ignore[arg-type]
        return Response(QuarantineOutputSerializer(message).data)
