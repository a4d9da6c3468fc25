"""OpenAPI pieces shared by every API: the error shape."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Résumé de l'erreur, en français.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages par champ ; vide quand l'erreur ne porte pas sur un champ.",
    )


_EXAMPLE = OpenApiExample(
    "Erreur de champ",
    value={
        "detail": "Champ « phone » : Numéro de téléphone illisible.",
        "errors": {"phone": ["Numéro de téléphone illisible."]},
    },
    response_only=True,
)

ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Requête invalide.", examples=[_EXAMPLE]),
    401: OpenApiResponse(ErrorSerializer, description="Authentification requise."),
    403: OpenApiResponse(ErrorSerializer, description="Action non permise."),
    429: OpenApiResponse(ErrorSerializer, description="Trop de requêtes."),
}
