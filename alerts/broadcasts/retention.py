"""Who received which broadcast, and for how long (registered with the kernel's retention registry)."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from alerts.broadcasts.models import BroadcastRecipient
from backend.core.retention import register_retention, retention_rule

RULE = "broadcasts.recipients"


def recipients_expired(now: datetime) -> QuerySet[BroadcastRecipient]:
    """Rows of broadcasts sent before the period; an original whose update or cancel went out within the
    period keeps its rows (they are the list that updates reach)."""
    limit = now - retention_rule(RULE).period()
    return BroadcastRecipient.objects.filter(broadcast__sent_at__lt=limit).exclude(
        broadcast__follow_ups__sent_at__gte=limit
    )


def register() -> None:
    """Called from BroadcastsConfig.ready()."""
    register_retention(
        RULE,
        label=_("Destinataires des diffusions"),
        model=BroadcastRecipient,
        setting="BROADCAST_RECIPIENT_RETENTION_DAYS",
        age_field="broadcast__sent_at",
        since=_("l'envoi de la diffusion, ou de sa dernière mise à jour"),
        expired=recipients_expired,
    )
