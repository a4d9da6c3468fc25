"""Dispatches: sending an observation to its agencies, then acknowledge, assign, notes, hand-over, close."""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.events import agency_group, event_emit
from alerts.models import (
    Agency,
    Dispatch,
    DispatchNote,
    Observation,
)
from alerts.models.agency_tokens import PoliceActor, actor_token, actor_user, agency_token_brief
from alerts.selectors import (
    agency_kinds_label,
    dispatch_for_console,
)
from alerts.services.common import moderation_groups, observation_event_emit, require_police, text_clean
from alerts.services.notifications import author_tell
from alerts.services.transitions import observation_status_set
from alerts.webhooks import agency_webhook_enqueue
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Conflict


def agencies_data(agencies: Iterable[Agency]) -> list[dict[str, Any]]:
    return [{"id": agency.pk, "name": agency.name, "kind": agency.kind} for agency in agencies]


def _ack_deadline(agency: Agency, observation: Observation, now: datetime) -> datetime:
    minutes = agency.ack_minutes_in_progress if observation.in_progress else agency.ack_minutes
    return now + timedelta(minutes=minutes)


def dispatch_create(
    observation: Observation, agency: Agency, *, actor: User | None, source: Dispatch | None = None
) -> Dispatch:
    now = timezone.now()
    dispatch = Dispatch.objects.create(
        observation=observation,
        agency=agency,
        created_at=now,
        ack_deadline=_ack_deadline(agency, observation, now),
        source=source,
    )
    dispatch.agency = agency
    dispatch.observation = observation
    audit_record(
        actor=actor,
        action="dispatch.created",
        target=dispatch,
        extra={"observation": observation.pk, "agency": agency.pk},
    )
    event = event_emit(
        type="dispatch.created",
        data=dispatch_for_console(dispatch),
        groups=access.dispatch_event_groups(dispatch),
        observation=observation,
    )
    agency_webhook_enqueue(dispatch=dispatch, event=event)
    return dispatch


def observation_dispatch(
    observation: Observation, *, agencies: Sequence[Agency], actor: User | None, reason: str
) -> list[Dispatch]:
    """Sends an approved observation to its agencies and tells the author."""
    dispatches = [dispatch_create(observation, agency, actor=actor) for agency in agencies]
    observation_status_set(observation, actor=actor, to=Observation.Status.DISPATCHED, reason=reason)
    author_tell(
        observation,
        kind="alerts.observation.dispatched",
        body=_("Votre signalement %(ref)s a été transmis à %(to)s. Merci.")
        % {"ref": observation.reference, "to": agency_kinds_label([agency.kind for agency in agencies])},
    )
    return dispatches


def agencies_clean(observation: Observation, agencies: Iterable[Any]) -> list[Agency]:
    ids: list[int] = []
    for item in agencies:
        if isinstance(item, Agency):
            ids.append(item.pk)
        elif isinstance(item, int) and not isinstance(item, bool):
            ids.append(item)
        else:
            raise ApplicationError(_("Service inconnu."), field="agencies")
    found = {
        agency.pk: agency
        for agency in Agency.objects.filter(pk__in=ids, communes=observation.commune_id, is_active=True)
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ApplicationError(
            _("Service inconnu ou qui ne dessert pas la commune : %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in missing)},
            field="agencies",
        )
    return [found[pk] for pk in dict.fromkeys(ids)]


# --- dispatch ----------------------------------------------------------------------------------


def _lock_dispatch(dispatch: Dispatch) -> Dispatch:
    return (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related(
            "agency",
            "observation",
            "observation__category",
            "observation__sector",
            "observation__author",
            "assignee",
        )
        .get(pk=dispatch.pk)
    )


def dispatch_event_emit(
    type: str, dispatch: Dispatch, extra: dict[str, Any] | None = None, groups: Iterable[str] = ()
) -> None:
    event = event_emit(
        type=type,
        data={**dispatch_for_console(dispatch), **(extra or {})},
        groups=[*access.dispatch_event_groups(dispatch), *groups],
        observation=dispatch.observation_id,
    )
    agency_webhook_enqueue(dispatch=dispatch, event=event)


def _observation_follow(observation: Observation, *, actor: PoliceActor | None) -> None:
    """Moves the observation after its dispatches: acknowledged at the first one, closed after the last."""
    observation.refresh_from_db()
    statuses = list(observation.dispatches.values_list("status", flat=True))
    open_ = [status for status in statuses if status in Dispatch.Status.OPEN]
    if (
        observation.status in (Observation.Status.DISPATCHED, Observation.Status.ACKNOWLEDGED)
        and statuses
        and not open_
    ):
        observation_status_set(
            observation, actor=actor, to=Observation.Status.CLOSED, reason="dispatch_closed"
        )
        author_tell(
            observation,
            kind="alerts.observation.closed",
            body=_("Votre signalement %(ref)s est clôturé. Merci pour votre vigilance.")
            % {"ref": observation.reference},
        )
        observation_event_emit("observation.closed", observation)
    elif observation.status == Observation.Status.DISPATCHED and Dispatch.Status.ACKNOWLEDGED in statuses:
        observation_status_set(
            observation, actor=actor, to=Observation.Status.ACKNOWLEDGED, reason="dispatch_acknowledged"
        )
        author_tell(
            observation,
            kind="alerts.observation.acknowledged",
            body=_("Votre signalement %(ref)s a été pris en compte par les forces de l'ordre.")
            % {"ref": observation.reference},
        )


def _acknowledge_locked(dispatch: Dispatch, actor: PoliceActor, *, assignee: User | None = None) -> None:
    """Acknowledging takes the dispatch on: it goes to `assignee` when one is chosen, else to the
    acknowledging officer unless someone already holds it (or the actor is no member of the agency: a
    commune admin acknowledges for the commune; an agency's token assigns nobody)."""
    now = timezone.now()
    user = actor_user(actor)
    dispatch.status = Dispatch.Status.ACKNOWLEDGED
    dispatch.acknowledged_at = now
    dispatch.acknowledged_by = user
    if assignee is not None:
        dispatch.assignee = assignee
    elif (
        user is not None
        and dispatch.assignee_id is None
        and dispatch.agency.members.filter(pk=user.pk, is_active=True).exists()
    ):
        dispatch.assignee = user
    dispatch.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "assignee"])
    audit_record(
        actor=actor,
        action="dispatch.acknowledged",
        target=dispatch,
        extra={"assignee": dispatch.assignee_id} if dispatch.assignee_id else None,
    )
    dispatch_event_emit("dispatch.acknowledged", dispatch)
    _observation_follow(dispatch.observation, actor=actor)


def dispatch_acknowledge(*, dispatch: Dispatch, actor: PoliceActor) -> Dispatch:
    require_police(actor, dispatch)
    with transaction.atomic():
        locked = _lock_dispatch(dispatch)
        if locked.status != Dispatch.Status.SENT:
            raise Conflict(
                _("Cette transmission est déjà %(status)s.") % {"status": locked.get_status_display()}
            )
        _acknowledge_locked(locked, actor)
    return locked


def dispatch_assign(*, dispatch: Dispatch, actor: User, assignee: User | int) -> Dispatch:
    require_police(actor, dispatch)
    assignee_id = assignee.pk if isinstance(assignee, User) else assignee
    person = dispatch.agency.members.filter(pk=assignee_id, is_active=True).first()
    if person is None:
        raise ApplicationError(_("Cette personne n'est pas un opérateur du service."), field="assignee")
    with transaction.atomic():
        locked = _lock_dispatch(dispatch)
        if locked.status not in Dispatch.Status.OPEN:
            raise Conflict(
                _("Cette transmission est déjà %(status)s.") % {"status": locked.get_status_display()}
            )
        if locked.status == Dispatch.Status.SENT:
            _acknowledge_locked(locked, actor, assignee=person)
        locked.assignee = person
        locked.save(update_fields=["assignee"])
        audit_record(actor=actor, action="dispatch.assigned", target=locked, extra={"assignee": person.pk})
        dispatch_event_emit("dispatch.assigned", locked)
    return locked


def dispatch_add_note(*, dispatch: Dispatch, actor: PoliceActor, text: str) -> DispatchNote:
    require_police(actor, dispatch)
    clean = text_clean(text, field="text")
    author, token = actor_user(actor), actor_token(actor)
    with transaction.atomic():
        locked = _lock_dispatch(dispatch)
        note = DispatchNote.objects.create(dispatch=locked, author=author, agency_token=token, text=clean)
        audit_record(actor=actor, action="dispatch.noted", target=locked, extra={"note": note.pk})
        dispatch_event_emit(
            "dispatch.noted",
            locked,
            {
                "note": {
                    "id": note.pk,
                    "text": clean,
                    "author": {"id": author.pk, "name": author.display_name} if author else None,
                    "agency_token": agency_token_brief(token),
                    "created_at": note.created_at.isoformat(),
                },
            },
        )
    return note


def dispatch_handover(*, dispatch: Dispatch, actor: User, agency: Agency | int, note: str) -> Dispatch:
    """Hands the observation over to another agency serving the commune; returns the new dispatch."""
    require_police(actor, dispatch)
    clean = text_clean(note, field="note")
    agency_id = agency.pk if isinstance(agency, Agency) else agency
    commune_id = dispatch.observation.commune_id
    target = Agency.objects.filter(pk=agency_id, communes=commune_id, is_active=True).first()
    if target is None:
        raise ApplicationError(_("Service inconnu ou qui ne dessert pas la commune."), field="agency")
    if target.pk == dispatch.agency_id:
        raise ApplicationError(_("Choisissez un autre service que le vôtre."), field="agency")
    with transaction.atomic():
        locked = _lock_dispatch(dispatch)
        if locked.status not in Dispatch.Status.OPEN:
            raise Conflict(
                _("Cette transmission est déjà %(status)s.") % {"status": locked.get_status_display()}
            )
        existing = Dispatch.objects.filter(observation_id=locked.observation_id, agency=target).first()
        if existing is not None and existing.status in Dispatch.Status.OPEN:
            raise Conflict(_("Ce service a déjà reçu ce signalement."))
        locked.status = Dispatch.Status.HANDED_OVER
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.save(update_fields=["status", "closed_at", "closed_by"])
        DispatchNote.objects.create(dispatch=locked, author=actor, text=clean)
        if existing is not None:  # the agency had closed it: it is sent to them again
            existing.status = Dispatch.Status.SENT
            existing.closed_at = None
            existing.outcome = ""
            existing.acknowledged_at = None
            existing.escalated_at = None
            existing.source = locked
            existing.ack_deadline = _ack_deadline(target, locked.observation, timezone.now())
            existing.save()
            new = existing
            dispatch_event_emit("dispatch.created", new)
        else:
            new = dispatch_create(locked.observation, target, actor=actor, source=locked)
        DispatchNote.objects.create(dispatch=new, author=actor, text=clean)
        audit_record(
            actor=actor,
            action="dispatch.handed_over",
            target=locked,
            extra={"to_agency": target.pk, "new_dispatch": new.pk},
        )
        dispatch_event_emit(
            "dispatch.handed_over",
            locked,
            {
                "to_agency": {"id": target.pk, "name": target.name, "kind": target.kind},
                "new_dispatch_id": new.pk,
                "note": clean,
            },
            groups=[agency_group(target.pk), *moderation_groups(locked.observation)],
        )
    return new


def dispatch_close(*, dispatch: Dispatch, actor: PoliceActor, outcome: str) -> Dispatch:
    require_police(actor, dispatch)
    if outcome not in Dispatch.Outcome.values:
        raise ApplicationError(_("Issue inconnue."), field="outcome")
    with transaction.atomic():
        locked = _lock_dispatch(dispatch)
        if locked.status not in Dispatch.Status.OPEN:
            raise Conflict(
                _("Cette transmission est déjà %(status)s.") % {"status": locked.get_status_display()}
            )
        now = timezone.now()
        if locked.acknowledged_at is None:
            locked.acknowledged_at = now
            locked.acknowledged_by = actor_user(actor)
        locked.status = Dispatch.Status.CLOSED
        locked.closed_at = now
        locked.closed_by = actor_user(actor)
        locked.outcome = outcome
        locked.save(
            update_fields=[
                "status",
                "closed_at",
                "closed_by",
                "outcome",
                "acknowledged_at",
                "acknowledged_by",
            ]
        )
        audit_record(actor=actor, action="dispatch.closed", target=locked, extra={"outcome": outcome})
        dispatch_event_emit("dispatch.closed", locked, groups=moderation_groups(locked.observation))
        _observation_follow(locked.observation, actor=actor)
    return locked
