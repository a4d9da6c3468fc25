"""Agencies' own systems: API tokens that act as their agency on its dispatches (docs/agency-api.md)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.models.agencies import Agency
from backend.accounts.models import User


class AgencyToken(models.Model):
    """A machine credential of one agency. Only the SHA-256 of the secret is stored: the token in clear is
    shown once, when it is created; `prefix` (its first characters) lets people recognise it."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("service de police")
    )
    label = models.CharField(_("libellé"), max_length=80, help_text=_("Le logiciel qui l'utilise."))
    prefix = models.CharField(_("début du jeton"), max_length=16, db_index=True, editable=False)
    key_hash = models.CharField(_("empreinte"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
        editable=False,
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("révoqué par"),
        editable=False,
    )

    class Meta:
        verbose_name = _("jeton d'API de service")
        verbose_name_plural = _("jetons d'API de service")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"


class AgencyTokenPrincipal:
    """`request.user` of a request authenticated by an agency token: its agency's system, not a person.

    Authenticated and active for DRF; no role of Role, no commune, no primary key: the access policy lets it
    through the agency-token doors only (alerts/access.py, AGENCY_TOKEN_DOORS)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None
    commune_id = None
    role = "agency_token"

    def __init__(self, token: AgencyToken) -> None:
        self.token = token

    @property
    def agency_id(self) -> int:
        return self.token.agency_id

    @property
    def display_name(self) -> str:
        return self.token.label

    @property
    def throttle_ident(self) -> str:
        """Its own throttle bucket (backend/core/throttling.py): it has no user id."""
        return f"agency-token-{self.token.pk}"

    @property
    def audit_extra(self) -> dict[str, Any]:
        """What the audit trail records of this actor (backend/audit/services.py)."""
        return {"agency_token": self.token.pk, "agency_token_label": self.token.label}


# Who acts on a dispatch: a person, or an agency's system through its token.
PoliceActor = User | AgencyTokenPrincipal


def actor_user(actor: PoliceActor | None) -> User | None:
    """The person behind an actor (None for an agency token), for the rows that name people."""
    return actor if isinstance(actor, User) else None


def actor_token(actor: PoliceActor | None) -> AgencyToken | None:
    """The agency token behind an actor, for the rows that record one."""
    return actor.token if isinstance(actor, AgencyTokenPrincipal) else None


def agency_token_brief(token: AgencyToken | None) -> dict[str, Any] | None:
    """How notes and events name an agency token: {"id", "label"}."""
    return {"id": token.pk, "label": token.label} if token is not None else None
