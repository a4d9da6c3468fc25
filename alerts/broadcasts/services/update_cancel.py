"""Updating and cancelling a broadcast: before it goes, the draft is edited or cancelled; after, a follow-up
(an update or a cancel message) reaches exactly the recipients of the original, on the same channel."""

import functools
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.broadcasts.models import Broadcast
from alerts.broadcasts.services.common import MAX_BODY, MAX_TITLE, clean_dates, require_staff
from alerts.broadcasts.services.delivery import broadcast_send
from alerts.registry import broadcast_text_check
from alerts.services import text_clean
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Conflict
from backend.messaging.services import deliveries_cancel


def _follow_up(root: Broadcast, *, actor: User, msg_type: str, title: str, body: str) -> Broadcast:
    now = timezone.now()
    follow_up = Broadcast.objects.create(
        commune_id=root.commune_id,
        kind=root.kind,
        msg_type=msg_type,
        cap_status=root.cap_status,
        original=root,
        title=title,
        body=body,
        include_adjacent=root.include_adjacent,
        audiences=root.audiences,
        trades=root.trades,
        channels=root.channels,
        observation=root.observation,
        expires_at=root.expires_at,
        created_by=actor,
        approved_by=actor,
        approved_at=now,
        state=Broadcast.State.DRAFT,
    )
    follow_up.sectors.set(root.sectors.all())
    broadcast_send(follow_up, now=now)  # a new draft: broadcast_send always claims it and refreshes it
    return follow_up


@transaction.atomic
def broadcast_update(
    *,
    broadcast: Broadcast,
    actor: User,
    title: str = "",
    body: str = "",
    send_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> Broadcast:
    """Before it goes: edits it. After: sends an update to exactly the people the original reached."""
    require_staff(actor, broadcast.commune_id)
    root = Broadcast.objects.select_for_update().get(pk=broadcast.original_id or broadcast.pk)
    now = timezone.now()
    if root.state in (Broadcast.State.DRAFT, Broadcast.State.SCHEDULED):
        root.title = text_clean(title or root.title, field="title", limit=MAX_TITLE)
        root.body = text_clean(body or root.body, field="body", limit=MAX_BODY)
        root.send_at = send_at or root.send_at
        root.expires_at = expires_at or root.expires_at
        clean_dates(root.send_at if root.send_at and root.send_at > now else None, root.expires_at, now)
        broadcast_text_check(
            commune=root.commune, kind=root.kind, audiences=root.audiences, title=root.title, body=root.body
        )
        root.save(update_fields=["title", "body", "send_at", "expires_at"])
        audit_record(actor=actor, action="broadcast.edit", target=root, fields=["title", "body"])
        return root
    if root.state != Broadcast.State.SENT:
        raise Conflict(_("Cette diffusion est close : elle ne peut plus être mise à jour."))
    if expires_at is not None:
        clean_dates(None, expires_at, now)
        root.expires_at = expires_at
        root.save(update_fields=["expires_at"])
    new_title = text_clean(title or root.title, field="title", limit=MAX_TITLE)
    new_body = text_clean(body, field="body", limit=MAX_BODY)
    broadcast_text_check(
        commune=root.commune, kind=root.kind, audiences=root.audiences, title=new_title, body=new_body
    )
    follow_up = _follow_up(
        root, actor=actor, msg_type=Broadcast.MsgType.UPDATE, title=new_title, body=new_body
    )
    audit_record(actor=actor, action="broadcast.update", target=follow_up, extra={"original": root.pk})
    return follow_up


@transaction.atomic
def broadcast_cancel(*, broadcast: Broadcast, actor: User, body: str = "") -> Broadcast:
    """Before it goes: nobody gets anything. After: what has not left is held back and a cancel reaches
    exactly the people the original reached. Returns the cancel message, or the cancelled draft."""
    require_staff(actor, broadcast.commune_id)
    root = Broadcast.objects.select_for_update().get(pk=broadcast.original_id or broadcast.pk)
    now = timezone.now()
    if root.state not in (Broadcast.State.DRAFT, Broadcast.State.SCHEDULED, Broadcast.State.SENT):
        raise Conflict(_("Cette diffusion est déjà annulée ou expirée."))
    was_sent = root.state == Broadcast.State.SENT
    cancel_title = cancel_body = ""
    if was_sent:  # the cancel message is checked before anything changes
        cancel_title = (_("Annulation : %(title)s") % {"title": root.title})[:MAX_TITLE]
        cancel_body = text_clean(
            body or _("Le message « %(title)s » est annulé.") % {"title": root.title},
            field="body",
            limit=MAX_BODY,
        )
        check = functools.partial(
            broadcast_text_check, commune=root.commune, kind=root.kind, audiences=root.audiences
        )
        try:
            check(title=cancel_title, body=cancel_body)
        except ApplicationError as refusal:
            if refusal.field != "title":
                raise
            # The original's title, which nobody can change now, no longer passes (sent before the check
            # knew of it): the cancel goes without it rather than never.
            sent_at = timezone.localtime(root.sent_at or now).strftime("%d/%m %Hh%M")
            cancel_title = _("Annulation du message du %(date)s") % {"date": sent_at}
            check(title=cancel_title, body=cancel_body)
    root.state = Broadcast.State.CANCELLED
    root.cancelled_by = actor
    root.cancelled_at = now
    root.save(update_fields=["state", "cancelled_by", "cancelled_at"])
    held_back = deliveries_cancel(source=root.source)
    for update in root.follow_ups.filter(msg_type=Broadcast.MsgType.UPDATE):
        held_back += deliveries_cancel(source=update.source)
    audit_record(
        actor=actor, action="broadcast.cancel", target=root, extra={"deliveries_cancelled": held_back}
    )
    if not was_sent:
        return root
    return _follow_up(
        root, actor=actor, msg_type=Broadcast.MsgType.CANCEL, title=cancel_title, body=cancel_body
    )
