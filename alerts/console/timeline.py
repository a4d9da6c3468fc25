"""Reads: an observation's timeline as one view shows it (the console's detail pane, the incident sheet).

Status changes, the agencies' notes, follow-ups, and the work on each dispatch (sent, acknowledged,
assigned, handed over, escalated, closed) read from the audit trail, where every dispatch service writes
one row: no second record of the same facts.
"""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.models import (
    Agency,
    Dispatch,
    DispatchNote,
    Observation,
    ObservationAddition,
    ObservationTransition,
)
from backend.accounts.models import User
from backend.audit.models import AuditEvent

WORK_ACTIONS = (
    "dispatch.created",
    "dispatch.acknowledged",
    "dispatch.assigned",
    "dispatch.handed_over",
    "dispatch.escalated",
    "dispatch.closed",
)


def _person(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def _work_label(
    row: AuditEvent, dispatch: Dispatch, people: dict[int, User], agencies: dict[int, Agency]
) -> tuple[str, str]:
    """The kind and the French label of one audit row of a dispatch."""
    agency = dispatch.agency.name
    extra = row.extra or {}
    assignee = people.get(extra.get("assignee") or 0)
    if row.action == "dispatch.created":
        return "dispatch", _("transmis à %(agency)s") % {"agency": agency}
    if row.action == "dispatch.acknowledged":
        if assignee is not None:
            return "assignment", _("%(agency)s : pris en compte, attribué à %(name)s") % {
                "agency": agency,
                "name": str(assignee),
            }
        return "dispatch", _("%(agency)s : pris en compte") % {"agency": agency}
    if row.action == "dispatch.assigned":
        name = str(assignee) if assignee is not None else _("un agent")
        return "assignment", _("%(agency)s : attribué à %(name)s") % {"agency": agency, "name": name}
    if row.action == "dispatch.handed_over":
        target = agencies.get(extra.get("to_agency") or 0)
        return "handover", _("%(agency)s : transféré à %(target)s") % {
            "agency": agency,
            "target": target.name if target is not None else _("un autre service"),
        }
    if row.action == "dispatch.escalated":
        return "escalation", _("%(agency)s : relancé, délai de prise en compte dépassé") % {"agency": agency}
    outcome = extra.get("outcome", "")
    label = str(Dispatch.Outcome(outcome).label) if outcome in Dispatch.Outcome.values else outcome
    return "dispatch", _("%(agency)s : clôturé (%(outcome)s)") % {"agency": agency, "outcome": label}


def dispatch_work(dispatches: Iterable[Dispatch], *, hidden: int | None = None) -> list[dict[str, Any]]:
    """Who did what on these dispatches, when: one entry per audit row of a dispatch service. The actor
    `hidden` (the reporter, for the police view) is never named."""
    by_id = {str(dispatch.pk): dispatch for dispatch in dispatches}
    if not by_id:
        return []
    rows = list(
        AuditEvent.objects.filter(
            object_type="alerts.dispatch", object_id__in=list(by_id), action__in=WORK_ACTIONS
        )
    )
    person_ids = {row.actor_id for row in rows if row.actor_id} | {
        int(row.extra["assignee"]) for row in rows if isinstance((row.extra or {}).get("assignee"), int)
    }
    people = {user.pk: user for user in User.objects.filter(pk__in=person_ids)}
    agency_ids = {
        row.extra["to_agency"] for row in rows if isinstance((row.extra or {}).get("to_agency"), int)
    }
    agencies = {agency.pk: agency for agency in Agency.objects.filter(pk__in=agency_ids)}
    entries = []
    for row in rows:
        kind, label = _work_label(row, by_id[row.object_id], people, agencies)
        entries.append(
            {
                "at": row.at,
                "kind": kind,
                "label": label,
                "actor": _person(people.get(row.actor_id or 0)) if row.actor_id != hidden else None,
                "note": "",
            }
        )
    return entries


def observation_history(
    *, observation: Observation, dispatches: Iterable[Dispatch], view: access.View
) -> list[dict[str, Any]]:
    """One timeline, oldest first: transitions, notes, follow-ups, dispatch work. The police view never
    names the reporter (the actor of the first transition) nor shows moderators' notes or unreviewed
    follow-ups."""
    moderator = view == access.View.MODERATION
    dispatches = list(dispatches)
    history: list[dict[str, Any]] = []
    for transition in ObservationTransition.objects.filter(observation=observation).select_related("actor"):
        show_actor = moderator or transition.actor_id != observation.author_id
        label = (
            str(Observation.Status(transition.to_status).label)
            if transition.to_status in Observation.Status.values
            else transition.to_status
        )
        history.append(
            {
                "at": transition.at,
                "kind": "transition",
                "status": transition.to_status,
                "label": label,
                "actor": _person(transition.actor) if transition.actor and show_actor else None,
                "note": transition.note if moderator else "",
            }
        )
    notes = DispatchNote.objects.filter(dispatch__in=dispatches).select_related(
        "author", "agency_token", "dispatch__agency"
    )
    for note in notes:
        by_system = f" ({note.agency_token.label})" if note.agency_token else ""  # an agency's own system
        history.append(
            {
                "at": note.created_at,
                "kind": "note",
                "label": note.dispatch.agency.name + by_system,
                "actor": _person(note.author),
                "note": note.text,
            }
        )
    history.extend(dispatch_work(dispatches, hidden=None if moderator else observation.author_id))
    for addition in access.additions_for(view, observation):
        entry: dict[str, Any] = {
            "at": addition.created_at,
            "kind": "addition",
            "label": str(_("complément")),
            "actor": None,
            "note": addition.police_text if not moderator else addition.text,
        }
        if moderator:
            entry |= {
                "addition_id": addition.pk,
                "status": addition.status,
                "status_label": str(ObservationAddition.Status(addition.status).label),
                "redacted_text": addition.redacted_text,
            }
        history.append(entry)
    history.sort(key=lambda entry: entry["at"])
    for entry in history:
        entry["at"] = timezone.localtime(entry["at"])  # Europe/Paris, as every time the console shows
    return history
