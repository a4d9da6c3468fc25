"""An observation's status changes: the allowed ones are `Observation.TRANSITIONS`; each is a history row."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import (
    Observation,
    ObservationTransition,
)
from alerts.models.agency_tokens import PoliceActor, actor_token, actor_user
from backend.core.errors import Conflict
from backend.core.fastpaths.prefetch import forget_related


def observation_status_set(
    observation: Observation,
    *,
    actor: PoliceActor | None,
    to: str,
    reason: str = "",
    note: str = "",
    extra_fields: Iterable[str] = (),
) -> None:
    """Moves `observation` to `to` if Observation.TRANSITIONS allows it (else Conflict), with its history
    row; a finished observation gets its `finished_at`, one leaving the queue loses its claim."""
    if to not in Observation.TRANSITIONS[observation.status]:
        raise Conflict(
            _("Ce signalement est %(status)s : il ne peut plus passer à « %(to)s ».")
            % {"status": observation.get_status_display(), "to": Observation.Status(to).label}
        )
    now = timezone.now()
    ObservationTransition.objects.create(
        observation=observation,
        actor=actor_user(actor) if actor is not None and actor.is_authenticated else None,
        agency_token=actor_token(actor),
        from_status=observation.status,
        to_status=to,
        reason=reason,
        note=note,
        at=now,
    )
    forget_related(observation, "transitions")
    observation.status = to
    observation.updated_at = now
    fields = {"status", "updated_at", *extra_fields}
    if to in Observation.Status.FINISHED:
        observation.finished_at = now
        fields.add("finished_at")
    if to != Observation.Status.PENDING:
        observation.claimed_by = None
        observation.claim_expires_at = None
        fields |= {"claimed_by", "claim_expires_at"}
    observation.save(update_fields=sorted(fields))
