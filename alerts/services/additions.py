"""Follow-ups an author adds to an observation, and their review by a moderator."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.events import event_emit
from alerts.models import (
    Channel,
    Dispatch,
    Observation,
    ObservationAddition,
)
from alerts.services.common import SMS_FOLLOW_UP_WINDOW, moderation_groups, require_moderator, text_clean
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Conflict, NotFound


def observation_add_text(
    *, observation: Observation, author: User, text: str, channel: str
) -> ObservationAddition:
    """A follow-up by the author. It waits for a moderator (observation_addition_review), whether the
    observation is still in the queue or already with the police: a follow-up may name its sender."""
    if observation.author_id != author.pk:
        raise NotFound(_("Signalement introuvable."))
    if channel not in Channel.values:
        raise ApplicationError(_("Canal inconnu."), field="channel")
    clean = text_clean(text, field="text")
    if channel == Channel.SMS and timezone.now() - observation.created_at > SMS_FOLLOW_UP_WINDOW:
        raise ApplicationError(_("Le délai pour compléter ce signalement par SMS est passé."), field="text")
    with transaction.atomic():
        locked = Observation.objects.select_for_update().get(pk=observation.pk)
        if locked.status in (
            Observation.Status.CLOSED,
            Observation.Status.REJECTED,
            Observation.Status.MERGED,
        ):
            raise Conflict(_("Ce signalement est terminé : il ne peut plus être complété."))
        addition = ObservationAddition.objects.create(
            observation=locked, author=author, channel=channel, text=clean
        )
        audit_record(
            actor=author,
            action="observation.text_added",
            target=locked,
            extra={"addition": addition.pk, "status": addition.status},
        )
        if not locked.quarantined:
            event_emit(
                type="observation.addition",
                data={
                    "observation_id": locked.pk,
                    "reference": locked.reference,
                    "addition_id": addition.pk,
                    "text": clean,
                    "status": addition.status,
                    "created_at": addition.created_at.isoformat(),
                },
                groups=moderation_groups(locked),
                observation=locked,
            )
    return addition


def observation_addition_review(
    *, addition: ObservationAddition, actor: User, approve: bool, redacted_text: str | None = None
) -> ObservationAddition:
    """A moderator lets a follow-up reach the police, as written or redacted (`redacted_text`), or keeps
    it back. The police read only approved follow-ups, in their redacted form when there is one."""
    observation = addition.observation
    require_moderator(actor, observation.commune_id)
    redacted = (
        text_clean(redacted_text, field="redacted_text", required=False)
        if approve and redacted_text is not None
        else ""
    )
    now = timezone.now()
    with transaction.atomic():
        updated = ObservationAddition.objects.filter(
            pk=addition.pk, status=ObservationAddition.Status.PENDING
        ).update(
            status=ObservationAddition.Status.VISIBLE if approve else ObservationAddition.Status.REJECTED,
            redacted_text=redacted,
            reviewed_by=actor,
            reviewed_at=now,
        )
        if not updated:
            raise Conflict(_("Ce complément a déjà été traité."))
        addition.refresh_from_db()
        audit_record(
            actor=actor,
            action="observation.addition_reviewed",
            target=observation,
            fields=["redacted_text"] if redacted else (),
            extra={"addition": addition.pk, "status": addition.status},
        )
        event_emit(
            type="observation.addition_reviewed",
            data={
                "observation_id": observation.pk,
                "reference": observation.reference,
                "addition_id": addition.pk,
                "status": addition.status,
                "redacted_text": addition.redacted_text,
            },
            groups=moderation_groups(observation),
            observation=observation,
        )
        if approve:
            for dispatch in observation.dispatches.filter(status__in=Dispatch.Status.OPEN).select_related(
                "agency", "observation"
            ):
                event_emit(
                    type="dispatch.noted",
                    data={
                        "dispatch_id": dispatch.pk,
                        "observation_id": observation.pk,
                        "reference": observation.reference,
                        "kind": "addition",
                        "text": addition.police_text,
                        "created_at": addition.created_at.isoformat(),
                    },
                    groups=access.dispatch_event_groups(dispatch),
                    observation=observation,
                )
    return addition
