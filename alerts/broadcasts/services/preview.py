"""What a broadcast would do, before it is sent: the same request as `broadcast_create`, the same checks,
the same recipients (`selectors.recipients_plan`, which sending uses too), nothing written or sent."""

from collections import Counter
from typing import Any

from django.utils import timezone

from alerts.broadcasts.models import Broadcast, BroadcastRecipient
from alerts.broadcasts.selectors import recipients_plan
from alerts.broadcasts.services.common import QUIET_HOURS_KINDS, sms_text_of
from alerts.broadcasts.services.drafting import draft_clean
from backend.accounts.models import User
from backend.messaging.gsm7 import non_gsm7, sms_length, to_gsm7


def _counts(channels: Counter[str]) -> dict[str, int]:
    return {
        "total": sum(channels.values()),
        "push": channels[BroadcastRecipient.Channel.PUSH],
        "sms": channels[BroadcastRecipient.Channel.SMS],
        "inbox_only": channels[BroadcastRecipient.Channel.NONE],
    }


def _sms(text: str, recipients: int) -> dict[str, Any]:
    length = sms_length(text)
    return {
        "text": text,
        "characters": length.length,
        "capacity": length.capacity,
        "encoding": length.encoding,
        "segments": length.segments,
        "total_sms": length.segments * recipients,
    }


def broadcast_preview(*, actor: User, **fields: Any) -> dict[str, Any]:
    """`fields` are `broadcast_create`'s. The recipients per audience and channel (each person counted
    once, in the first audience that names them), and the SMS each SMS recipient would get: its length,
    encoding, parts, and the same with the title and text folded to GSM-7."""
    draft = draft_clean(actor=actor, **fields)
    plan = recipients_plan(
        commune=draft.commune,
        sectors=draft.sectors,
        include_adjacent=draft.include_adjacent,
        audiences=draft.audiences,
        trades=draft.trades,
        channels=draft.channels,
        kind=draft.kind,
        quiet_hours=draft.kind in QUIET_HOURS_KINDS,
        at=draft.send_at or timezone.now(),
    )
    by_audience: dict[str, Counter[str]] = {name: Counter() for name in draft.audiences}
    for planned in plan:
        by_audience[planned.audience][planned.channel] += 1
    total = _counts(Counter(planned.channel for planned in plan))

    def sms_text(title: str, body: str) -> str:
        return sms_text_of(
            commune=draft.commune.name, msg_type=Broadcast.MsgType.ALERT, title=title, body=body
        )

    text = sms_text(draft.title, draft.body)
    title, body = to_gsm7(draft.title), to_gsm7(draft.body)
    return {
        "recipients": total,
        "audiences": [{"audience": name, **_counts(counts)} for name, counts in by_audience.items()],
        "sms": {
            **_sms(text, total["sms"]),
            "non_gsm7_characters": non_gsm7(text),
            "transliteration": {"title": title, "body": body, **_sms(sms_text(title, body), total["sms"])},
        },
    }
