"""One JSON error shape for every 4xx: {"detail": "<summary, in French>", "errors": {"<field>": [...]}}."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found, server_error
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from backend.core.errors import ApplicationError

NON_FIELD = "non_field_errors"


def _flatten(errors: Any) -> dict[str, list[str]]:
    """DRF nests errors (lists, dicts of lists); clients get field → list of strings."""
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            if isinstance(value, dict):
                for sub_key, sub_value in _flatten(value).items():
                    flat[f"{key}.{sub_key}"] = sub_value
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for index, item in enumerate(value):
                    for sub_key, sub_value in _flatten(item).items():
                        flat[f"{key}.{index}.{sub_key}"] = sub_value
            else:
                items = value if isinstance(value, list) else [value]
                flat[str(key)] = [str(item) for item in items]
        return flat
    items = errors if isinstance(errors, list) else [errors]
    return {NON_FIELD: [str(item) for item in items]}


def _summary(errors: dict[str, list[str]]) -> str:
    if len(errors) == 1:
        ((field, messages),) = errors.items()
        return (
            messages[0]
            if field == NON_FIELD
            else _("Champ « %(field)s » : %(message)s")
            % {
                "field": field,
                "message": messages[0],
            }
        )
    return _("La requête contient des erreurs ; voir le détail par champ.")


def error_body(exc: Exception) -> dict[str, Any] | None:
    """The error shape of an application error or a validation error (DRF's or Django's), else None.
    The REST API answers with it, and so does the console's socket."""
    if isinstance(exc, ApplicationError):
        return {"detail": exc.message, "errors": {exc.field: [exc.message]} if exc.field else {}, **exc.extra}
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        return {"detail": _summary(errors), "errors": errors}
    return None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Introuvable."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(exc)
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "errors": {}}
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            response.data["retry_after"] = int(wait)
    if response.status_code == status.HTTP_400_BAD_REQUEST and not response.data.get("errors"):
        response.data.setdefault("errors", {})
    return response


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 for URLs that no view matched: the JSON error shape under /api/, HTML elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Introuvable."), "errors": {}}, status=404)
    return page_not_found(request, exception or Http404())


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Erreur interne du serveur."), "errors": {}}, status=500)
    return server_error(request)
