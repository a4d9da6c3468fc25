"""What every REST API of Vigie shares: the error shape and its documented responses, the paginated
envelope and its helper, the request's user."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.core.pagination import Pagination


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Résumé de l'erreur, en français.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages par champ ; vide quand l'erreur ne porte pas sur un champ.",
    )


class ThrottledSerializer(ErrorSerializer):
    retry_after = serializers.IntegerField(
        required=False, help_text="Secondes à attendre avant de réessayer (quand elles sont connues)."
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
    413: OpenApiResponse(ErrorSerializer, description="Requête trop volumineuse."),
    429: OpenApiResponse(ThrottledSerializer, description="Trop de requêtes."),
}

CONFLICT = {409: OpenApiResponse(ErrorSerializer, description="Conflit : déjà pris ou traité.")}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="Introuvable.")}


_paginated: dict[str, type[serializers.Serializer]] = {}


def paginated(item: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """A documented {"count","next","previous","results"} envelope for `item`."""
    if name not in _paginated:
        _paginated[name] = type(
            name,
            (serializers.Serializer,),
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": item(many=True),
            },
        )
    return _paginated[name]


def validated(serializer: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """What an input serializer makes of `data`; a 400 with the error shape when it does not pass."""
    checked = serializer(data=data)
    checked.is_valid(raise_exception=True)
    return dict(checked.validated_data)


def rendered_by(serializer: type[serializers.Serializer]) -> Callable[[Any], Any]:
    """`paginate`'s `render` for items that an output serializer renders."""
    return lambda item: serializer(item).data


def paginate(
    view: APIView,
    request: Request,
    queryset: QuerySet[Any],
    render: Any,
    *,
    served: Callable[[list[Any]], None] | None = None,
) -> Response:
    """One page of `queryset`, each item rendered by `render`; `served` is told what the page holds (the officers' read log)."""
    paginator = Pagination()
    page = list(paginator.paginate_queryset(queryset, request, view=view) or [])
    if served is not None:
        served(page)
    return paginator.get_paginated_response([render(item) for item in page])


def request_user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user
