"""How long rights requests are kept (registered with the kernel's retention registry)."""

from django.utils.translation import gettext_lazy as _

from alerts.privacy.models import RightsRequest
from backend.core.retention import register_retention


def register() -> None:
    """Called from PrivacyConfig.ready(): a request and its answer are the commune's proof that it answered,
    kept from their receipt for PRIVACY_REQUEST_RETENTION_DAYS."""
    register_retention(
        "privacy.rights_requests",
        label=_("Demandes d'exercice des droits"),
        model=RightsRequest,
        setting="PRIVACY_REQUEST_RETENTION_DAYS",
        age_field="received_at",
    )
