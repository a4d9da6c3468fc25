from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class RequestBodyLimitMiddleware:
    """Refuses a request whose declared body is larger than REQUEST_BODY_MAX_BYTES, before parsing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_BODY_MAX_BYTES
        if length > limit:
            return JsonResponse(
                {
                    "detail": _("La requête est trop volumineuse (%(max)d Mo au plus).")
                    % {"max": limit // (1024 * 1024)},
                    "errors": {},
                },
                status=413,
            )
        return self.get_response(request)
