"""Writing a broadcast: its checks, an alert made from an observation (the observation checked, its text
prefilled without personal data), and `broadcast_create`, which sends it at once, schedules it, or leaves
it for a second person's approval (approval.py)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.broadcasts.models import Broadcast
from alerts.broadcasts.services.approval import two_person_rule
from alerts.broadcasts.services.common import CHANNELS, MAX_BODY, MAX_TITLE, clean_dates, require_staff
from alerts.broadcasts.services.delivery import broadcast_release
from alerts.broadcasts.services.prefill import observation_prefill
from alerts.events import commune_staff_group, event_emit
from alerts.models import Observation
from alerts.registry import audience_names, broadcast_text_check
from alerts.services import text_clean
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Forbidden
from backend.territory.models import Commune, Sector

APPROVED_OBSERVATION = (
    Observation.Status.DISPATCHED,
    Observation.Status.ACKNOWLEDGED,
    Observation.Status.CLOSED,
)


def _clean_choices(values: Sequence[str], *, allowed: Sequence[str], field: str, required: bool) -> list[str]:
    cleaned = list(dict.fromkeys(str(value) for value in values))
    unknown = [value for value in cleaned if value not in allowed]
    if unknown:
        raise ApplicationError(
            _("Valeur inconnue : %(values)s (possibles : %(allowed)s).")
            % {"values": ", ".join(unknown), "allowed": ", ".join(allowed)},
            field=field,
        )
    if required and not cleaned:
        raise ApplicationError(_("Choisissez au moins une valeur."), field=field)
    return cleaned


def _clean_sectors(commune_id: int, slugs: Sequence[str]) -> list[Sector]:
    wanted = list(dict.fromkeys(str(slug) for slug in slugs))
    found = {sector.slug: sector for sector in Sector.objects.filter(commune_id=commune_id, slug__in=wanted)}
    missing = [slug for slug in wanted if slug not in found]
    if missing:
        raise ApplicationError(
            _("Secteur inconnu dans cette commune : %(slugs)s.") % {"slugs": ", ".join(missing)},
            field="sectors",
        )
    return [found[slug] for slug in wanted]


def observation_check(*, commune_id: int, observation: Observation | int) -> Observation:
    """The observation, if an alert may be made from it (same commune, approved)."""
    found = (
        observation
        if isinstance(observation, Observation)
        else Observation.objects.select_related("category", "sector").filter(pk=observation).first()
    )
    if found is None or found.commune_id != commune_id:
        raise ApplicationError(_("Signalement introuvable dans cette commune."), field="observation")
    if found.status not in APPROVED_OBSERVATION:
        raise ApplicationError(
            _("Seul un signalement validé peut donner lieu à une alerte."),
            field="observation",
        )
    return found


@dataclass(frozen=True)
class Draft:
    """A broadcast's request checked and cleaned: what `broadcast_create` writes and the preview counts."""

    commune: Commune
    kind: str
    cap_status: str
    title: str
    body: str
    sectors: list[Sector]
    include_adjacent: bool
    audiences: list[str]
    trades: list[str]
    channels: list[str]
    observation: Observation | None
    send_at: datetime | None
    expires_at: datetime | None


def draft_clean(
    *,
    actor: User,
    kind: str,
    title: str = "",
    body: str = "",
    sectors: Sequence[str] = (),
    include_adjacent: bool = False,
    audiences: Sequence[str] = (),
    channels: Sequence[str] = (),
    trades: Sequence[str] = (),
    send_at: datetime | None = None,
    expires_at: datetime | None = None,
    observation: Observation | int | None = None,
    status: str = Broadcast.CapStatus.ACTUAL,
) -> Draft:
    """Every check of a new broadcast, nothing written: refusals raise with a French message and a field."""
    if actor.commune_id is None:
        raise Forbidden(_("Votre compte n'est rattaché à aucune commune."))
    commune_id = actor.commune_id
    require_staff(actor, commune_id)
    kind = _clean_choices([kind], allowed=Broadcast.Kind.values, field="kind", required=True)[0]
    source = (
        None if observation is None else observation_check(commune_id=commune_id, observation=observation)
    )
    if source is not None:
        prefill = observation_prefill(observation=source)
        title = title or prefill["title"]
        body = body or prefill["body"]
        sectors = list(sectors) or prefill["sectors"]
    cleaned_sectors = _clean_sectors(commune_id, sectors)
    cleaned_audiences = _clean_choices(audiences, allowed=audience_names(), field="audiences", required=True)
    cleaned_channels = _clean_choices(channels, allowed=CHANNELS, field="channels", required=True)
    if status not in Broadcast.CapStatus.values:
        raise ApplicationError(_("Statut inconnu : actual ou exercise."), field="status")
    clean_dates(send_at, expires_at, timezone.now())
    draft = Draft(
        commune=Commune.objects.get(pk=commune_id),
        kind=kind,
        cap_status=status,
        title=text_clean(title, field="title", limit=MAX_TITLE),
        body=text_clean(body, field="body", limit=MAX_BODY),
        sectors=cleaned_sectors,
        include_adjacent=include_adjacent,
        audiences=cleaned_audiences,
        trades=[str(trade) for trade in trades],
        channels=cleaned_channels,
        observation=source,
        send_at=send_at,
        expires_at=expires_at,
    )
    broadcast_text_check(
        commune=draft.commune, kind=kind, audiences=draft.audiences, title=draft.title, body=draft.body
    )
    return draft


@transaction.atomic
def broadcast_create(*, actor: User, **fields: Any) -> Broadcast:
    """Sends a broadcast at once, schedules it (`send_at`), or leaves it for a second person's approval;
    `fields` are `draft_clean`'s."""
    draft = draft_clean(actor=actor, **fields)
    now = timezone.now()
    broadcast = Broadcast.objects.create(
        commune=draft.commune,
        kind=draft.kind,
        cap_status=draft.cap_status,
        title=draft.title,
        body=draft.body,
        include_adjacent=draft.include_adjacent,
        audiences=draft.audiences,
        trades=draft.trades,
        channels=draft.channels,
        observation=draft.observation,
        send_at=draft.send_at,
        expires_at=draft.expires_at,
        created_by=actor,
        created_at=now,
        state=Broadcast.State.DRAFT,
    )
    broadcast.sectors.set(draft.sectors)
    source = draft.observation
    audit_record(
        actor=actor,
        action="broadcast.create",
        target=broadcast,
        extra={"kind": draft.kind, "observation": source.pk if source else None},
    )
    if two_person_rule(draft.commune.pk):
        event_emit(
            type="broadcast.drafted",
            data={"id": broadcast.pk, "kind": draft.kind, "title": broadcast.title},
            groups=[commune_staff_group(draft.commune.pk)],
        )
        return broadcast
    broadcast_release(broadcast, now=now)
    return broadcast
