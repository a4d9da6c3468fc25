"""What the author of an observation is told: inbox rows, push or SMS."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from alerts.models import (
    Agency,
    Channel,
    Notification,
    Observation,
    ObservationDelivery,
)
from backend.accounts.models import Role, User
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue

# --- notifications -----------------------------------------------------------------------------


def notification_send(
    *,
    user: User,
    kind: str,
    title: str,
    body: str,
    data: Mapping[str, Any] | None = None,
    channel_hint: str = "push",
    observation: Observation | None = None,
    priority: str = Delivery.Priority.NORMAL,
    source: str = "",
) -> Notification:
    """Keeps the notification in the person's inbox and queues its delivery: push to their devices
    (channel_hint "push"), an SMS ("sms"), both ("both") or none ("none")."""
    payload = dict(data or {})
    notification = Notification.objects.create(
        user=user, kind=kind, title=title[:200], body=body, data=payload, observation=observation
    )
    payload.setdefault("notification_id", notification.pk)
    channels = {"push": ["push"], "sms": ["sms"], "both": ["push", "sms"]}.get(channel_hint, [])
    deliveries = deliveries_enqueue(
        Outgoing(
            channel=channel,
            kind=kind,
            body=body,
            title=title if channel == "push" else "",
            recipient=user,
            data=payload,
            source=source or (f"alerts.notification:{notification.pk}"),
            priority=priority,
        )
        for channel in channels
    )
    if observation is not None:
        deliveries_link(deliveries, observation=observation)
    return notification


def deliveries_link(
    deliveries: Iterable[Delivery], *, observation: Observation, agency: Agency | None = None
) -> None:
    """Ties outbox rows to the observation that caused them (retention deletes them with it)."""
    ObservationDelivery.objects.bulk_create(
        [ObservationDelivery(delivery=row, observation=observation, agency=agency) for row in deliveries]
    )


def author_tell(observation: Observation, *, kind: str, body: str) -> None:
    author = observation.author
    # An officer's own observation on patrol (holiday watch): nothing to tell them.
    if author is None or not author.is_active or author.role not in Role.REPORTING:
        return
    channel_hint = "sms" if observation.channel in (Channel.SMS, Channel.WEB) else "push"
    notification_send(
        user=author,
        kind=kind,
        title=_("Signalement %(ref)s") % {"ref": observation.reference},
        body=body,
        data={
            "observation_id": observation.pk,
            "reference": observation.reference,
            "status": observation.status,
        },
        channel_hint=channel_hint,
        observation=observation,
    )
