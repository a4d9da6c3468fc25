"""The shopkeepers' API (for those who also use the mobile app): their shop and their SMS opt-in."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.permissions import IsShopkeeper
from backend.core.errors import NotFound
from backend.core.schema import ERROR_RESPONSES
from commerces.models import Shopkeeper
from commerces.selectors import shopkeeper_of
from commerces.services import shopkeeper_set_sms_opt_in

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


class _SectorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class _ShopSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    trade = serializers.CharField()
    trade_label = serializers.CharField(source="get_trade_display")
    address = serializers.CharField()
    sector = _SectorSerializer(allow_null=True)


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
    permission_classes = [IsShopkeeper]

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
        payload = ShopkeeperMeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = payload.validated_data
        shopkeeper = shopkeeper_set_sms_opt_in(
            shopkeeper=_mine(request),
            opt_in=data["sms_opt_in"],
            actor=request.user,  # type: ignore[arg-type]
            via="api",
        )
        return Response(ShopkeeperMeOutputSerializer(shopkeeper).data)
