"""Retry-safe POSTs: one decorator for every POST that sends something to people.

A phone that lost its answer sends the same request again; a town must not be alerted twice. With an
`Idempotency-Key` header, the first response is stored (with a fingerprint of the request) in the same
transaction as the work itself, and a retry with the same key gets that response back, marked
`Idempotent-Replayed: true`, without anything being done again; the same key with another request is
refused (422). Without the header, the request runs as usual. Keys are per user and per scope; the rows
live `IDEMPOTENCY_RETENTION_HOURS` (the retention registry, `core.idempotency`).

    class BroadcastListCreateApi(APIView):
        @extend_schema(parameters=[IDEMPOTENCY_KEY], responses={..., **IDEMPOTENCY_CONFLICT})
        @idempotent("broadcast_create")
        def post(self, request: Request) -> Response: ...
"""

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from backend.core.api import ErrorSerializer, request_user
from backend.core.errors import ApplicationError, Unprocessable
from backend.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 120

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER, str, OpenApiParameter.HEADER, description="Clé unique par envoi (UUID)."
)
IDEMPOTENCY_CONFLICT = {
    422: OpenApiResponse(ErrorSerializer, description="Clé d'idempotence déjà servie pour une autre requête.")
}

Post = TypeVar("Post", bound=Callable[..., Response])


def idempotent(scope: str) -> Callable[[Post], Post]:
    """Makes an APIView's `post` retry-safe under `scope` (see the module's docstring)."""

    def decorate(post: Post) -> Post:
        @functools.wraps(post)
        def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            key = (request.headers.get(HEADER) or "").strip()
            if len(key) > KEY_MAX_LENGTH:
                raise ApplicationError(
                    _("Clé d'idempotence trop longue (120 caractères au plus)."), field=HEADER
                )
            if not key:
                return post(view, request, *args, **kwargs)
            user = request_user(request)
            fingerprint = request_fingerprint(request)
            try:
                with transaction.atomic():
                    previous = (
                        IdempotencyRecord.objects.select_for_update()
                        .filter(user=user, scope=scope, key=key)
                        .first()
                    )
                    if previous is not None:
                        return _replay(previous, fingerprint)
                    response = post(view, request, *args, **kwargs)
                    IdempotencyRecord.objects.create(
                        user=user,
                        scope=scope,
                        key=key,
                        request_hash=fingerprint,
                        response_status=response.status_code,
                        response_body=json.loads(JSONRenderer().render(response.data)),
                    )
                    return response
            except IntegrityError:
                # A parallel request with the same key won: everything of this one was rolled back.
                previous = IdempotencyRecord.objects.get(user=user, scope=scope, key=key)
                return _replay(previous, fingerprint)

        return wrapper  # type: ignore[return-value]

    return decorate


def request_fingerprint(request: Request) -> str:
    """A digest of the request's fields and uploaded files (in a stable order)."""
    digest = hashlib.sha256()
    data = request.data
    if hasattr(data, "lists"):
        fields = {key: values for key, values in data.lists() if key not in request.FILES}
    else:
        fields = dict(data) if isinstance(data, dict) else {"_": data}
    digest.update(json.dumps(fields, sort_keys=True, default=str).encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(name.encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _replay(previous: IdempotencyRecord, fingerprint: str) -> Response:
    if previous.request_hash != fingerprint:
        raise Unprocessable(_("Cette clé d'idempotence a déjà servi pour une autre requête."), field=HEADER)
    response = Response(previous.response_body, status=previous.response_status)
    response["Idempotent-Replayed"] = "true"
    return response
