"""What authentication keeps, and for how long (registered with the kernel's retention registry)."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from backend.accounts.models import PhoneCode, TokenFamily
from backend.core.retention import register_retention


def register() -> None:
    """Called from AccountsConfig.ready()."""
    # The phone number and address of anyone who asked for a code (users or not): kept for the limits
    # per number and per address only.
    register_retention(
        "accounts.phone_codes",
        label=_("Codes envoyés par SMS"),
        model=PhoneCode,
        setting="PHONE_CODE_RETENTION_HOURS",
        age_field="created_at",
    )
    # Staff sign-ins and failures (django-axes): address, phone, browser.
    for name, model, label in (
        ("accounts.signin_log", AccessLog, _("Connexions du personnel")),
        ("accounts.signin_attempts", AccessAttempt, _("Échecs de connexion (verrouillage)")),
        ("accounts.signin_failures", AccessFailureLog, _("Journal des échecs de connexion")),
    ):
        register_retention(
            name, label=label, model=model, setting="AUTH_LOG_RETENTION_DAYS", age_field="attempt_time"
        )
    # Expired credentials: worthless, and still who signed in when.
    register_retention(
        "accounts.sessions",
        label=_("Sessions expirées"),
        model=Session,
        setting="EXPIRED_CREDENTIALS_RETENTION_DAYS",
        age_field="expire_date",
    )
    # A family (which refresh tokens descend from one login) names its user; once its newest token has
    # expired, nothing can present it any more. The period is checked against the refresh lifetime below.
    register_retention(
        "accounts.token_families",
        label=_("Familles de jetons dont tous les jetons ont expiré"),
        model=TokenFamily,
        setting="TOKEN_FAMILY_RETENTION_DAYS",
        age_field="rotated_at",
    )
    register_retention(
        "accounts.refresh_tokens",
        label=_("Jetons de rafraîchissement expirés"),
        model=OutstandingToken,
        setting="EXPIRED_CREDENTIALS_RETENTION_DAYS",
        age_field="expires_at",
    )
