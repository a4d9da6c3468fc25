"""Writes of broadcasts, one module per operation. Each public function is one transaction: the broadcast,
its recipients, their inbox rows, the outbox deliveries, the audit records and the realtime event commit
together.

- common.py: the channels, the limits on texts, the kinds quiet hours hold back, the shared checks
- drafting.py: `broadcast_create` (its checks: `draft_clean`), alerts made from an observation
  (`observation_check`)
- prefill.py: texts from the commune's templates, of a kind or from observations (`broadcast_prefill`,
  `observation_prefill`)
- preview.py: `broadcast_preview` (the recipients and SMS of a request, nothing written)
- approval.py: the two-person rule (`two_person_rule`, `broadcast_approve`)
- delivery.py: sending (who gets what, on which channel: recipients, inbox rows, deliveries)
- schedule.py: the worker's periodic job (`broadcasts_run_due`: scheduled sending and expiry)
- update_cancel.py: `broadcast_update`, `broadcast_cancel`
- inbox.py: `notification_mark_read`

The public names are re-exported here, so `from alerts.broadcasts import services; services.broadcast_create`
reads as before; code inside the package imports from the module that defines a name."""

from alerts.broadcasts.services.approval import broadcast_approve, two_person_rule
from alerts.broadcasts.services.common import (
    CHANNELS,
    HIGH_PRIORITY_KINDS,
    MAX_BODY,
    MAX_TITLE,
    QUIET_HOURS_KINDS,
)
from alerts.broadcasts.services.delivery import Planned
from alerts.broadcasts.services.drafting import (
    APPROVED_OBSERVATION,
    broadcast_create,
    draft_clean,
    observation_check,
)
from alerts.broadcasts.services.inbox import notification_mark_read
from alerts.broadcasts.services.prefill import broadcast_prefill, observation_prefill
from alerts.broadcasts.services.preview import broadcast_preview
from alerts.broadcasts.services.schedule import broadcasts_run_due
from alerts.broadcasts.services.update_cancel import broadcast_cancel, broadcast_update

__all__ = [
    "APPROVED_OBSERVATION",
    "CHANNELS",
    "HIGH_PRIORITY_KINDS",
    "MAX_BODY",
    "MAX_TITLE",
    "QUIET_HOURS_KINDS",
    "Planned",
    "broadcast_approve",
    "broadcast_cancel",
    "broadcast_create",
    "broadcast_prefill",
    "broadcast_preview",
    "broadcast_update",
    "broadcasts_run_due",
    "draft_clean",
    "notification_mark_read",
    "observation_check",
    "observation_prefill",
    "two_person_rule",
]
