"""Writes of the observations domain, one module per operation (intake, references, moderation, dispatch,
escalation, additions, notifications, senders, emergency, categories; the status transitions in
transitions.py). Each public function is one transaction: its rows, its audit records, its realtime events
and its outbound messages commit together (DESIGN.md).

The names other apps call are re-exported here, so `from alerts import services; services.observation_approve`
reads as before; code inside the package imports from the module that defines a name."""

from alerts.services.additions import observation_add_text, observation_addition_review
from alerts.services.agency_tokens import agency_token_check, agency_token_create, agency_token_revoke
from alerts.services.categories import categories_seed_defaults
from alerts.services.common import text_clean
from alerts.services.dispatch import (
    dispatch_acknowledge,
    dispatch_add_note,
    dispatch_assign,
    dispatch_close,
    dispatch_handover,
)
from alerts.services.emergency import (
    emergencies_lapse,
    emergency_activate,
    emergency_close,
    emergency_message,
    emergency_mode_set,
    emergency_renew,
)
from alerts.services.emergency_roster import emergency_confirm, emergency_confirm_by_sms, roster_set
from alerts.services.escalation import dispatches_escalate
from alerts.services.intake import observation_submit
from alerts.services.moderation import (
    observation_approve,
    observation_claim,
    observation_merge,
    observation_reject,
    observation_release,
)
from alerts.services.senders import sender_block, sender_unblock

__all__ = [
    "agency_token_check",
    "agency_token_create",
    "agency_token_revoke",
    "categories_seed_defaults",
    "dispatch_acknowledge",
    "dispatch_add_note",
    "dispatch_assign",
    "dispatch_close",
    "dispatch_handover",
    "dispatches_escalate",
    "emergencies_lapse",
    "emergency_activate",
    "emergency_close",
    "emergency_confirm",
    "emergency_confirm_by_sms",
    "emergency_message",
    "emergency_mode_set",
    "emergency_renew",
    "observation_add_text",
    "observation_addition_review",
    "observation_approve",
    "observation_claim",
    "observation_merge",
    "observation_reject",
    "observation_release",
    "observation_submit",
    "roster_set",
    "sender_block",
    "sender_unblock",
    "text_clean",
]
