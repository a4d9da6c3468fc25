"""Who may see or do what in Vigie: the one access policy.

Every door asks here, and nowhere else is a decision taken by role, commune or agency: the REST views
(named doors, `backend.core.access.door(...)`, and the scopes below), the console page, socket and actions,
the photo routes, the admin (through `backend.core.access`, registered from AlertsConfig.ready()), the
exports, and the services and jobs that send data out (the groups of realtime events; agency webhooks
carry the police view). neighbours and commerces ask it for their doors too. docs/security.md holds the
matrix that tests/security/test_permission_matrix.py checks.

The rules, in words:
- Staff (moderators, operators, commune admins, platform superusers) pass a staff door only with the
  second factor: a TOTP-verified session, or a token from `POST /api/v1/auth/staff/token/`
  (backend/accounts/second_factor.py). An SMS code never opens one.
- A commune's data is for that commune's staff. Moderators (and commune admins, who moderate too) see
  and decide the observations of their commune; a commune admin acts on the dispatches of their commune's
  observations whatever agency serves it, never on another commune's through a shared agency.
- Operators work the dispatches of the agencies they are members of (an agency may serve several
  communes: its members see its dispatches, all of them). Moderators are not police: membership of an
  agency gives them nothing.
- Two views of an observation: the moderation view (author, original text, follow-ups pending review) and
  the police view (redacted text, approved follow-ups, never the author nor their contact). The author
  sees their own. Events and webhooks carry the police view unless they go to moderation groups only.
- Referents, shops, applications and quarantined SMS are coordinated by the moderators and admins of
  their commune.
- A commune's data-protection business (rights requests, the art. 30 register, the read log export, the
  retention report) is its DPO's and its admin's; in the admin a DPO sees their commune's rights
  requests and nothing else, and never an observation's view (a request's matching reports show their
  reference, date and state only).
- An agency token (docs/agency-api.md) is its agency's own system, not a person: it passes the
  agency-token doors only (AGENCY_TOKEN_DOORS: list, read, acknowledge, note and close that agency's
  dispatches, in the police view), with no second factor (a machine credential has none to give), and
  every other door, page, socket and admin page refuses it. Its tokens are created and revoked by the
  admins who may edit the agency (a commune admin, for an agency serving their commune alone; platform
  superusers, for any): a token of an agency shared by several communes reads every commune's dispatches.
- The video-protection register (alerts/video, docs/video-protection.md): police operators request footage
  for the agencies they are members of and read those requests; the CSU operators of a commune record
  requests received otherwise, refuse them, record extractions and destructions, and export the register;
  the commune admin manages cameras and reads the register; the inspection (CNIL, prefecture) reads
  everything of its commune, every read audited; the ethics committee sees monthly totals, never a request.
"""

import enum
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from alerts.events import (
    agency_group,
    commune_dispatches_group,
    commune_staff_group,
    moderation_group,
    user_group,
)
from alerts.models import (
    Agency,
    AgencyTokenPrincipal,
    Category,
    Dispatch,
    EmergencyRosterMember,
    Observation,
    ObservationAddition,
    ObservationPhoto,
)
from alerts.privacy.models import RightsRequest
from alerts.video.models import Camera, FootageRequest
from alerts.watch_cell.models import Meeting
from backend.accounts.models import Role, User
from backend.accounts.second_factor import request_has_second_factor, scope_has_second_factor
from backend.territory.models import Commune

# --- who someone is --------------------------------------------------------------------------------


def is_agency_token(user: Any) -> bool:
    """A request authenticated by an agency token (its agency's system, not a person)."""
    return isinstance(user, AgencyTokenPrincipal)


def _active(user: Any) -> bool:
    """An active person's account: never an agency token, which opens its own doors only."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and not is_agency_token(user)
    )


def is_staff(user: Any) -> bool:
    """A staff account (moderator, operator, commune admin or platform superuser), active."""
    return _active(user) and (user.role in Role.STAFF or bool(user.is_superuser))


def is_official(user: Any) -> bool:
    """A town or oversight account (CLSPD coordinator, CSU, ethics committee, inspector, DPO), active:
    their own pages only, never the console nor an observation's view."""
    return _active(user) and user.role in Role.OFFICIALS


def needs_second_factor(user: Any) -> bool:
    """Staff and officials pass no door without the second factor."""
    return is_staff(user) or is_official(user)


def cleared(request: Any) -> bool:
    """The request's user is staff and passed the second factor."""
    return is_staff(request.user) and request_has_second_factor(request)


def moderated_commune(user: Any) -> int | None:
    """The commune whose observations this user moderates (moderators and commune admins)."""
    if _active(user) and user.role in Role.MODERATING and user.commune_id is not None:
        return int(user.commune_id)
    return None


def coordinated_commune(user: Any) -> int | None:
    """The commune whose referents, shops and SMS quarantine this user coordinates: the moderators'."""
    return moderated_commune(user)


def staff_commune(user: Any) -> int | None:
    """The commune of a staff member (its broadcasts, emergency cell, agencies)."""
    if is_staff(user) and user.commune_id is not None:
        return int(user.commune_id)
    return None


def administered_commune(user: Any) -> int | None:
    """The commune a commune admin administers."""
    if _active(user) and user.role == Role.ADMIN and user.commune_id is not None:
        return int(user.commune_id)
    return None


# --- named doors (the DRF permission classes of the API) ------------------------------------------


# Who passes each named door (the roles); staff pass any door only with the second factor.
DOORS: dict[str, frozenset[str]] = {
    # Any account: its own data (profile, export, inbox), the taxonomy, an observation's view.
    "signed_in": frozenset(Role.values),
    # People who report, through the app or the web form (an SMS code's token).
    "reporter": Role.REPORTING,
    "referent": frozenset({Role.REFERENT}),
    "shopkeeper": frozenset({Role.SHOPKEEPER}),
    # The commune's data-protection business (read log): its DPO and its admin.
    "data_protection": frozenset({Role.ADMIN, Role.DPO}),
    # The town's statistics (figures only, never an observation): the CLSPD coordinator, commune admins.
    "statistics": frozenset({Role.COORDINATOR, Role.ADMIN}),
    "staff": Role.STAFF,
    "moderation": Role.MODERATING,
    "coordination": Role.MODERATING,
    "police": Role.POLICING,
    # The police's work on dispatches that an agency's own system may do too (list, read, acknowledge,
    # note, close): the police roles, and agency tokens (AGENCY_TOKEN_DOORS).
    "police_dispatch": Role.POLICING,
    "commune_admin": frozenset({Role.ADMIN}),
    # The video-protection register: who reads requests (each one scoped by footage_requests_visible),
    # who asks for footage, who handles requests (the CSU), who sees the monthly totals.
    "video_register": frozenset({Role.OPERATOR, Role.CSU, Role.ADMIN, Role.INSPECTOR}),
    "video_request": frozenset({Role.OPERATOR, Role.CSU}),
    "video_csu": frozenset({Role.CSU}),
    "video_export": frozenset({Role.CSU, Role.ADMIN, Role.INSPECTOR}),
    "video_totals": frozenset({Role.CSU, Role.ADMIN, Role.INSPECTOR, Role.ETHICS, Role.COORDINATOR}),
}
# The only doors an agency token passes, without a second factor: it is a machine credential, scoped to
# its agency's dispatches (dispatches_policed) and their police view.
AGENCY_TOKEN_DOORS = frozenset({"police_dispatch"})


def door_allows(request: Any, name: str) -> bool:
    user = request.user
    if is_agency_token(user):
        return name in AGENCY_TOKEN_DOORS
    if not _active(user) or user.role not in DOORS[name]:
        return False
    return not needs_second_factor(user) or request_has_second_factor(request)


# --- observations --------------------------------------------------------------------------------


class View(enum.StrEnum):
    """Which view of an observation someone gets (module docstring)."""

    AUTHOR = "author"
    MODERATION = "moderation"
    POLICE = "police"


def observations_authored(user: Any) -> QuerySet[Observation]:
    if not _active(user):
        return Observation.objects.none()
    return Observation.objects.filter(author=user)


def observations_moderated(user: Any) -> QuerySet[Observation]:
    commune_id = moderated_commune(user)
    if commune_id is None:
        return Observation.objects.none()
    return Observation.objects.filter(commune_id=commune_id)


def police_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies whose dispatches an operator works: those they are an active member of."""
    if not _active(user) or user.role != Role.OPERATOR:
        return Agency.objects.none()
    return Agency.objects.filter(members=user, is_active=True)


def _dispatch_scope(user: Any) -> Q | None:
    if is_agency_token(user):
        return Q(agency_id=user.agency_id, agency__is_active=True)
    if not _active(user) or user.role not in Role.POLICING:
        return None
    if user.role == Role.ADMIN:
        commune_id = administered_commune(user)
        return Q(observation__commune_id=commune_id) if commune_id is not None else None
    return Q(agency__in=police_agencies(user))


def dispatches_policed(user: Any) -> QuerySet[Dispatch]:
    """The dispatches this user may see and act on (never a blocked sender's)."""
    scope = _dispatch_scope(user)
    if scope is None:
        return Dispatch.objects.none()
    return Dispatch.objects.filter(scope, observation__quarantined=False)


def dispatches_visible(user: Any) -> QuerySet[Dispatch]:
    """The dispatches this user may see (and print as an incident sheet): those they work, and for
    moderators those of their commune's observations (the console's detail lists them)."""
    policed = dispatches_policed(user)
    commune_id = moderated_commune(user)
    if commune_id is None:
        return policed
    return Dispatch.objects.filter(
        Q(pk__in=policed.values("pk")) | Q(observation__commune_id=commune_id), observation__quarantined=False
    )


def dispatch_actionable(user: Any, dispatch: Dispatch) -> bool:
    return dispatches_policed(user).filter(pk=dispatch.pk).exists()


def observations_policed(user: Any) -> QuerySet[Observation]:
    """Observations that reached this user's police work (never a pending or blocked one)."""
    return Observation.objects.filter(
        pk__in=dispatches_policed(user).values("observation_id"), quarantined=False
    )


def observation_view(user: Any, observation: Observation, *, second_factor: bool) -> View | None:
    """The view of this observation that this user gets, if any. Staff views need the second factor."""
    if not _active(user):
        return None
    if observation.author_id == user.pk:
        return View.AUTHOR
    if not (second_factor and is_staff(user)):
        return None
    if moderated_commune(user) == observation.commune_id:
        return View.MODERATION
    if dispatches_policed(user).filter(observation_id=observation.pk).exists():
        return View.POLICE
    return None


def observation_views(user: Any, *, second_factor: bool) -> QuerySet[Observation]:
    """Every observation this user gets some view of."""
    own = observations_authored(user)
    if not (second_factor and is_staff(user)):
        return own
    return Observation.objects.filter(
        Q(pk__in=own.values("pk"))
        | Q(pk__in=observations_moderated(user).values("pk"))
        | Q(pk__in=observations_policed(user).values("pk"))
    )


def additions_for(view: View, observation: Observation) -> QuerySet[ObservationAddition]:
    """The follow-ups a view shows: all of them to the author and the moderators, the approved ones to
    the police (who read their redacted text)."""
    additions = ObservationAddition.objects.filter(observation=observation)
    if view == View.POLICE:
        return additions.filter(status=ObservationAddition.Status.VISIBLE)
    return additions


def photo_visible(user: Any, photo: ObservationPhoto, *, second_factor: bool) -> bool:
    observation = Observation.objects.filter(pk=photo.observation_id).first()
    return observation is not None and (
        observation_view(user, observation, second_factor=second_factor) is not None
    )


def may_moderate(user: Any, commune_id: int) -> bool:
    return moderated_commune(user) == commune_id


# --- commune business ------------------------------------------------------------------------------


def may_broadcast(user: Any, commune_id: int) -> bool:
    """Compose, approve, update or cancel the commune's broadcasts: its staff."""
    return staff_commune(user) == commune_id


def may_prefill_alert(user: Any, observation: Observation) -> bool:
    """Draft an alert from an observation: staff of its commune who have a staff view of it (a moderator,
    or the police it was dispatched to). Called behind a staff door: the second factor is checked there."""
    view = observation_view(user, observation, second_factor=True)
    return may_broadcast(user, observation.commune_id) and view in (View.MODERATION, View.POLICE)


def may_set_emergency(user: Any, commune_id: int) -> bool:
    """Activate, renew or close the emergency cell, set its roster: the commune's moderators and admins."""
    return moderated_commune(user) == commune_id


def may_read_emergency(user: Any, commune_id: int) -> bool:
    """Read the cell's activations, log and reports, write in its log: those who decide it, and its
    roster (members and deputies: staff of the commune)."""
    if may_set_emergency(user, commune_id):
        return True
    if staff_commune(user) != commune_id:
        return False
    return EmergencyRosterMember.objects.filter(
        Q(member=user) | Q(deputy=user), commune_id=commune_id
    ).exists()


def agencies_listed(user: Any) -> QuerySet[Agency]:
    """The agencies a staff member may address (routing, hand-over): those serving their commune."""
    commune_id = staff_commune(user)
    if commune_id is None:
        return Agency.objects.none()
    return Agency.objects.filter(communes=commune_id, is_active=True)


def agency_editable(user: Any, agency: Agency) -> bool:
    """An agency serving several communes is edited by platform superusers only; a commune admin edits
    the agencies that serve their commune alone."""
    if _active(user) and user.is_superuser:
        return True
    commune_id = administered_commune(user)
    if commune_id is None or agency.pk is None:
        return commune_id is not None
    return set(agency.communes.values_list("pk", flat=True)) == {commune_id}


def agency_tokens_visible(user: Any) -> QuerySet[Agency]:
    """The agencies whose tokens this user may list: a commune admin's are those serving their commune;
    platform superusers see all."""
    if _active(user) and user.is_superuser:
        return Agency.objects.all()
    commune_id = administered_commune(user)
    if commune_id is None:
        return Agency.objects.none()
    return Agency.objects.filter(communes=commune_id).distinct()


def agency_tokens_manageable(user: Any) -> QuerySet[Agency]:
    """The agencies whose tokens this user may create and revoke: those they may edit (agency_editable).
    A token of an agency shared by several communes reads all their dispatches: platform superusers only."""
    if _active(user) and user.is_superuser:
        return Agency.objects.all()
    commune_id = administered_commune(user)
    if commune_id is None:
        return Agency.objects.none()
    return Agency.objects.filter(communes=commune_id).exclude(
        communes__in=Commune.objects.exclude(pk=commune_id)
    )


def may_manage_agency_tokens(user: Any, agency: Agency) -> bool:
    return agency_tokens_manageable(user).filter(pk=agency.pk).exists()


def patrol_communes(user: Any) -> list[int]:
    """The communes whose holiday watch (neighbours/holiday_watch) this user works: the daily list, the homes'
    addresses and pass logs. Operators who are active members of an active police municipale serving the
    commune (the patrols), and the commune's admin. Nobody else: not moderators, not officials, never
    another commune's police."""
    commune_id = administered_commune(user)
    if commune_id is not None:
        return [commune_id]
    served = Agency.objects.filter(
        pk__in=police_agencies(user).values("pk"), kind=Agency.Kind.POLICE_MUNICIPALE
    ).values_list("communes", flat=True)
    return sorted({pk for pk in served if pk is not None})


def may_patrol(user: Any, commune_id: int) -> bool:
    return commune_id in patrol_communes(user)


def privacy_commune(user: Any) -> int | None:
    """The commune whose data-protection business (rights requests, register, read log, retention report)
    this user handles: its DPO, or its commune admin (who stands in when the DPO has no account)."""
    if _active(user) and user.role == Role.DPO and user.commune_id is not None:
        return int(user.commune_id)
    return administered_commune(user)  # PRIVACY_OFFICE: the DPO, else the commune admin


PRIVACY_OFFICE = frozenset({Role.DPO, Role.ADMIN})


def privacy_officers(commune_id: int) -> QuerySet[User]:
    """Who handles a commune's data-protection business (privacy_commune's answer, from the other side):
    its active DPO and commune admins."""
    return User.objects.filter(commune_id=commune_id, role__in=PRIVACY_OFFICE, is_active=True)


def read_log_commune(user: Any) -> int | None:
    """Whose reads of observations a user may export: the commune's DPO and its admin."""
    return privacy_commune(user)


def privacy_office_allowed(user: Any) -> bool:
    """May open the DPO's page (/agents/protection-des-donnees/) and its register downloads."""
    return privacy_commune(user) is not None


def rights_requests_handled(user: Any) -> QuerySet[RightsRequest]:
    """The rights requests this user examines and decides: those of the commune they handle."""
    commune_id = privacy_commune(user)
    if commune_id is None:
        return RightsRequest.objects.none()
    return RightsRequest.objects.filter(commune_id=commune_id)


# --- the monthly watch cell (alerts/watch_cell) ----------------------------------------------------
# Its deliberations are confidential: a meeting, its page and its pack are for the accounts on its roster
# and the commune's admins. The commune admin and the CLSPD coordinator convene meetings and draw their
# rosters; anyone who may open a meeting adds and closes its actions.

WATCH_CELL_MANAGERS = frozenset({Role.ADMIN, Role.COORDINATOR})
# Who may sit on a roster with an account: the commune's staff and officials (never a reporter).
WATCH_CELL_ACCOUNTS = Role.SECOND_FACTOR


def watch_cell_commune(user: Any) -> int | None:
    """The commune whose meetings this user convenes (commune admins, CLSPD coordinators)."""
    if _active(user) and user.role in WATCH_CELL_MANAGERS and user.commune_id is not None:
        return int(user.commune_id)
    return None


def watch_cell_allowed(user: Any) -> bool:
    """May open /cellule-de-veille/ (the meetings they convene or sit at): a commune's staff and officials.
    Pages check the second factor first."""
    return needs_second_factor(user) and user.commune_id is not None


def meetings_visible(user: Any) -> QuerySet[Meeting]:
    """The meetings this user may open: all of their commune's for its convenors, else those whose roster
    holds their account."""
    commune_id = watch_cell_commune(user)
    if commune_id is not None:
        return Meeting.objects.filter(commune_id=commune_id)
    if not watch_cell_allowed(user):
        return Meeting.objects.none()
    return Meeting.objects.filter(commune_id=user.commune_id, roster__user=user).distinct()


def meeting_refusal(user: Any, meeting: Meeting) -> int | None:
    """None if this user may open the meeting (its page, its pack, its actions); else 404 for another
    commune's (it is not there for them), 403 for their own commune's when they are not on its roster."""
    if meetings_visible(user).filter(pk=meeting.pk).exists():
        return None
    return 403 if _active(user) and user.commune_id == meeting.commune_id else 404


def watch_cell_linked(user: Any) -> bool:
    """Whether /agents/ links to the watch cell: for its convenors and those who sit at a meeting."""
    return watch_cell_commune(user) is not None or meetings_visible(user).exists()


def may_convene(user: Any, meeting: Meeting) -> bool:
    """Edit a meeting and its roster: its commune's admins and CLSPD coordinators."""
    return watch_cell_commune(user) == meeting.commune_id


def roster_accounts(user: Any) -> QuerySet[User]:
    """The accounts a convenor may seat on a roster: active staff and officials of their commune."""
    commune_id = watch_cell_commune(user)
    if commune_id is None:
        return User.objects.none()
    return User.objects.filter(
        commune_id=commune_id, role__in=WATCH_CELL_ACCOUNTS, is_active=True, is_superuser=False
    )


# --- the video-protection register (alerts/video) -------------------------------------------------


def _official_commune(user: Any, *roles: str) -> int | None:
    if _active(user) and user.role in roles and user.commune_id is not None:
        return int(user.commune_id)
    return None


def video_commune(user: Any) -> int | None:
    """The commune whose whole register this user reads: its CSU operators, its admin, its inspection."""
    return _official_commune(user, Role.CSU, Role.ADMIN, Role.INSPECTOR)


def video_csu_commune(user: Any) -> int | None:
    """The commune whose requests this user handles (refusals, extractions, destructions): its CSU."""
    return _official_commune(user, Role.CSU)


def video_totals_commune(user: Any) -> int | None:
    """The commune whose monthly totals this user sees (no request's detail): the ethics committee, the
    CLSPD coordinator, and those who read the whole register."""
    return _official_commune(user, Role.ETHICS, Role.COORDINATOR) or video_commune(user)


def video_reads_audited(user: Any) -> bool:
    """The inspection's every read of the register is written in the audit trail."""
    return _active(user) and user.role == Role.INSPECTOR


def footage_requests_visible(user: Any) -> QuerySet[FootageRequest]:
    """The requests this user may read: the commune's for its CSU, admin and inspection; those of their
    agencies for police operators. Never the ethics committee's (totals only)."""
    commune_id = video_commune(user)
    if commune_id is not None:
        return FootageRequest.objects.filter(commune_id=commune_id)
    if _active(user) and user.role == Role.OPERATOR:
        return FootageRequest.objects.filter(agency__in=police_agencies(user))
    return FootageRequest.objects.none()


def footage_requests_handled(user: Any) -> QuerySet[FootageRequest]:
    commune_id = video_csu_commune(user)
    if commune_id is None:
        return FootageRequest.objects.none()
    return FootageRequest.objects.filter(commune_id=commune_id)


def footage_request_agencies(user: Any, commune_id: int) -> QuerySet[Agency]:
    """The agencies in whose name this user may request footage of a commune's cameras: an operator's own
    agencies serving it; for its CSU, every agency serving it (a requisition received by hand)."""
    if video_csu_commune(user) == commune_id:
        return Agency.objects.filter(communes=commune_id, is_active=True)
    return police_agencies(user).filter(communes=commune_id)


def cameras_visible(user: Any) -> QuerySet[Camera]:
    """The cameras this user may see (and choose in a request): their commune's, or for an operator, those
    of the communes their agencies serve."""
    commune_id = video_commune(user)
    if commune_id is not None:
        return Camera.objects.filter(commune_id=commune_id)
    if _active(user) and user.role == Role.OPERATOR:
        return Camera.objects.filter(commune__agencies__in=police_agencies(user)).distinct()
    return Camera.objects.none()


def footage_requested_visible(user: Any, observation: Observation) -> bool:
    """May be told whether footage was requested for this observation: whoever has a staff view of it."""
    return observation_view(user, observation, second_factor=True) in (View.MODERATION, View.POLICE)


def observation_linkable(user: Any, observation: Observation) -> bool:
    """May link a request to this observation: the police who have its view; the CSU, for its commune's
    (it types the number the police gave and is shown nothing of it)."""
    if video_csu_commune(user) == observation.commune_id:
        return True
    return observation_view(user, observation, second_factor=True) == View.POLICE


def video_links(user: Any) -> dict[str, bool]:
    """The video pages the staff home links to for this user."""
    return {
        "video_register": video_commune(user) is not None,
        "video_totals": video_totals_commune(user) is not None,
    }


def statistics_commune(user: Any) -> int | None:
    """The commune whose statistics (aggregates, exports, annual report) a user may read: the CLSPD
    coordinator's and a commune admin's own, read-only. Never another commune's."""
    if _active(user) and user.role in DOORS["statistics"] and user.commune_id is not None:
        return int(user.commune_id)
    return None


def statistics_allowed(user: Any) -> bool:
    return statistics_commune(user) is not None


# --- realtime: socket groups and the groups an event goes to ---------------------------------------


def console_allowed(user: Any, scope: dict[str, Any] | None = None) -> bool:
    """May open the live console (page or socket): staff with the second factor."""
    if not is_staff(user):
        return False
    return scope is None or scope_has_second_factor(scope)


def staff_home_allowed(user: Any) -> bool:
    """May open the staff home (/agents/, links to the console, the admin and the commune's tools):
    commune admins, officials (their pages) and platform superusers; the others work in the console."""
    return (
        administered_commune(user) is not None
        or (is_official(user) and user.commune_id is not None)
        or (is_staff(user) and bool(user.is_superuser))
    )


def landing(user: Any) -> str:
    """Where a staff member lands after signing in without a `next`: the staff home or the console."""
    if staff_home_allowed(user):
        return "staff-home"
    return "console" if console_allowed(user) else "home"


def console_groups(user: Any) -> list[str]:
    """Exactly the channel-layer groups this user's console may join, and nothing else."""
    if not is_staff(user):
        return []
    groups = {user_group(user.pk)}
    if user.commune_id is not None:
        groups.add(commune_staff_group(user.commune_id))
    moderated = moderated_commune(user)
    if moderated is not None:
        groups.add(moderation_group(moderated))
    administered = administered_commune(user)
    if administered is not None:
        groups.add(commune_dispatches_group(administered))
    groups.update(agency_group(agency_id) for agency_id in police_agencies(user).values_list("pk", flat=True))
    return sorted(groups)


def moderation_event_groups(commune_id: int) -> list[str]:
    """Events that carry the moderation view (the author, the original text, a sender's name or
    standing): the commune's moderators only."""
    return [moderation_group(commune_id)]


def dispatch_event_groups(dispatch: Dispatch) -> list[str]:
    """Events that carry a dispatch (police view): its agency, and its commune's admins."""
    return [agency_group(dispatch.agency_id), commune_dispatches_group(dispatch.observation.commune_id)]


def commune_staff_event_groups(commune_id: int) -> list[str]:
    """Events for every staff console of a commune: never one that names a reporter."""
    return [commune_staff_group(commune_id), moderation_group(commune_id)]


# --- the admin (asked through backend.core.access) -------------------------------------------------

# Models whose rows name reporters or carry their words: moderators' and admins' business, never the
# police's, and never a page where an operator could read them.
MODERATION_MODELS = frozenset(
    {
        "alerts.observation",
        "alerts.observationaddition",
        "alerts.senderstanding",
    }
)
# Rows of every commune (phone numbers and addresses of anyone who asked a code).
PLATFORM_MODELS = frozenset({"accounts.phonecode"})
# What a DPO finds in the admin: their commune's rights requests, nothing else.
PRIVACY_MODELS = frozenset({"privacy.rightsrequest"})
# The video-protection register is a legal record: read-only in the admin for everyone, superusers too
# (requests are made and handled through the API, extractions only appended).
REGISTER_MODELS = frozenset({"video.footagerequest", "video.extraction", "video.destruction"})


def _dpo(user: Any) -> bool:
    return _active(user) and user.role == Role.DPO and privacy_commune(user) is not None


def _label(model: type[Model]) -> str:
    return model._meta.label_lower


VIGIE_PACKAGES = frozenset({"backend", "alerts", "neighbours", "commerces"})


def _vigie_app(model: type[Model]) -> bool:
    return (
        model._meta.app_config is not None and model._meta.app_config.name.partition(".")[0] in VIGIE_PACKAGES
    )


class Policy:
    """The answers the kernel's doors ask for (backend.core.access): named API doors, and the admin's.

    The admin: operators have the console and no admin; moderators get what a platform
    superuser granted them (Django permissions) within their commune, and see their commune's
    observations; commune admins manage their commune's rows; platform superusers everything."""

    def door_allows(self, request: Any, door: str) -> bool:
        return door_allows(request, door)

    def landing(self, user: Any) -> str:
        return landing(user)

    def admin_site_allows(self, request: HttpRequest) -> bool:
        user = request.user
        if _dpo(user):
            return request_has_second_factor(request)
        if not (is_staff(user) and request_has_second_factor(request)):
            return False
        return bool(user.is_superuser) or user.role in Role.MODERATING  # type: ignore[union-attr]

    def _commune(self, request: HttpRequest) -> int | None:
        user = request.user
        return privacy_commune(user) if _dpo(user) else staff_commune(user)

    def admin_queryset(self, request: HttpRequest, admin: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        user = request.user
        if not self.admin_site_allows(request):
            return queryset.none()
        if user.is_superuser:
            return queryset
        label = _label(queryset.model)
        commune_id = self._commune(request)
        if _dpo(user) and label not in PRIVACY_MODELS:
            return queryset.none()
        if label in PLATFORM_MODELS or commune_id is None:
            return queryset.none()
        if label in MODERATION_MODELS and moderated_commune(user) is None:
            return queryset.none()
        if label == "accounts.user":
            return queryset.filter(commune_id=commune_id, is_superuser=False)
        if label == "audit.auditevent":
            return queryset.filter(actor_id__in=User.objects.filter(commune_id=commune_id).values("pk"))
        if label == "alerts.category":
            return queryset.filter(Q(commune=None) | Q(commune_id=commune_id))
        if label == "alerts.agency":
            return queryset.filter(communes=commune_id).distinct()
        if label == "alerts.agencytoken":
            return queryset.filter(agency__in=agency_tokens_visible(user))
        return queryset.filter(**{admin.commune_path: commune_id})

    def admin_allows(self, request: HttpRequest, action: str, admin: Any, obj: Any = None) -> bool:
        if not self.admin_site_allows(request):
            return False
        user = request.user
        label = _label(admin.model)
        if label in REGISTER_MODELS and action in ("add", "change", "delete"):
            return False
        if user.is_superuser:
            return True
        if label in PLATFORM_MODELS:
            return False
        if _dpo(user):
            return label in PRIVACY_MODELS and action != "delete"
        if label in MODERATION_MODELS and action in ("module", "view"):
            return moderated_commune(user) is not None
        if obj is not None and action in ("change", "delete"):
            if label == "alerts.category" and obj.commune_id is None:
                return False  # the platform's defaults
            if label == "alerts.agency" and not agency_editable(user, obj):
                return False
            if label == "alerts.agencytoken" and not may_manage_agency_tokens(user, obj.agency):
                return False
        if administered_commune(user) is not None and _vigie_app(admin.model):
            return True  # a commune admin manages Vigie's own rows, scoped to their commune above
        # Third-party apps (TOTP devices, lockouts, JWT tokens, groups) are not commune-scoped: platform
        # superusers only, or permissions a superuser gave one by one (as to a moderator).
        opts = admin.model._meta
        if action == "module":
            return bool(user.has_module_perms(opts.app_label))
        return bool(user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"))

    def admin_choices(
        self, request: HttpRequest, admin: Any, db_field: Any, queryset: QuerySet[Any]
    ) -> QuerySet[Any]:
        user = request.user
        if getattr(user, "is_superuser", False):
            return queryset
        commune_id = self._commune(request)
        related = queryset.model
        if commune_id is None:
            return queryset.none()
        if related is Commune:
            return queryset.filter(pk=commune_id)
        if related is Agency and _label(admin.model) == "alerts.agencytoken":
            return queryset.filter(pk__in=agency_tokens_manageable(user).values("pk"))
        if related is Agency:
            return queryset.filter(communes=commune_id).distinct()
        if related is Category:
            return queryset.filter(Q(commune=None) | Q(commune_id=commune_id))
        if related is User:
            users = queryset.filter(commune_id=commune_id, is_superuser=False)
            # An agency's members are police: operators of the commune.
            return users.filter(role=Role.OPERATOR) if _label(admin.model) == "alerts.agency" else users
        if any(field.name == "commune" for field in related._meta.get_fields()):
            return queryset.filter(commune_id=commune_id)
        return queryset

    def admin_readonly_fields(self, request: HttpRequest, admin: Any, obj: Any = None) -> list[str]:
        """Fields only a platform superuser may set."""
        if getattr(request.user, "is_superuser", False):
            return []
        if _label(admin.model) == "accounts.user":
            return ["is_superuser", "groups", "user_permissions"]
        return []
