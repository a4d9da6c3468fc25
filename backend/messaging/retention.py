"""What the outbox keeps, and for how long (registered with the kernel's retention registry)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.core.retention import register_retention
from backend.messaging.models import Delivery, Device

SETTLED = (
    Delivery.Status.SENT,
    Delivery.Status.FAILED,
    Delivery.Status.INVALID,
    Delivery.Status.CANCELLED,
)


def register() -> None:
    """Called from MessagingConfig.ready()."""
    # Texts and phone numbers of messages already settled; push receipts go with their delivery.
    register_retention(
        "messaging.deliveries",
        label=_("Messages envoyés (SMS, push, webhooks) et accusés push"),
        model=Delivery,
        setting="DELIVERY_RETENTION_DAYS",
        age_field="created_at",
        scope=Q(status__in=SETTLED),
    )
    # Push addresses that the provider rejected (or replaced): useless, and still a device identifier.
    register_retention(
        "messaging.devices_inactive",
        label=_("Appareils désactivés"),
        model=Device,
        setting="DEVICE_INACTIVE_RETENTION_DAYS",
        age_field="last_seen_at",
        scope=Q(is_active=False),
    )
