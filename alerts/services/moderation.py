"""The moderation queue: claim, release, approve, reject, merge."""

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import (
    Agency,
    Category,
    Observation,
)
from alerts.selectors import (
    routing_agencies,
)
from alerts.services.common import (
    CLAIM_LEASE,
    MAX_NOTE,
    MAX_PLACE,
    observation_event_emit,
    require_moderator,
    text_clean,
)
from alerts.services.dispatch import agencies_clean, agencies_data, observation_dispatch
from alerts.services.intake import category_clean
from alerts.services.notifications import author_tell
from alerts.services.senders import sender_rejection_count
from alerts.services.transitions import observation_status_set
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Conflict

# --- moderation --------------------------------------------------------------------------------


def _holder_conflict(observation: Observation) -> Conflict:
    holder = observation.claimed_by
    name = (holder.display_name or _("un autre modérateur")) if holder else _("un autre modérateur")
    until = timezone.localtime(observation.claim_expires_at) if observation.claim_expires_at else None
    return Conflict(
        _("Ce signalement est déjà pris en charge par %(name)s (jusqu'à %(until)s).")
        % {"name": name, "until": f"{until:%H:%M}" if until else "?"},
        extra={
            "claimed_by": {"id": holder.pk, "name": name} if holder else None,
            "claim_expires_at": until.isoformat() if until else None,
        },
    )


def _decided_conflict(observation: Observation) -> Conflict:
    return Conflict(
        _("Ce signalement a déjà été traité (%(status)s).")
        % {"status": Observation.Status(observation.status).label},
        extra={"status": observation.status},
    )


def observation_claim(*, observation: Observation, actor: User) -> Observation:
    """Takes a 10-minute lease on a pending item; someone else's live lease → 409 naming them."""
    require_moderator(actor, observation.commune_id)
    now = timezone.now()
    with transaction.atomic():
        updated = (
            Observation.objects.filter(
                pk=observation.pk, status=Observation.Status.PENDING, quarantined=False
            )
            .filter(Q(claimed_by=None) | Q(claim_expires_at__lte=now) | Q(claimed_by=actor))
            .update(claimed_by=actor, claim_expires_at=now + CLAIM_LEASE, updated_at=now)
        )
        current = Observation.objects.select_related("claimed_by", "category", "sector").get(
            pk=observation.pk
        )
        if not updated:
            if current.status != Observation.Status.PENDING or current.quarantined:
                raise _decided_conflict(current)
            raise _holder_conflict(current)
        audit_record(actor=actor, action="observation.claimed", target=current)
        observation_event_emit("observation.claimed", current)
    return current


def observation_release(*, observation: Observation, actor: User) -> Observation:
    require_moderator(actor, observation.commune_id)
    with transaction.atomic():
        updated = Observation.objects.filter(
            pk=observation.pk, status=Observation.Status.PENDING, claimed_by=actor
        ).update(claimed_by=None, claim_expires_at=None, updated_at=timezone.now())
        current = Observation.objects.select_related("claimed_by", "category", "sector").get(
            pk=observation.pk
        )
        if not updated:
            if current.status != Observation.Status.PENDING:
                raise _decided_conflict(current)
            if (
                current.claimed_by_id
                and current.claim_expires_at
                and current.claim_expires_at > timezone.now()
            ):
                raise _holder_conflict(current)
            raise Conflict(_("Vous ne teniez pas ce signalement."))
        audit_record(actor=actor, action="observation.released", target=current)
        observation_event_emit("observation.released", current)
    return current


def _lock_for_decision(observation: Observation, actor: User) -> Observation:
    """Locks the row; the item must be pending and not held by someone else (else 409)."""
    locked = (
        Observation.objects.select_for_update(of=("self",))
        .select_related("claimed_by", "category", "sector", "commune", "author")
        .get(pk=observation.pk)
    )
    if locked.status != Observation.Status.PENDING:
        raise _decided_conflict(locked)
    if locked.quarantined:
        raise Conflict(_("Ce signalement vient d'un expéditeur bloqué : il n'est pas transmis."))
    if (
        locked.claimed_by_id not in (None, actor.pk)
        and locked.claim_expires_at is not None
        and locked.claim_expires_at > timezone.now()
    ):
        raise _holder_conflict(locked)
    return locked


def observation_approve(
    *,
    observation: Observation,
    actor: User,
    category: str | Category | None = None,
    redacted_description: str | None = None,
    agencies: Sequence[int | Agency] | None = None,
    redacted_place: str | None = None,
) -> Observation:
    """Approves (optionally recategorised and redacted) and dispatches at once to the agencies
    chosen, or to those routing suggests."""
    require_moderator(actor, observation.commune_id)
    new_category = category_clean(observation.commune, category) if category not in (None, "") else None
    redacted = (
        text_clean(redacted_description, field="redacted_description", required=False)
        if redacted_description is not None
        else None
    )
    redacted_where = (
        text_clean(redacted_place, field="redacted_place", required=False, limit=MAX_PLACE)
        if redacted_place is not None
        else None
    )
    chosen = agencies_clean(observation, agencies) if agencies else None
    with transaction.atomic():
        locked = _lock_for_decision(observation, actor)
        fields = ["decided_by", "decided_at"]
        if new_category is not None and new_category.pk != locked.category_id:
            locked.category = new_category
            locked.urgent = new_category.urgent
            fields += ["category", "urgent"]
        if redacted is not None:
            locked.redacted_description = redacted
            fields.append("redacted_description")
        if redacted_where is not None:
            locked.redacted_place = redacted_where
            fields.append("redacted_place")
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=fields)
        targets = chosen or routing_agencies(observation=locked)
        if not targets:
            raise ApplicationError(
                _(
                    "Aucun service de police n'est désigné : choisissez-en un, ou configurez un service par "
                    "défaut pour la commune."
                ),
                field="agencies",
            )
        observation_dispatch(locked, agencies=targets, actor=actor, reason="moderation")
        audit_record(
            actor=actor,
            action="observation.approved",
            target=locked,
            fields=fields,
            extra={"agencies": [agency.pk for agency in targets]},
        )
        observation_event_emit("observation.approved", locked, {"agencies": agencies_data(targets)})
    return locked


def observation_reject(*, observation: Observation, actor: User, reason: str, note: str = "") -> Observation:
    """Rejects with a reason from the list; the author is told (the note, if any, is addressed to them)."""
    require_moderator(actor, observation.commune_id)
    if reason not in Observation.RejectReason.values:
        raise ApplicationError(_("Motif inconnu."), field="reason")
    clean_note = text_clean(note, field="note", required=False, limit=MAX_NOTE)
    with transaction.atomic():
        locked = _lock_for_decision(observation, actor)
        locked.reject_reason = reason
        locked.reject_note = clean_note
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        observation_status_set(
            locked,
            actor=actor,
            to=Observation.Status.REJECTED,
            reason=reason,
            note=clean_note,
            extra_fields=["reject_reason", "reject_note", "decided_by", "decided_at"],
        )
        audit_record(actor=actor, action="observation.rejected", target=locked, extra={"reason": reason})
        body = _("Votre signalement %(ref)s n'a pas été retenu : %(reason)s.") % {
            "ref": locked.reference,
            "reason": Observation.RejectReason(reason).label,
        }
        if clean_note:
            body = f"{body} {clean_note}"
        author_tell(locked, kind="alerts.observation.rejected", body=body)
        if locked.author_id:
            sender_rejection_count(locked, actor)
        observation_event_emit("observation.rejected", locked, {"reason": reason})
    return locked


def observation_merge(*, observation: Observation, actor: User, into: Observation | int) -> Observation:
    """Marks a duplicate of another observation of the commune; the author is told."""
    require_moderator(actor, observation.commune_id)
    target_id = into.pk if isinstance(into, Observation) else into
    if target_id == observation.pk:
        raise ApplicationError(_("Un signalement ne peut pas être fusionné avec lui-même."), field="into")
    with transaction.atomic():
        target = Observation.objects.filter(pk=target_id, commune_id=observation.commune_id).first()
        if target is None:
            raise ApplicationError(_("Signalement cible introuvable dans la commune."), field="into")
        while target.status == Observation.Status.MERGED and target.merged_into_id:
            target = Observation.objects.get(pk=target.merged_into_id)
        if target.pk == observation.pk or target.status == Observation.Status.REJECTED:
            raise ApplicationError(_("Ce signalement ne peut pas servir de cible."), field="into")
        locked = _lock_for_decision(observation, actor)
        locked.merged_into = target
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        observation_status_set(
            locked,
            actor=actor,
            to=Observation.Status.MERGED,
            reason="duplicate",
            note=target.reference,
            extra_fields=["merged_into", "decided_by", "decided_at"],
        )
        audit_record(actor=actor, action="observation.merged", target=locked, extra={"into": target.pk})
        author_tell(
            locked,
            kind="alerts.observation.merged",
            body=_("Votre signalement %(ref)s rejoint un signalement déjà reçu sur les mêmes faits. Merci.")
            % {"ref": locked.reference},
        )
        observation_event_emit(
            "observation.merged", locked, {"into": {"id": target.pk, "reference": target.reference}}
        )
    return locked
