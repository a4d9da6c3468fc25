"""The periodic escalation of dispatches not acknowledged in time."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import (
    CommuneAlertSettings,
    Dispatch,
)
from alerts.services.common import moderation_groups
from alerts.services.dispatch import agencies_data, dispatch_create, dispatch_event_emit
from alerts.services.notifications import deliveries_link
from backend.audit.services import audit_record
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue

# --- escalation (periodic job) -----------------------------------------------------------------


def dispatches_escalate(*, now: datetime | None = None, limit: int = 200) -> int:
    """Escalates dispatches not acknowledged in time: flag + event, SMS to the duty phone, and a dispatch
    to the commune's fallback agency. A conditional update claims each row: safe with several workers."""
    now = now or timezone.now()
    due = list(
        Dispatch.objects.filter(status=Dispatch.Status.SENT, escalated_at=None, ack_deadline__lt=now)
        .order_by("ack_deadline")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in due:
        with transaction.atomic():
            won = Dispatch.objects.filter(pk=pk, status=Dispatch.Status.SENT, escalated_at=None).update(
                escalated_at=now
            )
            if not won:
                continue
            dispatch = Dispatch.objects.select_related(
                "agency", "observation", "observation__category", "observation__sector", "assignee"
            ).get(pk=pk)
            observation = dispatch.observation
            audit_record(actor=None, action="dispatch.escalated", target=dispatch)
            if dispatch.agency.duty_phone:
                duty_sms = deliveries_enqueue(
                    [
                        Outgoing(
                            channel=Delivery.Channel.SMS,
                            kind="alerts.dispatch.escalated",
                            address=dispatch.agency.duty_phone,
                            body=_(
                                "Vigie : le signalement %(ref)s (%(category)s%(progress)s) attend d'être pris "
                                "en compte."
                            )
                            % {
                                "ref": observation.reference,
                                "category": observation.category.label,
                                "progress": _(", en cours") if observation.in_progress else "",
                            },
                            source=f"alerts.dispatch:{dispatch.pk}",
                            priority=Delivery.Priority.HIGH,
                        )
                    ]
                )
                deliveries_link(duty_sms, observation=observation, agency=dispatch.agency)
            fallback = None
            settings_row = (
                CommuneAlertSettings.objects.filter(commune_id=observation.commune_id)
                .select_related("fallback_agency")
                .first()
            )
            if settings_row and settings_row.fallback_agency and settings_row.fallback_agency.is_active:
                candidate = settings_row.fallback_agency
                if not Dispatch.objects.filter(observation=observation, agency=candidate).exists():
                    fallback = dispatch_create(observation, candidate, actor=None, source=dispatch)
            dispatch_event_emit(
                "dispatch.escalated",
                dispatch,
                {
                    "fallback_dispatch_id": fallback.pk if fallback else None,
                    "fallback_agency": agencies_data([fallback.agency])[0] if fallback else None,
                },
                groups=moderation_groups(observation),
            )
            done += 1
    return done
