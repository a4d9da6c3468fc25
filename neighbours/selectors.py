"""Reads of the referents' domain: who may submit, rosters, audiences, push preferences."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps as django_apps
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts.registry import AudienceQuery, PushDecision, SubmitterVerdict
from backend.accounts.models import Role, User
from backend.core.errors import ApplicationError
from backend.territory.models import Commune, Sector
from neighbours.models import Application, Charter, Invitation, Preferences, Protocol, Referent
from neighbours.standing_sql import referent_standing

# Broadcast kinds (alerts.broadcasts) that a person may choose on push, with their French label.
PUSH_KINDS: dict[str, Any] = {
    "prevention": gettext_lazy("conseils de prévention"),
    "burglary_alert": gettext_lazy("alertes cambriolage"),
    "shop_alert": gettext_lazy("alertes commerces"),
}
# An active referent always receives these on push.
MANDATORY_FOR_ACTIVE_REFERENTS = frozenset({"burglary_alert"})
# Quiet hours hold back only these (non-urgent) kinds; alerts are never held back.
QUIET_HOURS_KINDS = frozenset({"prevention"})


def referent_for_user(*, user: User) -> Referent | None:
    return Referent.objects.select_related("sector", "commune", "user").filter(user=user).first()


def referent_list(
    *, commune_id: int | None, sector: Sector | None = None, status: str | None = None
) -> QuerySet[Referent]:
    """The roster of one commune (none without a commune): a coordinator never sees another's."""
    if commune_id is None:
        return Referent.objects.none()
    queryset = Referent.objects.select_related("user", "sector", "commune", "application").filter(
        commune_id=commune_id
    )
    if sector is not None:
        queryset = queryset.filter(sector=sector)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("user__display_name", "id")


def referent_get(*, commune_id: int | None, referent_id: int) -> Referent | None:
    return referent_list(commune_id=commune_id).filter(pk=referent_id).first()


def invitation_list(*, commune_id: int | None) -> QuerySet[Invitation]:
    if commune_id is None:
        return Invitation.objects.none()
    return Invitation.objects.select_related("sector", "invited_by").filter(commune_id=commune_id)


def protocol_in_force(*, commune: Commune | int, on: date | None = None) -> Protocol | None:
    day = on or timezone.localdate()
    return (
        Protocol.objects.filter(commune=commune, starts_on__lte=day, ends_on__gte=day)
        .order_by("-starts_on")
        .first()
    )


def protocol_latest(*, commune: Commune | int) -> Protocol | None:
    return Protocol.objects.filter(commune=commune).order_by("-starts_on").first()


def charter_current(*, commune: Commune | int) -> Charter | None:
    return (
        Charter.objects.filter(commune=commune, published_at__lte=timezone.now()).order_by("-version").first()
    )


_STATUS_REFUSALS = {
    Referent.Status.PENDING: gettext_lazy("Votre inscription de référent attend la validation de la mairie."),
    Referent.Status.REFUSED: gettext_lazy("Votre inscription de référent n'a pas été retenue."),
    Referent.Status.SUSPENDED: gettext_lazy("Votre mission de référent est suspendue : contactez la mairie."),
    Referent.Status.ENDED: gettext_lazy("Votre mission de référent a pris fin."),
}


def referent_verdict(*, user: User, on: date | None = None) -> SubmitterVerdict:
    """Whether this referent may submit an observation now (the rule plugged into alerts' intake)."""
    if not user.is_active or user.erased_at is not None or user.role != Role.REFERENT:
        return SubmitterVerdict(False, _("Ce compte ne peut pas transmettre de signalement."))
    day = on or timezone.localdate()
    referent = referent_standing(user_id=user.pk, day=day)
    if referent is None:
        return SubmitterVerdict(False, _("Vous n'êtes pas inscrit comme référent."))
    if referent.status != Referent.Status.ACTIVE:
        return SubmitterVerdict(False, str(_STATUS_REFUSALS[Referent.Status(referent.status)]))
    if not referent.protocol_ok:
        latest = protocol_latest(commune=referent.commune_id)
        if latest is not None and latest.ends_on < day:
            message = _(
                "Le protocole Participation Citoyenne de votre commune a expiré le %(date)s : "
                "les signalements par l'application sont suspendus."
            ) % {"date": latest.ends_on.strftime("%d/%m/%Y")}
        else:
            message = _("Le protocole Participation Citoyenne de votre commune n'est pas en vigueur.")
        return SubmitterVerdict(False, message)
    if referent.current_charter is None:
        return SubmitterVerdict(False, _("La charte du référent de votre commune n'est pas encore publiée."))
    if referent.charter_version != referent.current_charter:
        return SubmitterVerdict(
            False,
            _("Acceptez la charte du référent (version %(version)s) avant de transmettre un signalement.")
            % {"version": referent.current_charter},
        )
    return SubmitterVerdict(True, "", trusted=referent.trusted)


def referent_audience(query: AudienceQuery) -> QuerySet[User]:
    """Active referents of the commune, of the sectors when some are given (the "referents" audience)."""
    queryset = User.objects.filter(
        role=Role.REFERENT,
        is_active=True,
        erased_at=None,
        referent__status=Referent.Status.ACTIVE,
        referent__commune=query.commune,
    )
    if query.sectors:
        queryset = queryset.filter(referent__sector__in=[sector.pk for sector in query.sectors])
    return queryset.order_by("id")


def preferences_for(*, user: User) -> Preferences:
    """The stored preferences, or the defaults (unsaved) when the person never changed them."""
    return Preferences.objects.filter(user=user).first() or Preferences(user=user)


def _quiet_until(preferences: Preferences, at: datetime) -> datetime | None:
    start, end = preferences.quiet_hours_start, preferences.quiet_hours_end
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(at)
    now = local.time()
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return None
    end_day = local.date() if now < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(end_day, end))


def push_preferences_for(user_ids: Sequence[int], kind: str, at: datetime) -> Mapping[int, PushDecision]:
    """The push decision for each of these users who set preferences (registered with alerts)."""
    rows = Preferences.objects.filter(user_id__in=list(user_ids)).select_related("user")
    active_referents = set(
        Referent.objects.filter(user_id__in=list(user_ids), status=Referent.Status.ACTIVE).values_list(
            "user_id", flat=True
        )
    )
    decisions: dict[int, PushDecision] = {}
    for preferences in rows:
        send = kind not in (preferences.push_opt_outs or [])
        if kind in MANDATORY_FOR_ACTIVE_REFERENTS and preferences.user_id in active_referents:
            send = True
        not_before = _quiet_until(preferences, at) if kind in QUIET_HOURS_KINDS else None
        decisions[preferences.user_id] = PushDecision(send=send, not_before=not_before)
    return decisions


def referents_exportable(*, commune_id: int | None) -> QuerySet[Referent]:
    return referent_list(commune_id=commune_id).prefetch_related("status_changes")


def sector_resolve(*, commune: Commune | int, value: str | int, field: str = "sector") -> Sector:
    """A sector of this commune by id or slug; a clear error when unknown or of another commune."""
    raw = str(value).strip()
    lookup = Q(pk=int(raw)) if raw.isdigit() else Q(slug=raw)
    sector = Sector.objects.filter(lookup, commune=commune).first()
    if sector is not None:
        return sector
    if Sector.objects.filter(lookup).exists():
        raise ApplicationError(_("Ce secteur n'appartient pas à votre commune."), field=field)
    raise ApplicationError(_("Secteur inconnu."), field=field)


# --- personal data (RGPD export), registered with the kernel ---------------------------------------------
def referent_personal_data(user: User) -> dict[str, Any] | None:
    referent = (
        Referent.objects.select_related("sector", "commune")
        .prefetch_related("status_changes")
        .filter(user=user)
        .first()
    )
    if referent is None:
        return None
    application = Application.objects.filter(referent=referent).first()
    return {
        "commune": referent.commune.name,
        "sector": referent.sector.name,
        "status": referent.status,
        "status_label": referent.get_status_display(),
        "trusted": referent.trusted,
        "source": referent.source,
        "charter_version": referent.charter_version,
        "charter_accepted_at": referent.charter_accepted_at,
        "created_at": referent.created_at,
        "status_history": [
            {"at": change.at, "from": change.from_status, "to": change.to_status, "reason": change.reason}
            for change in referent.status_changes.all()
        ],
        "application": {"motivation": application.motivation, "created_at": application.created_at}
        if application
        else None,
    }


def preferences_personal_data(user: User) -> dict[str, Any] | None:
    preferences = Preferences.objects.filter(user=user).first()
    if preferences is None:
        return None
    return {
        "push_opt_outs": preferences.push_opt_outs,
        "quiet_hours_start": preferences.quiet_hours_start,
        "quiet_hours_end": preferences.quiet_hours_end,
        "language": preferences.language,
        "updated_at": preferences.updated_at,
    }


def _rows_of(model_name: str, **lookup: Any) -> list[dict[str, Any]]:
    """The rows of an alerts model about the person, all concrete fields (read through the app registry:
    neighbours may read alerts, and these models are alerts' own)."""
    try:
        model = django_apps.get_model("alerts", model_name)
    except LookupError:
        return []
    rows = []
    for row in model._default_manager.filter(**lookup).order_by("pk"):
        rows.append({field.attname: field.value_from_object(row) for field in model._meta.concrete_fields})
    return rows


def observations_personal_data(user: User) -> list[dict[str, Any]]:
    """The person's observations (kept for the police after erasure, but theirs to see)."""
    return [
        {key: value for key, value in row.items() if key not in ("ip", "claimed_by_id", "claim_expires_at")}
        for row in _rows_of("Observation", author=user)
    ]


def notifications_personal_data(user: User) -> list[dict[str, Any]]:
    return _rows_of("Notification", user=user)


def referent_profile(*, referent: Referent) -> dict[str, Any]:
    """What the referent's app shows: status, sector, charter to accept, protocol, whether they may submit."""
    user = referent.user
    charter = charter_current(commune=referent.commune_id)
    protocol = protocol_in_force(commune=referent.commune_id) or protocol_latest(commune=referent.commune_id)
    verdict = referent_verdict(user=user)
    return {
        "id": referent.pk,
        "display_name": user.display_name,
        "phone": user.phone.as_e164 if user.phone else None,
        "status": referent.status,
        "status_label": referent.get_status_display(),
        "commune": referent.commune,
        "sector": referent.sector,
        "trusted": referent.trusted,
        "charter": charter,
        "charter_accepted_version": referent.charter_version,
        "charter_accepted_at": referent.charter_accepted_at,
        "must_accept_charter": charter is not None and referent.charter_version != charter.version,
        "protocol": protocol,
        "can_submit": verdict.allowed,
        "cannot_submit_reason": verdict.reason,
    }


def preferences_view(*, user: User) -> dict[str, Any]:
    preferences = preferences_for(user=user)
    opt_outs = set(preferences.push_opt_outs or [])
    active = Referent.objects.filter(user=user, status=Referent.Status.ACTIVE).exists()
    locked = sorted(MANDATORY_FOR_ACTIVE_REFERENTS) if active else []
    return {
        "push": {kind: kind in locked or kind not in opt_outs for kind in PUSH_KINDS},
        "push_locked": locked,
        "push_kinds": {kind: str(label) for kind, label in PUSH_KINDS.items()},
        "quiet_hours_start": preferences.quiet_hours_start,
        "quiet_hours_end": preferences.quiet_hours_end,
        "language": preferences.language,
    }
