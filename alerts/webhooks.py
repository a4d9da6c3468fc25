"""Agency webhooks (docs/webhooks.md): every event of a dispatch goes, signed, to the webhook of the
agency that owns the dispatch.

The payload is the event as that agency's consoles receive it (the police view of the dispatch: never
the reporter), with the event's id and time and a delivery id that stays the same across retries, so
that receivers can drop duplicates. The kernel's worker sends it (backend/messaging/webhook.py) and reads
the signing key at send time through the resolver registered here, from the delivery's agency link.
"""

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Agency, Dispatch, Event, ObservationDelivery
from alerts.selectors import iso
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue
from backend.messaging.webhook import WebhookResponse, register_webhook_key, webhook_send

# What an agency's webhook receives (and `ping`, from manage.py webhook_test).
WEBHOOK_EVENTS = (
    "dispatch.created",
    "dispatch.acknowledged",
    "dispatch.assigned",
    "dispatch.noted",
    "dispatch.handed_over",
    "dispatch.closed",
    "dispatch.escalated",
)
SECRET_BYTES = 32
RECENT_FAILURES = timedelta(hours=24)


def webhook_secret_new() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def agency_webhook_secret(agency: Agency) -> str:
    """The agency's signing key, made on first use (agencies saved before keys existed have none). The
    conditional update makes one key even when two transactions get here together."""
    if not agency.webhook_secret:
        Agency.objects.filter(pk=agency.pk, webhook_secret="").update(webhook_secret=webhook_secret_new())
        agency.webhook_secret = Agency.objects.values_list("webhook_secret", flat=True).get(pk=agency.pk)
    return agency.webhook_secret


def agency_webhook_secret_rotate(*, agency: Agency, actor: User) -> str:
    """A new signing key: requests are signed with it from now on, retries of older events included."""
    with transaction.atomic():
        agency.webhook_secret = webhook_secret_new()
        agency.save(update_fields=["webhook_secret"])
        audit_record(actor=actor, action="agency.webhook_secret_rotated", target=agency)
    return agency.webhook_secret


def webhook_payload(*, type: str, data: dict[str, Any], event_id: int | None, at: datetime) -> dict[str, Any]:
    return {
        "delivery_id": str(uuid.uuid4()),
        "type": type,
        "event_id": event_id,
        "at": iso(at),
        "data": data,
    }


def agency_webhook_enqueue(*, dispatch: Dispatch, event: Event) -> list[Delivery]:
    """Queues `event` (one of WEBHOOK_EVENTS, just emitted for `dispatch`) to the webhook of the agency
    that owns the dispatch, in the caller's transaction, linked to the observation and the agency."""
    from alerts.services.notifications import deliveries_link  # the dispatch services call this module

    agency = dispatch.agency
    if not agency.webhook_url:
        return []
    agency_webhook_secret(agency)
    observation = dispatch.observation
    rows = deliveries_enqueue(
        [
            Outgoing(
                channel=Delivery.Channel.WEBHOOK,
                kind="alerts.dispatch",
                body=f"{event.type} {observation.reference}",
                address=agency.webhook_url,
                data=webhook_payload(type=event.type, data=event.data, event_id=event.pk, at=event.at),
                source=f"alerts.dispatch:{dispatch.pk}",
                priority=Delivery.Priority.HIGH if observation.in_progress else Delivery.Priority.NORMAL,
            )
        ]
    )
    deliveries_link(rows, observation=observation, agency=agency)
    return rows


def agency_webhook_ping(*, agency: Agency) -> WebhookResponse:
    """Sends a signed `ping` to the agency's webhook now, through the worker's code path (address checks
    included); returns the answer whatever its status. Raises the sender's errors (refused, unreachable)."""
    if not agency.webhook_url:
        raise ApplicationError(_("Ce service n'a pas d'adresse de webhook."), field="webhook_url")
    payload = webhook_payload(
        type="ping",
        data={"agency": {"id": agency.pk, "name": agency.name, "kind": agency.kind}},
        event_id=None,
        at=timezone.now(),
    )
    return webhook_send(agency.webhook_url, payload, secret=agency_webhook_secret(agency))


# --- reads: the key at send time, and the dead letters --------------------------------------------


def delivery_signing_key(delivery: Delivery) -> str | None:
    """The kernel's resolver: a webhook delivery is signed with its agency's current key."""
    if delivery.channel != Delivery.Channel.WEBHOOK:
        return None
    key = (
        ObservationDelivery.objects.filter(delivery_id=delivery.pk, agency__isnull=False)
        .values_list("agency__webhook_secret", flat=True)
        .first()
    )
    return key or None


def register() -> None:
    register_webhook_key("alerts.agency", delivery_signing_key)


def failed_webhooks(*, agency_ids: list[int], since: datetime | None = None) -> QuerySet[ObservationDelivery]:
    """The agencies' webhook deliveries that failed for good (dead letters), newest last try first. The
    last try is the delivery's `not_before`: a retry is claimed when it falls due."""
    rows = ObservationDelivery.objects.filter(
        agency_id__in=agency_ids,
        delivery__channel=Delivery.Channel.WEBHOOK,
        delivery__status=Delivery.Status.FAILED,
    )
    if since is not None:
        rows = rows.filter(delivery__not_before__gte=since)
    return rows.select_related("delivery").order_by("-delivery__not_before", "-delivery_id")


def webhook_failures_recent(
    *, agency_ids: list[int], now: datetime | None = None
) -> dict[int, dict[str, Any]]:
    """Per agency with dead letters in the last 24 h: their count, and the time and error of the last."""
    if not agency_ids:
        return {}
    since = (now or timezone.now()) - RECENT_FAILURES
    recent = failed_webhooks(agency_ids=agency_ids, since=since)
    counts = {
        row["agency_id"]: row
        for row in recent.order_by()
        .values("agency_id")
        .annotate(count=Count("id"), last_at=Max("delivery__not_before"))
    }
    result: dict[int, dict[str, Any]] = {}
    for agency_id, row in counts.items():
        last = failed_webhooks(agency_ids=[agency_id], since=since).first()
        result[agency_id] = {
            "count": row["count"],
            "last_at": iso(row["last_at"]),
            "last_error": last.delivery.last_error if last else "",
        }
    return result
