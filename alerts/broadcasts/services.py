"""Writes of broadcasts. Each public function is one transaction: the broadcast, its recipients, their
inbox rows, the outbox deliveries, the audit records and the realtime event commit together.

Who gets what: the audiences (alerts/registry.py: "referents" from neighbours, "shopkeepers" from
commerces) of the commune, of the sectors (widened to their adjacent sectors when asked). Each recipient
gets one channel: a push when push is asked and they have an active device in the app, otherwise an SMS
when SMS is asked and they have a phone, otherwise only the inbox row. Push preferences (the registry's
push_decisions): an opt-out leaves only the inbox row; quiet hours hold back `prevention` pushes and
never an alert. Updates and cancels reach exactly the recipients of the original, on the same channel.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.broadcasts.models import Broadcast, BroadcastPolicy, BroadcastRecipient
from alerts.broadcasts.selectors import broadcast_area_sectors
from alerts.events import commune_staff_group, event_emit
from alerts.models import Notification, Observation
from alerts.registry import (
    AudienceQuery,
    audience_names,
    audience_provider,
    broadcast_text_check,
    push_decisions,
)
from alerts.services import text_clean
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Conflict, Forbidden
from backend.messaging.models import Delivery, Device
from backend.messaging.services import Outgoing, deliveries_cancel, deliveries_enqueue
from backend.territory.models import Sector

CHANNELS = ("push", "sms")
# Quiet hours hold back these kinds only; alerts always go at once.
QUIET_HOURS_KINDS = frozenset({Broadcast.Kind.PREVENTION})
HIGH_PRIORITY_KINDS = frozenset({Broadcast.Kind.BURGLARY_ALERT, Broadcast.Kind.SHOP_ALERT})
APPROVED_OBSERVATION = (
    Observation.Status.DISPATCHED,
    Observation.Status.ACKNOWLEDGED,
    Observation.Status.CLOSED,
)
MAX_TITLE = 120
MAX_BODY = 1000


# --- checks ------------------------------------------------------------------------------------


def _require_staff(actor: User, commune_id: int) -> None:
    if not access.may_broadcast(actor, commune_id):
        raise Forbidden(_("Seuls les agents et modérateurs de la commune peuvent diffuser des messages."))


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


def _clean_dates(send_at: datetime | None, expires_at: datetime | None, now: datetime) -> None:
    if expires_at is not None and expires_at <= now:
        raise ApplicationError(_("La date d'expiration est déjà passée."), field="expires_at")
    if send_at is not None and expires_at is not None and expires_at <= send_at:
        raise ApplicationError(_("La diffusion expirerait avant d'être envoyée."), field="expires_at")


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


def observation_prefill(*, observation: Observation) -> dict[str, Any]:
    """The text of a burglary alert made from an observation, without personal data: no description,
    no author, no exact place or time — the category, the sector and the part of the day."""
    local = timezone.localtime(observation.occurred_at)
    sector = observation.sector.name if observation.sector else observation.commune.name
    hour = local.hour
    moment = _("le matin") if hour < 12 else (_("l'après-midi") if hour < 18 else _("le soir"))
    category = observation.category.label if observation.category_id else _("Cambriolage")
    return {
        "kind": Broadcast.Kind.BURGLARY_ALERT,
        "title": (_("Alerte cambriolage – %(sector)s") % {"sector": sector})[:MAX_TITLE],
        "body": _(
            "%(category)s signalé le %(date)s %(moment)s, secteur %(sector)s. Fermez portes et fenêtres, "
            "ne laissez pas d'objets de valeur en vue et signalez tout comportement suspect. "
            "En cas d'urgence, appelez le 17."
        )
        % {"category": category, "date": local.strftime("%d/%m"), "moment": moment, "sector": sector},
        "sectors": [observation.sector.slug] if observation.sector else [],
    }


def two_person_rule(commune_id: int) -> bool:
    return BroadcastPolicy.objects.filter(commune_id=commune_id, two_person_rule=True).exists()


# --- create, approve, release ------------------------------------------------------------------


@transaction.atomic
def broadcast_create(
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
) -> Broadcast:
    if actor.commune_id is None:
        raise Forbidden(_("Votre compte n'est rattaché à aucune commune."))
    commune_id = actor.commune_id
    _require_staff(actor, commune_id)
    now = timezone.now()
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
    _clean_dates(send_at, expires_at, now)
    broadcast = Broadcast.objects.create(
        commune_id=commune_id,
        kind=kind,
        cap_status=status,
        title=text_clean(title, field="title", limit=MAX_TITLE),
        body=text_clean(body, field="body", limit=MAX_BODY),
        include_adjacent=include_adjacent,
        audiences=cleaned_audiences,
        trades=[str(trade) for trade in trades],
        channels=cleaned_channels,
        observation=source,
        send_at=send_at,
        expires_at=expires_at,
        created_by=actor,
        created_at=now,
        state=Broadcast.State.DRAFT,
    )
    broadcast.sectors.set(cleaned_sectors)
    broadcast_text_check(
        commune=broadcast.commune,
        kind=kind,
        audiences=broadcast.audiences,
        title=broadcast.title,
        body=broadcast.body,
    )
    audit_record(
        actor=actor,
        action="broadcast.create",
        target=broadcast,
        extra={"kind": kind, "observation": source.pk if source else None},
    )
    if two_person_rule(commune_id):
        event_emit(
            type="broadcast.drafted",
            data={"id": broadcast.pk, "kind": kind, "title": broadcast.title},
            groups=[commune_staff_group(commune_id)],
        )
        return broadcast
    _release(broadcast, now=now)
    return broadcast


@transaction.atomic
def broadcast_approve(*, broadcast: Broadcast, actor: User) -> Broadcast:
    _require_staff(actor, broadcast.commune_id)
    if broadcast.created_by_id == actor.pk:
        raise Forbidden(_("Une autre personne doit valider la diffusion que vous avez rédigée."))
    now = timezone.now()
    claimed = Broadcast.objects.filter(pk=broadcast.pk, state=Broadcast.State.DRAFT).update(
        approved_by=actor, approved_at=now
    )
    if not claimed:
        raise Conflict(_("Cette diffusion n'est plus à valider."))
    broadcast.refresh_from_db()
    audit_record(actor=actor, action="broadcast.approve", target=broadcast)
    _release(broadcast, now=now)
    return broadcast


def _release(broadcast: Broadcast, *, now: datetime) -> None:
    if broadcast.send_at is not None and broadcast.send_at > now:
        Broadcast.objects.filter(pk=broadcast.pk).update(state=Broadcast.State.SCHEDULED)
        broadcast.state = Broadcast.State.SCHEDULED
        return
    _send(broadcast, now=now)


def _send(broadcast: Broadcast, *, now: datetime) -> None:
    """Claims the broadcast (one sender wins), expands it into recipients, inbox rows and deliveries."""
    won = Broadcast.objects.filter(
        pk=broadcast.pk, state__in=[Broadcast.State.DRAFT, Broadcast.State.SCHEDULED]
    ).update(state=Broadcast.State.SENT, sent_at=now)
    if not won:
        return
    broadcast.refresh_from_db()
    if broadcast.original_id is None:
        planned = _expand(broadcast, now=now)
    else:
        planned = _same_recipients(broadcast, now=now)
    count = _deliver(broadcast, planned)
    Broadcast.objects.filter(pk=broadcast.pk).update(recipients_count=count)
    broadcast.recipients_count = count
    audit_record(
        actor=None,
        action="broadcast.sent",
        target=broadcast,
        extra={"recipients": count, "msg_type": broadcast.msg_type},
    )
    event_emit(
        type="broadcast.sent",
        data={
            "id": broadcast.pk,
            "kind": broadcast.kind,
            "msg_type": broadcast.msg_type,
            "original": broadcast.original_id,
            "title": broadcast.title,
            "recipients": count,
        },
        groups=[commune_staff_group(broadcast.commune_id)],
    )


# (user, channel, not_before)
Planned = list[tuple[User, str, datetime | None]]


def _expand(broadcast: Broadcast, *, now: datetime) -> Planned:
    query = AudienceQuery(
        commune=broadcast.commune,
        sectors=tuple(broadcast_area_sectors(broadcast)),
        trades=tuple(broadcast.trades),
    )
    users: dict[int, User] = {}
    for name in broadcast.audiences:
        provider = audience_provider(name)
        if provider is None:  # the app that owned it is gone: nobody of it is reached
            continue
        for user in provider(query):
            users.setdefault(user.pk, user)
    with_device = set(
        Device.objects.filter(user_id__in=list(users), is_active=True).values_list("user_id", flat=True)
    )
    decisions = push_decisions(user_ids=sorted(with_device), kind=broadcast.kind, at=now)
    planned: Planned = []
    for user_id in sorted(users):
        user = users[user_id]
        if "push" in broadcast.channels and user_id in with_device:
            decision = decisions[user_id]
            if not decision.send:
                planned.append((user, BroadcastRecipient.Channel.NONE, None))
                continue
            held = decision.not_before if broadcast.kind in QUIET_HOURS_KINDS else None
            planned.append((user, BroadcastRecipient.Channel.PUSH, held))
        elif "sms" in broadcast.channels and user.phone:
            planned.append((user, BroadcastRecipient.Channel.SMS, None))
        else:
            planned.append((user, BroadcastRecipient.Channel.NONE, None))
    return planned


def _same_recipients(broadcast: Broadcast, *, now: datetime) -> Planned:
    """An update or a cancel: the recipients of the original, on the same channel."""
    rows = list(
        BroadcastRecipient.objects.filter(broadcast_id=broadcast.original_id or 0)
        .select_related("user")
        .order_by("user_id")
    )
    held: dict[int, datetime | None] = {}
    if broadcast.kind in QUIET_HOURS_KINDS and broadcast.msg_type == Broadcast.MsgType.UPDATE:
        pushed = [row.user_id for row in rows if row.channel == BroadcastRecipient.Channel.PUSH]
        held = {
            user_id: decision.not_before
            for user_id, decision in push_decisions(user_ids=pushed, kind=broadcast.kind, at=now).items()
        }
    return [(row.user, row.channel, held.get(row.user_id)) for row in rows]


def _sms_text(broadcast: Broadcast) -> str:
    prefixes: dict[str, str] = {
        Broadcast.MsgType.UPDATE: _("Mise à jour"),
        Broadcast.MsgType.CANCEL: _("Annulation"),
    }
    prefix = prefixes.get(broadcast.msg_type, "")
    head = f"{broadcast.commune.name} – {broadcast.title}"
    return f"{prefix} : {head}\n{broadcast.body}" if prefix else f"{head}\n{broadcast.body}"


def _deliver(broadcast: Broadcast, planned: Planned) -> int:
    data = {
        "kind": broadcast.kind,
        "broadcast_id": broadcast.pk,
        "msg_type": broadcast.msg_type,
        "original_id": broadcast.original_id or "",
        "link": f"vigie://broadcasts/{broadcast.pk}",
    }
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                user=user, kind=broadcast.kind, title=broadcast.title, body=broadcast.body, data=data
            )
            for user, _channel, _held in planned
        ],
        batch_size=1000,
    )
    BroadcastRecipient.objects.bulk_create(
        [
            BroadcastRecipient(broadcast=broadcast, user=user, channel=channel, notification=notification)
            for (user, channel, _held), notification in zip(planned, notifications, strict=True)
        ],
        batch_size=1000,
    )
    priority = Delivery.Priority.HIGH if broadcast.kind in HIGH_PRIORITY_KINDS else Delivery.Priority.NORMAL
    sms_text = _sms_text(broadcast)
    deliveries_enqueue(
        Outgoing(
            channel=channel,
            kind=broadcast.kind,
            title=broadcast.title if channel == BroadcastRecipient.Channel.PUSH else "",
            body=broadcast.body if channel == BroadcastRecipient.Channel.PUSH else sms_text,
            recipient=user,
            data={**data, "notification_id": notification.pk},
            source=broadcast.source,
            priority=priority,
            not_before=held,
        )
        for (user, channel, held), notification in zip(planned, notifications, strict=True)
        if channel != BroadcastRecipient.Channel.NONE
    )
    return len(planned)


# --- scheduled sending and expiry (the worker's periodic job) ----------------------------------


def broadcasts_run_due(*, now: datetime | None = None, limit: int = 20) -> int:
    """Sends the scheduled broadcasts whose time has come and expires the ones past their expiry.

    Safe in several workers at once: each broadcast is claimed by a conditional UPDATE."""
    now = now or timezone.now()
    done = 0
    expired_ids = list(
        Broadcast.objects.filter(
            state__in=[Broadcast.State.SCHEDULED, Broadcast.State.SENT, Broadcast.State.DRAFT],
            expires_at__lte=now,
        ).values_list("id", flat=True)[:limit]
    )
    for broadcast_id in expired_ids:
        with transaction.atomic():
            broadcast = Broadcast.objects.get(pk=broadcast_id)
            if not Broadcast.objects.filter(pk=broadcast_id, state=broadcast.state).update(
                state=Broadcast.State.EXPIRED
            ):
                continue
            cancelled = deliveries_cancel(source=broadcast.source)
            audit_record(
                actor=None,
                action="broadcast.expire",
                target=broadcast,
                extra={"deliveries_cancelled": cancelled},
            )
            done += 1
    due_ids = list(
        Broadcast.objects.filter(state=Broadcast.State.SCHEDULED, send_at__lte=now)
        .order_by("send_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for broadcast_id in due_ids:
        with transaction.atomic():
            broadcast = Broadcast.objects.select_related("commune").get(pk=broadcast_id)
            if broadcast.state == Broadcast.State.SCHEDULED:
                _send(broadcast, now=now)
                done += 1
    return done


# --- update and cancel -------------------------------------------------------------------------


def _follow_up(root: Broadcast, *, actor: User, msg_type: str, title: str, body: str) -> Broadcast:
    now = timezone.now()
    follow_up = Broadcast.objects.create(
        commune_id=root.commune_id,
        kind=root.kind,
        msg_type=msg_type,
        cap_status=root.cap_status,
        original=root,
        title=title,
        body=body,
        include_adjacent=root.include_adjacent,
        audiences=root.audiences,
        trades=root.trades,
        channels=root.channels,
        observation=root.observation,
        expires_at=root.expires_at,
        created_by=actor,
        approved_by=actor,
        approved_at=now,
        state=Broadcast.State.DRAFT,
    )
    follow_up.sectors.set(root.sectors.all())
    _send(follow_up, now=now)  # a new draft: _send always claims it and refreshes it
    return follow_up


@transaction.atomic
def broadcast_update(
    *,
    broadcast: Broadcast,
    actor: User,
    title: str = "",
    body: str = "",
    send_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> Broadcast:
    """Before it goes: edits it. After: sends an update to exactly the people the original reached."""
    _require_staff(actor, broadcast.commune_id)
    root = Broadcast.objects.select_for_update().get(pk=broadcast.original_id or broadcast.pk)
    now = timezone.now()
    if root.state in (Broadcast.State.DRAFT, Broadcast.State.SCHEDULED):
        root.title = text_clean(title or root.title, field="title", limit=MAX_TITLE)
        root.body = text_clean(body or root.body, field="body", limit=MAX_BODY)
        root.send_at = send_at or root.send_at
        root.expires_at = expires_at or root.expires_at
        _clean_dates(root.send_at if root.send_at and root.send_at > now else None, root.expires_at, now)
        broadcast_text_check(
            commune=root.commune, kind=root.kind, audiences=root.audiences, title=root.title, body=root.body
        )
        root.save(update_fields=["title", "body", "send_at", "expires_at"])
        audit_record(actor=actor, action="broadcast.edit", target=root, fields=["title", "body"])
        return root
    if root.state != Broadcast.State.SENT:
        raise Conflict(_("Cette diffusion est close : elle ne peut plus être mise à jour."))
    if expires_at is not None:
        _clean_dates(None, expires_at, now)
        root.expires_at = expires_at
        root.save(update_fields=["expires_at"])
    new_title = text_clean(title or root.title, field="title", limit=MAX_TITLE)
    new_body = text_clean(body, field="body", limit=MAX_BODY)
    broadcast_text_check(
        commune=root.commune, kind=root.kind, audiences=root.audiences, title=new_title, body=new_body
    )
    follow_up = _follow_up(
        root, actor=actor, msg_type=Broadcast.MsgType.UPDATE, title=new_title, body=new_body
    )
    audit_record(actor=actor, action="broadcast.update", target=follow_up, extra={"original": root.pk})
    return follow_up


@transaction.atomic
def broadcast_cancel(*, broadcast: Broadcast, actor: User, body: str = "") -> Broadcast:
    """Before it goes: nobody gets anything. After: what has not left is held back and a cancel reaches
    exactly the people the original reached. Returns the cancel message, or the cancelled draft."""
    _require_staff(actor, broadcast.commune_id)
    root = Broadcast.objects.select_for_update().get(pk=broadcast.original_id or broadcast.pk)
    now = timezone.now()
    if root.state not in (Broadcast.State.DRAFT, Broadcast.State.SCHEDULED, Broadcast.State.SENT):
        raise Conflict(_("Cette diffusion est déjà annulée ou expirée."))
    was_sent = root.state == Broadcast.State.SENT
    cancel_title = cancel_body = ""
    if was_sent:  # the cancel message is checked before anything changes
        cancel_title = (_("Annulation : %(title)s") % {"title": root.title})[:MAX_TITLE]
        cancel_body = text_clean(
            body or _("Le message « %(title)s » est annulé.") % {"title": root.title},
            field="body",
            limit=MAX_BODY,
        )
        try:
            broadcast_text_check(
                commune=root.commune,
                kind=root.kind,
                audiences=root.audiences,
                title=cancel_title,
                body=cancel_body,
            )
        except ApplicationError as refusal:
            if refusal.field != "title":
                raise
            # The original's title, which nobody can change now, no longer passes (sent before the check
            # knew of it): the cancel goes without it rather than never.
            sent_at = timezone.localtime(root.sent_at or now).strftime("%d/%m %Hh%M")
            cancel_title = _("Annulation du message du %(date)s") % {"date": sent_at}
            broadcast_text_check(
                commune=root.commune,
                kind=root.kind,
                audiences=root.audiences,
                title=cancel_title,
                body=cancel_body,
            )
    root.state = Broadcast.State.CANCELLED
    root.cancelled_by = actor
    root.cancelled_at = now
    root.save(update_fields=["state", "cancelled_by", "cancelled_at"])
    held_back = deliveries_cancel(source=root.source)
    for update in root.follow_ups.filter(msg_type=Broadcast.MsgType.UPDATE):
        held_back += deliveries_cancel(source=update.source)
    audit_record(
        actor=actor, action="broadcast.cancel", target=root, extra={"deliveries_cancelled": held_back}
    )
    if not was_sent:
        return root
    return _follow_up(
        root, actor=actor, msg_type=Broadcast.MsgType.CANCEL, title=cancel_title, body=cancel_body
    )


# --- inbox -------------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification, user: User) -> Notification:
    if notification.user_id != user.pk:
        raise Forbidden(_("Ce message ne vous est pas destiné."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
