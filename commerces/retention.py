"""What commerces keeps, and for how long (registered with the kernel's retention registry)."""

from datetime import datetime
from typing import Any

from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from alerts.models import Observation
from backend.accounts.models import Role, User
from backend.accounts.personal_data import account_erase
from backend.audit.models import AuditEvent
from backend.core.errors import Forbidden
from backend.core.retention import register_retention, retention_rule
from commerces.models import InboundMessage, ShopApplication

SHOPKEEPERS_RULE = "commerces.shopkeepers_ended"

# A shopkeeper's account is over when it is no longer attached to a shop (the link was removed) or was
# deactivated; it is erased when, on top of that, nothing of theirs happened for the whole period.
ENDED_SHOPKEEPERS = Q(role=Role.SHOPKEEPER, erased_at__isnull=True, is_superuser=False) & (
    Q(is_active=False) | Q(shopkeeper__isnull=True)
)


def _or_joined(queryset: QuerySet[Any], field: str) -> Coalesce:
    """The newest `field` of the rows, or the account's creation when there is none."""
    return Coalesce(Subquery(queryset.order_by(f"-{field}").values(field)[:1]), F("date_joined"))


def shopkeepers_ended_expired(now: datetime) -> QuerySet[User]:
    """Ended shopkeepers whose last trace (sign-in, SMS, report, audited act or change of their account)
    is older than the period: the end itself has no date of its own, so the period runs from the last
    thing known of them, which is never after it."""
    limit = now - retention_rule(SHOPKEEPERS_RULE).period()
    last_trace = Greatest(
        F("date_joined"),
        Coalesce(F("last_login"), F("date_joined")),
        _or_joined(InboundMessage.objects.filter(author=OuterRef("pk")), "received_at"),
        _or_joined(Observation.objects.filter(author=OuterRef("pk")), "created_at"),
        _or_joined(AuditEvent.objects.filter(actor_id=OuterRef("pk")), "at"),
        _or_joined(
            AuditEvent.objects.filter(
                object_type="accounts.user", object_id=Cast(OuterRef("pk"), output_field=CharField())
            ),
            "at",
        ),
    )
    return User.objects.filter(ENDED_SHOPKEEPERS).alias(last_trace=last_trace).filter(last_trace__lt=limit)


def shopkeepers_erase(rows: QuerySet[User]) -> int:
    """Erases the accounts with the kernel's eraser (commerces' own section clears their SMS and
    applications); the observations they sent stay, linked to « commerçant supprimé »."""
    erased = 0
    for user in User.objects.filter(pk__in=list(rows.values_list("pk", flat=True))):
        try:
            account_erase(user=user, retention=True)
        except Forbidden:  # erased meanwhile
            continue
        erased += 1
    return erased


def register() -> None:
    """Called from CommercesConfig.ready(). SMS come before the accounts they may belong to."""
    # Every SMS received: texts, and the numbers of people who are not users (quarantine).
    register_retention(
        "commerces.inbound_sms",
        label=_("SMS reçus"),
        model=InboundMessage,
        setting="INBOUND_SMS_RETENTION_DAYS",
        age_field="received_at",
    )
    # A decided application: the contact's name and phone live on in the account, or nowhere.
    register_retention(
        "commerces.shop_applications",
        label=_("Demandes d'inscription de commerces traitées"),
        model=ShopApplication,
        setting="SHOP_APPLICATION_RETENTION_DAYS",
        age_field="decided_at",
        scope=Q(status__in=[ShopApplication.Status.APPROVED, ShopApplication.Status.REJECTED]),
    )
    register_retention(
        SHOPKEEPERS_RULE,
        label=_("Commerçants qui ne le sont plus"),
        model=User,
        setting="SHOPKEEPER_ENDED_RETENTION_DAYS",
        age_field="date_joined",
        since=_("leur dernière trace (connexion, SMS, signalement, acte audité)"),
        scope=ENDED_SHOPKEEPERS,
        erase=shopkeepers_erase,
        expired=shopkeepers_ended_expired,
    )
