"""Agency tokens: created and revoked by the admins who may edit the agency, checked on every request that
presents one (alerts/authentication.py). Only the SHA-256 of a token is stored; the token in clear exists
once, in what `agency_token_create` returns."""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.models import Agency, AgencyToken
from alerts.services.common import text_clean
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import Conflict, Forbidden

# Distinct from the users' JWTs (which start with "eyJ"), so the authentication knows which it holds.
TOKEN_PREFIX = "vga_"  # noqa: S105  (a marker, not a secret)
# What is stored and shown to recognise a token: the marker and the first 8 characters of the secret.
SHOWN_LENGTH = len(TOKEN_PREFIX) + 8
LABEL_MAX = 80
# `last_used_at` is written at most this often per token: not one write per request.
LAST_USED_PRECISION = timedelta(minutes=1)
_SHOWN = re.compile(rf"^{TOKEN_PREFIX}[A-Za-z0-9_-]{{8}}$")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require_manager(actor: User, agency: Agency) -> None:
    if not access.may_manage_agency_tokens(actor, agency):
        raise Forbidden(
            _(
                "Seul l'administrateur d'une commune desservie par ce seul service (ou un administrateur "
                "de la plateforme) gère ses jetons."
            )
        )


def agency_token_create(
    *, agency: Agency, label: str, actor: User, ip: str | None = None
) -> tuple[AgencyToken, str]:
    """A new token for the agency, and its secret in clear: the only time it exists outside the caller."""
    _require_manager(actor, agency)
    clean = text_clean(label, field="label", limit=LABEL_MAX)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = AgencyToken.objects.create(
            agency=agency, label=clean, prefix=raw[:SHOWN_LENGTH], key_hash=_digest(raw), created_by=actor
        )
        audit_record(
            actor=actor,
            action="agency_token.created",
            target=token,
            extra={"agency": agency.pk, "prefix": token.prefix},
            ip=ip,
        )
    return token, raw


def agency_token_revoke(*, token: AgencyToken, actor: User, ip: str | None = None) -> AgencyToken:
    """Refused from the next request on (each request checks the token)."""
    _require_manager(actor, token.agency)
    with transaction.atomic():
        now = timezone.now()
        if not AgencyToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=now, revoked_by=actor
        ):
            raise Conflict(_("Ce jeton est déjà révoqué."))
        audit_record(
            actor=actor,
            action="agency_token.revoked",
            target=token,
            extra={"agency": token.agency_id, "prefix": token.prefix},
            ip=ip,
        )
    token.refresh_from_db()
    return token


def agency_token_check(*, raw: str, ip: str | None = None) -> AgencyToken | None:
    """The active token of an active agency that `raw` is, its use noted; else None, and an audit row.

    Found by its shown prefix, then its digest compared in constant time."""
    shown = raw[:SHOWN_LENGTH]
    digest = _digest(raw)
    candidates = (
        AgencyToken.objects.select_related("agency").filter(prefix=shown) if _SHOWN.match(shown) else []
    )
    token = next((row for row in candidates if hmac.compare_digest(row.key_hash, digest)), None)
    if token is None or token.revoked_at is not None or not token.agency.is_active:
        reason = "unknown" if token is None else "revoked" if token.revoked_at else "agency_inactive"
        audit_record(
            actor=None,
            action="agency_token.refused",
            target=token,
            extra={"reason": reason, "prefix": shown if _SHOWN.match(shown) else ""},
            ip=ip,
        )
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        AgencyToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
