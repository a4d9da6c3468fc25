"""Observation photos: streamed to whoever may see them, or through a signed, expiring URL."""

from django.core import signing
from django.http import FileResponse, HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from alerts import access
from alerts.models import (
    ObservationPhoto,
    ObservationRead,
)
from alerts.read_log import observation_reads_record
from alerts.serializers import (
    PHOTO_URL_MAX_AGE,
    PHOTO_URL_SALT,
)
from backend.accounts.second_factor import request_has_second_factor
from backend.audit.services import client_ip
from backend.core.api import ERROR_RESPONSES, NOT_FOUND
from backend.core.errors import NotFound


class ObservationPhotoApi(APIView):
    """Streams one photo: to whoever may see the observation, or with a signed, expiring URL."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="observations_photos_retrieve",
        summary="Une photo d'un signalement",
        parameters=[OpenApiParameter("signature", str, description="Signature de l'adresse (15 minutes).")],
        responses={(200, "image/*"): OpenApiTypes.BINARY, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int, photo_id: int) -> HttpResponseBase:
        photo = (
            ObservationPhoto.objects.select_related("observation")
            .filter(pk=photo_id, observation_id=pk)
            .first()
        )
        if photo is None:
            raise NotFound(_("Photo introuvable."))
        allowed = False
        signature = request.query_params.get("signature")
        if signature:
            try:
                value = signing.TimestampSigner(salt=PHOTO_URL_SALT).unsign(
                    signature, max_age=PHOTO_URL_MAX_AGE
                )
                allowed = value == str(photo.pk)
            except signing.BadSignature:
                allowed = False
        observation = photo.observation
        view = access.observation_view(
            request.user, observation, second_factor=request_has_second_factor(request)
        )
        if not allowed and view is None:
            raise NotFound(_("Photo introuvable."))
        if view not in (None, access.View.AUTHOR):
            observation_reads_record(
                actor=request.user,
                observations=[observation],
                door=ObservationRead.Door.PHOTO,
                view=view,
                ip=client_ip(request),
            )
        response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        return response
