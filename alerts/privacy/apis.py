"""GET /api/v1/privacy/: the privacy notice for the apps (public: shown before sign-in)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts.privacy.notice import notice_path, privacy_notice, public_url
from alerts.privacy.selectors import notice_commune
from alerts.privacy.serializers import PrivacyNoticeSerializer
from backend.core.api import ERROR_RESPONSES, NOT_FOUND
from backend.core.errors import ApplicationError, NotFound


class PrivacyNoticeApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="privacy_notice",
        summary="Politique de confidentialité de la commune",
        description=(
            "Responsable, délégué, finalités, bases légales, destinataires (services de police nommés), "
            "durées de conservation en vigueur, droits et réclamation CNIL. La commune : `commune` (code "
            "INSEE ou identifiant), sinon celle du compte, sinon la seule de l'installation."
        ),
        parameters=[OpenApiParameter("commune", str, description="Code INSEE ou identifiant de la commune.")],
        responses={200: PrivacyNoticeSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        code = request.query_params.get("commune")
        commune = notice_commune(code, user=request.user)
        if commune is None and code:
            raise NotFound(_("Commune inconnue."), field="commune")
        if commune is None:
            raise ApplicationError(_("Précisez la commune (code INSEE ou identifiant)."), field="commune")
        notice = privacy_notice(commune)
        notice["notice_url"] = public_url(notice_path(commune))
        return Response(PrivacyNoticeSerializer(notice).data)
