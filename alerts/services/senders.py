"""Senders' standing: rejections counted, flagged, blocked and unblocked by moderators."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.events import event_emit
from alerts.models import (
    Observation,
    SenderStanding,
)
from alerts.services.common import REJECTIONS_BEFORE_FLAG, moderation_groups, require_moderator, text_clean
from backend.accounts.models import Role, User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Conflict, NotFound


def sender_rejection_count(observation: Observation, actor: User) -> None:
    standing, _created = SenderStanding.objects.get_or_create(user_id=observation.author_id or 0)
    SenderStanding.objects.filter(pk=standing.pk).update(rejections=F("rejections") + 1)
    standing.refresh_from_db()
    if standing.rejections >= REJECTIONS_BEFORE_FLAG and standing.flagged_at is None:
        standing.flagged_at = timezone.now()
        standing.save(update_fields=["flagged_at"])
        audit_record(
            actor=actor,
            action="sender.flagged",
            target=standing,
            extra={"user": observation.author_id, "rejections": standing.rejections},
        )
        event_emit(
            type="sender.flagged",
            data={
                "user_id": observation.author_id,
                "rejections": standing.rejections,
                "name": observation.author.display_name if observation.author else "",
            },
            # It names the sender: moderators only, never the commune's police consoles.
            groups=moderation_groups(observation),
        )


def sender_block(*, user: User, actor: User, reason: str) -> SenderStanding:
    """Blocks a sender: their reports are still kept, but never reach the queue nor the police."""
    if user.commune_id is None:
        raise NotFound(_("Expéditeur introuvable."))
    require_moderator(actor, user.commune_id)
    if user.role not in Role.REPORTING:
        raise ApplicationError(
            _("Seuls les référents et les commerçants peuvent être bloqués."), field="user"
        )
    clean_reason = text_clean(reason, field="reason", limit=500)
    with transaction.atomic():
        standing, _created = SenderStanding.objects.select_for_update().get_or_create(user=user)
        if standing.blocked_at is not None:
            raise Conflict(_("Cet expéditeur est déjà bloqué."))
        standing.blocked_at = timezone.now()
        standing.blocked_by = actor
        standing.block_reason = clean_reason
        standing.save(update_fields=["blocked_at", "blocked_by", "block_reason"])
        held = Observation.objects.filter(author=user, status=Observation.Status.PENDING).update(
            quarantined=True
        )
        audit_record(
            actor=actor, action="sender.blocked", target=standing, extra={"user": user.pk, "held": held}
        )
        event_emit(
            type="sender.blocked",
            data={"user_id": user.pk, "held": held},
            groups=access.moderation_event_groups(user.commune_id),
        )
    return standing


def sender_unblock(*, user: User, actor: User) -> SenderStanding:
    if user.commune_id is None:
        raise NotFound(_("Expéditeur introuvable."))
    require_moderator(actor, user.commune_id)
    with transaction.atomic():
        standing = (
            SenderStanding.objects.select_for_update().filter(user=user, blocked_at__isnull=False).first()
        )
        if standing is None:
            raise Conflict(_("Cet expéditeur n'est pas bloqué."))
        standing.blocked_at = None
        standing.blocked_by = None
        standing.block_reason = ""
        standing.rejections = 0
        standing.flagged_at = None
        standing.save()
        audit_record(actor=actor, action="sender.unblocked", target=standing, extra={"user": user.pk})
    return standing
