"""What the referents' API views share: the OpenAPI tag, examples, the enrolment answer."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import status
from rest_framework.response import Response

from backend.accounts.tokens import tokens_issue
from backend.core.api import ErrorSerializer
from neighbours import selectors
from neighbours.models import Referent
from neighbours.serializers import (
    ReferentMeSerializer,
)

TAGS = ["referents"]

# --- examples ---------------------------------------------------------------------------------------------
SECTOR_EXAMPLE = {"id": 3, "slug": "la-gavotte", "name": "La Gavotte"}
ME_EXAMPLE = {
    "id": 5,
    "display_name": "Rachid Référent",
    "phone": "+33612000021",
    "status": "active",
    "status_label": "actif",
    "commune": {"id": 1, "slug": "les-pennes-mirabeau", "name": "Les Pennes-Mirabeau"},
    "sector": SECTOR_EXAMPLE,
    "trusted": True,
    "charter": {
        "version": 1,
        "text": "Le référent observe, signale, ne s'interpose jamais…",
        "published_at": "2025-01-01T00:00:00+01:00",
    },
    "charter_accepted_version": 1,
    "charter_accepted_at": "2025-02-03T18:12:00+01:00",
    "must_accept_charter": False,
    "protocol": {
        "signed_on": "2024-12-10",
        "starts_on": "2025-01-01",
        "ends_on": "2027-12-31",
        "police_force": "police_nationale",
        "police_force_label": "Police nationale",
        "police_unit": "Commissariat de Vitrolles",
        "in_force": True,
    },
    "can_submit": True,
    "cannot_submit_reason": "",
}
PENDING_ME_EXAMPLE = {
    **ME_EXAMPLE,
    "status": "pending",
    "status_label": "en attente de validation",
    "trusted": False,
    "charter_accepted_version": None,
    "charter_accepted_at": None,
    "must_accept_charter": True,
    "can_submit": False,
    "cannot_submit_reason": "Votre inscription de référent attend la validation de la mairie.",
}
ENROLMENT_EXAMPLE = {"access": "eyJ…", "refresh": "eyJ…", "referent": PENDING_ME_EXAMPLE}
REFERENT_EXAMPLE = {
    "id": 5,
    "user_id": 21,
    "display_name": "Rachid Référent",
    "phone": "+33612000021",
    "status": "active",
    "status_label": "actif",
    "sector": SECTOR_EXAMPLE,
    "trusted": True,
    "source": "application",
    "charter_version": 1,
    "charter_accepted_at": "2025-02-03T18:12:00+01:00",
    "created_at": "2025-01-20T10:00:00+01:00",
    "status_changed_at": "2025-01-22T09:00:00+01:00",
    "application": {"motivation": "Je connais bien le quartier.", "created_at": "2025-01-20T10:00:00+01:00"},
}
HISTORY_EXAMPLE = [
    {
        "at": "2025-01-20T10:00:00+01:00",
        "from_status": "",
        "to_status": "pending",
        "reason": "",
        "actor_id": 21,
    },
    {
        "at": "2025-01-22T09:00:00+01:00",
        "from_status": "pending",
        "to_status": "active",
        "reason": "",
        "actor_id": 2,
    },
]
INVITATION_EXAMPLE = {
    "id": 4,
    "code": "K7PM3QXD",
    "phone": "+33612000024",
    "display_name": "Inès Invitée",
    "sector": SECTOR_EXAMPLE,
    "created_at": "2026-11-27T09:00:00+01:00",
    "expires_at": "2026-12-11T09:00:00+01:00",
    "accepted_at": None,
    "state": "pending",
}
PREFERENCES_EXAMPLE = {
    "push": {"prevention": True, "burglary_alert": True, "shop_alert": False},
    "push_locked": ["burglary_alert"],
    "push_kinds": {
        "prevention": "conseils de prévention",
        "burglary_alert": "alertes cambriolage",
        "shop_alert": "alertes commerces",
    },
    "quiet_hours_start": "22:00",
    "quiet_hours_end": "07:00",
    "language": "fr",
}


def error_example(detail: str, field: str | None = None, *, codes: list[str]) -> OpenApiExample:
    return OpenApiExample(
        detail[:40],
        value={"detail": detail, "errors": {field: [detail]} if field else {}},
        response_only=True,
        status_codes=codes,
    )


ERROR_404 = OpenApiResponse(ErrorSerializer, description="Introuvable (ou d'une autre commune).")
ERROR_409 = OpenApiResponse(ErrorSerializer, description="Conflit avec l'état actuel.")


def enrolment_response(referent: Referent) -> Response:
    data = {
        **tokens_issue(user=referent.user),  # a login: starts a token family, no second factor
        "referent": ReferentMeSerializer(selectors.referent_profile(referent=referent)).data,
    }
    return Response(data, status=status.HTTP_201_CREATED)
