"""Delivery statuses reported by a provider's callback, written on the outbox row they concern."""

from django.db import transaction

from backend.messaging.backends.inbound import DeliveryOutcome, StatusReport
from backend.messaging.models import Delivery

# Callbacks may arrive out of order ("sent" after "delivered"): a report never moves a row backwards.
_RANK = {
    DeliveryOutcome.PENDING: 0,
    DeliveryOutcome.SENT: 1,
    DeliveryOutcome.DELIVERED: 2,
    DeliveryOutcome.FAILED: 2,
    DeliveryOutcome.INVALID: 2,
}


def delivery_status_record(*, report: StatusReport) -> Delivery | None:
    """Updates the SMS delivery whose provider id is `report.provider_id`; None when there is none."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .filter(channel=Delivery.Channel.SMS, provider_id=report.provider_id)
            .first()
        )
        if delivery is None:
            return None
        previous = delivery.data.get("provider_outcome", DeliveryOutcome.PENDING)
        if _RANK[report.outcome] < _RANK.get(DeliveryOutcome(previous), 0):
            return delivery
        delivery.provider_status = report.provider_status
        delivery.data = {**delivery.data, "provider_outcome": str(report.outcome)}
        fields = ["provider_status", "data"]
        if report.outcome in (DeliveryOutcome.FAILED, DeliveryOutcome.INVALID):
            delivery.status = (
                Delivery.Status.INVALID
                if report.outcome == DeliveryOutcome.INVALID
                else Delivery.Status.FAILED
            )
            delivery.last_error = report.error or report.provider_status
            fields += ["status", "last_error"]
        delivery.save(update_fields=fields)
        return delivery
