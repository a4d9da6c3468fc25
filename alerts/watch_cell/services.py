"""Writes of the watch cell: meetings, their roster, their actions, and the log of every pack downloaded.
Each checks the access policy itself (the pages check first, to answer 403/404) and writes an audit row
that names ids, never a person's details."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.watch_cell.models import Action, Meeting, RosterMember
from alerts.watch_cell.selectors import meeting_actions
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Forbidden
from backend.territory.models import Sector


def _convenor(actor: User, meeting: Meeting) -> None:
    if not access.may_convene(actor, meeting):
        raise Forbidden(
            _("Seuls l'administrateur de la commune et le coordinateur CLSPD peuvent faire cela.")
        )


def _member(actor: User, meeting: Meeting) -> None:
    if access.meeting_refusal(actor, meeting) is not None:
        raise Forbidden(_("Vous n'êtes pas membre de cette cellule de veille."))


def meeting_create(*, actor: User, held_on: date, title: str) -> Meeting:
    """A meeting of the actor's commune; the convenor sits on its roster from the start."""
    commune_id = access.watch_cell_commune(actor)
    if commune_id is None:
        raise Forbidden(
            _("Seuls l'administrateur de la commune et le coordinateur CLSPD peuvent faire cela.")
        )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            commune_id=commune_id, held_on=held_on, title=title, created_by=actor
        )
        RosterMember.objects.create(meeting=meeting, user=actor)
        audit_record(actor=actor, action="watch_cell.meeting_created", target=meeting)
    return meeting


def meeting_update(*, meeting: Meeting, actor: User, held_on: date, title: str, status: str) -> Meeting:
    _convenor(actor, meeting)
    changed = [
        name
        for name, value in (("held_on", held_on), ("title", title), ("status", status))
        if getattr(meeting, name) != value
    ]
    meeting.held_on, meeting.title, meeting.status = held_on, title, status
    with transaction.atomic():
        meeting.save(update_fields=changed)
        audit_record(actor=actor, action="watch_cell.meeting_changed", target=meeting, fields=changed)
    return meeting


def roster_member_add(
    *,
    meeting: Meeting,
    actor: User,
    user: User | None = None,
    full_name: str = "",
    email: str = "",
    organisation: str = "",
) -> RosterMember:
    """Seats an account of the commune (who may then open the meeting), or an outside partner by name."""
    _convenor(actor, meeting)
    if user is not None:
        if not access.roster_accounts(actor).filter(pk=user.pk).exists():
            raise ApplicationError(_("Ce compte ne peut pas siéger à la cellule de veille."), field="user")
        if meeting.roster.filter(user=user).exists():
            raise ApplicationError(_("Ce compte siège déjà à cette réunion."), field="user")
        full_name = email = ""
    elif not full_name.strip():
        raise ApplicationError(_("Choisissez un compte ou donnez le nom d'un partenaire."), field="full_name")
    with transaction.atomic():
        member = RosterMember.objects.create(
            meeting=meeting, user=user, full_name=full_name.strip(), email=email, organisation=organisation
        )
        audit_record(
            actor=actor,
            action="watch_cell.roster_added",
            target=meeting,
            extra={"member": member.pk, "account": user.pk if user is not None else None},
        )
    return member


def roster_member_remove(*, member: RosterMember, actor: User) -> None:
    _convenor(actor, member.meeting)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="watch_cell.roster_removed",
            target=member.meeting,
            extra={"member": member.pk, "account": member.user_id},
        )
        member.delete()


def action_create(
    *,
    meeting: Meeting,
    actor: User,
    title: str,
    owner_member: RosterMember | None = None,
    owner_text: str = "",
    due_on: date | None = None,
    sector: Sector | None = None,
) -> Action:
    """A decision of the meeting: it stays on every later meeting's agenda until done or dropped."""
    _member(actor, meeting)
    if owner_member is not None and owner_member.meeting_id != meeting.pk:
        raise ApplicationError(_("Le pilote doit siéger à cette réunion."), field="owner_member")
    if sector is not None and sector.commune_id != meeting.commune_id:
        raise ApplicationError(_("Secteur inconnu."), field="sector")
    with transaction.atomic():
        action = Action.objects.create(
            meeting=meeting,
            title=title,
            owner_member=owner_member,
            owner_text="" if owner_member is not None else owner_text,
            due_on=due_on,
            sector=sector,
            created_by=actor,
        )
        audit_record(actor=actor, action="watch_cell.action_created", target=action)
    return action


def action_status_set(*, action: Action, meeting: Meeting, actor: User, status: str) -> Action:
    """Marks an action done, dropped, or open again, from any meeting whose agenda carries it."""
    _member(actor, meeting)
    if not meeting_actions(meeting).filter(pk=action.pk).exists():
        raise ApplicationError(
            _("Cette action n'est pas à l'ordre du jour de cette réunion."), field="action"
        )
    if status not in Action.Status.values:
        raise ApplicationError(_("État inconnu."), field="status")
    closing = status != Action.Status.OPEN
    action.status = status
    action.closed_at = timezone.now() if closing else None
    action.closed_by = actor if closing else None
    with transaction.atomic():
        action.save(update_fields=["status", "closed_at", "closed_by"])
        audit_record(
            actor=actor,
            action="watch_cell.action_status",
            target=action,
            fields=["status"],
            extra={"status": status, "meeting": meeting.pk},
        )
    return action


def pack_download_record(*, meeting: Meeting, actor: User, format: str, ip: str | None) -> None:
    """Every download of a pack is logged (its deliberations are confidential)."""
    _member(actor, meeting)
    audit_record(
        actor=actor, action="watch_cell.pack_downloaded", target=meeting, extra={"format": format}, ip=ip
    )
