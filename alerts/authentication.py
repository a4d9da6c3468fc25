"""The REST API's authentication of agency tokens: `Authorization: Bearer vga_…` (docs/agency-api.md).

Listed before the JWT authentication (backend/settings.py): a bearer value with the `vga_` marker is an
agency token and nothing else, a JWT never starts so; any other header is left to the next class. An
unknown or revoked token is a 401 in the API's error shape. What the token may then do is the access
policy's answer (alerts/access.py, AGENCY_TOKEN_DOORS)."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from alerts.access import AGENCY_TOKEN_DOORS
from alerts.models import AgencyToken, AgencyTokenPrincipal
from alerts.services.agency_tokens import TOKEN_PREFIX, agency_token_check
from backend.audit.services import client_ip


class AgencyTokenAuthentication(BaseAuthentication):
    """`request.user` is an AgencyTokenPrincipal (its agency's system), `request.auth` the token's row."""

    def authenticate(self, request: Request) -> tuple[AgencyTokenPrincipal, AgencyToken] | None:
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != b"bearer" or not parts[1].startswith(TOKEN_PREFIX.encode()):
            return None
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        token = agency_token_check(raw=raw, ip=client_ip(request)) if raw else None
        if token is None:
            raise AuthenticationFailed(_("Jeton de service inconnu ou révoqué."), code="agency_token_invalid")
        return AgencyTokenPrincipal(token), token

    def authenticate_header(self, request: Request) -> str:
        # The JWT authentication's own: a request without credentials gets the same 401 as before.
        return 'Bearer realm="api"'


class AgencyTokenScheme(OpenApiAuthenticationExtension):
    target_class = "alerts.authentication.AgencyTokenAuthentication"
    name = "agencyToken"

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]] | list[Any]:
        """Offered only on the operations whose door lets an agency token through."""
        doors = {getattr(permission, "door", None) for permission in auto_schema.view.permission_classes}
        return {self.name: []} if doors & AGENCY_TOKEN_DOORS else []

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "vga_…",
            "description": "Jeton d'API d'un service de police (docs/agency-api.md).",
        }
