"""Writes of the observations domain. Each public function is one transaction: its rows, its audit
records, its realtime events and its outbound messages commit together (DESIGN.md)."""

import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.events import agency_group, event_emit
from alerts.models import (
    Agency,
    Category,
    Channel,
    CommuneAlertSettings,
    Dispatch,
    DispatchNote,
    Notification,
    Observation,
    ObservationAddition,
    ObservationDelivery,
    ObservationPhoto,
    ObservationTransition,
    ReferenceCounter,
    SenderStanding,
)
from alerts.photos import CleanPhoto, photo_clean, photos_check_count
from alerts.registry import SubmitterVerdict, submitter_rule
from alerts.selectors import (
    agency_kinds_label,
    category_by_slug,
    commune_settings,
    dispatch_for_console,
    intake_category_rows,
    intake_place,
    observation_for_console,
    routing_agencies,
)
from alerts.webhooks import agency_webhook_enqueue
from backend.accounts.models import Role, User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue
from backend.territory.models import Commune, Sector
from backend.territory.selectors import commune_holds, sector_holding

MAX_TEXT = 2000
MAX_NOTE = 1000
MAX_AGE = timedelta(days=30)
CLOCK_SKEW = timedelta(minutes=5)
CLAIM_LEASE = timedelta(minutes=10)
SMS_FOLLOW_UP_WINDOW = timedelta(minutes=30)
REJECTIONS_BEFORE_FLAG = 3
OPEN_DISPATCH = (Dispatch.Status.SENT, Dispatch.Status.ACKNOWLEDGED)


# --- shared helpers ----------------------------------------------------------------------------


def text_clean(value: Any, *, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    """A user-written text, neutralised (no bidi, invisible or control characters), stripped, within
    `limit`: else an error on `field` (French)."""
    from backend.core.text import text_neutralise

    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApplicationError(_("Texte attendu."), field=field)
    text = text_neutralise(value).strip()
    if "\x00" in text:
        raise ApplicationError(_("Le texte contient un caractère interdit."), field=field)
    if required and not text:
        raise ApplicationError(_("Ce champ est obligatoire."), field=field)
    if len(text) > limit:
        raise ApplicationError(
            _("%(max)d caractères au plus (%(n)d reçus).") % {"max": limit, "n": len(text)}, field=field
        )
    return text


def _set_status(
    observation: Observation,
    *,
    actor: User | None,
    to: str,
    reason: str = "",
    note: str = "",
    extra_fields: Iterable[str] = (),
) -> None:
    now = timezone.now()
    ObservationTransition.objects.create(
        observation=observation,
        actor=actor if actor is not None and actor.is_authenticated else None,
        from_status=observation.status,
        to_status=to,
        reason=reason,
        note=note,
        at=now,
    )
    _forget_related(observation, "transitions")
    observation.status = to
    observation.updated_at = now
    fields = {"status", "updated_at", *extra_fields}
    if to in (Observation.Status.CLOSED, Observation.Status.REJECTED, Observation.Status.MERGED):
        observation.finished_at = now
        fields.add("finished_at")
    if to != Observation.Status.PENDING:
        observation.claimed_by = None
        observation.claim_expires_at = None
        fields |= {"claimed_by", "claim_expires_at"}
    observation.save(update_fields=sorted(fields))


def _moderation_groups(observation: Observation) -> list[str]:
    return access.moderation_event_groups(observation.commune_id)


def _require_moderator(actor: User, commune_id: int) -> None:
    if not access.may_moderate(actor, commune_id):
        raise Forbidden(_("Seuls les modérateurs de la commune peuvent faire cela."))


def _require_police(actor: User, dispatch: Dispatch) -> None:
    if not access.dispatch_actionable(actor, dispatch):
        raise Forbidden(
            _("Seuls les opérateurs du service (ou l'administrateur de la commune) peuvent faire cela.")
        )


# --- taxonomy ----------------------------------------------------------------------------------

DEFAULT_CATEGORIES = [
    # slug, label, urgent, routine (the same as migration 0003_seed_categories)
    ("cambriolage", "cambriolage ou tentative", True, False),
    ("suspect", "individu ou véhicule suspect", False, False),
    ("demarchage", "démarchage ou faux agents", False, True),
    ("vol", "vol (étalage, à l'arraché)", False, False),
    ("escroquerie", "escroquerie ou faux billets", False, True),
    ("degradation", "dégradation", False, True),
    ("rodeo", "rodéo motorisé", False, False),
    ("tranquillite", "trouble à la tranquillité publique", False, True),
    ("violences", "violences", True, False),
    ("autre", "autre", False, False),
]


def categories_seed_defaults() -> int:
    """Creates the platform's default categories that are missing (a flushed database, tests)."""
    created = 0
    for position, (slug, label, urgent, routine) in enumerate(DEFAULT_CATEGORIES, start=1):
        _row, new = Category.objects.get_or_create(
            commune=None,
            slug=slug,
            defaults={"label": label, "urgent": urgent, "routine": routine, "position": position * 10},
        )
        created += new
    return created


# --- notifications -----------------------------------------------------------------------------


def notification_send(
    *,
    user: User,
    kind: str,
    title: str,
    body: str,
    data: Mapping[str, Any] | None = None,
    channel_hint: str = "push",
    observation: Observation | None = None,
    priority: str = Delivery.Priority.NORMAL,
    source: str = "",
) -> Notification:
    """Keeps the notification in the person's inbox and queues its delivery: push to their devices
    (channel_hint "push"), an SMS ("sms"), both ("both") or none ("none")."""
    payload = dict(data or {})
    notification = Notification.objects.create(
        user=user, kind=kind, title=title[:200], body=body, data=payload, observation=observation
    )
    payload.setdefault("notification_id", notification.pk)
    channels = {"push": ["push"], "sms": ["sms"], "both": ["push", "sms"]}.get(channel_hint, [])
    deliveries = deliveries_enqueue(
        Outgoing(
            channel=channel,
            kind=kind,
            body=body,
            title=title if channel == "push" else "",
            recipient=user,
            data=payload,
            source=source or (f"alerts.notification:{notification.pk}"),
            priority=priority,
        )
        for channel in channels
    )
    if observation is not None:
        deliveries_link(deliveries, observation=observation)
    return notification


def deliveries_link(
    deliveries: Iterable[Delivery], *, observation: Observation, agency: Agency | None = None
) -> None:
    """Ties outbox rows to the observation that caused them (retention deletes them with it)."""
    ObservationDelivery.objects.bulk_create(
        [ObservationDelivery(delivery=row, observation=observation, agency=agency) for row in deliveries]
    )


def _tell_author(observation: Observation, *, kind: str, body: str) -> None:
    author = observation.author
    if author is None or not author.is_active:
        return
    channel_hint = "sms" if observation.channel in (Channel.SMS, Channel.WEB) else "push"
    notification_send(
        user=author,
        kind=kind,
        title=_("Signalement %(ref)s") % {"ref": observation.reference},
        body=body,
        data={
            "observation_id": observation.pk,
            "reference": observation.reference,
            "status": observation.status,
        },
        channel_hint=channel_hint,
        observation=observation,
    )


# --- intake ------------------------------------------------------------------------------------


# One statement: the UPDATE takes the row lock until commit and returns the new number (PostgreSQL, and
# SQLite ≥ 3.35). Table names come from the models' metadata; every value is a parameter.
_REFERENCE_SQL = (
    'UPDATE "{counter}" SET "last" = "last" + 1 WHERE "commune_id" = %s AND "year" = %s RETURNING "last"'
)


def _counter_step(commune: Commune, year: int, sql: str, params: list[int | str]) -> Any:
    """Runs a statement that steps the commune's counter of the year (its first parameters) and returns
    its value; the year's first observation creates the counter."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            ReferenceCounter.objects.get_or_create(commune=commune, year=year)
            cursor.execute(sql, params)
            row = cursor.fetchone()
    return row[0]


def _reference_allocate(commune: Commune) -> str:
    """The next number of the commune's year, under the counter row's lock (caller's transaction)."""
    year = timezone.localdate().year
    sql = _REFERENCE_SQL.format(counter=ReferenceCounter._meta.db_table)
    last = _counter_step(commune, year, sql, [commune.pk, year])
    return f"{commune.reference_prefix}-{year}-{int(last):06d}"


# PostgreSQL locks the counter row (not the table): the lock is taken as late as possible, in one
# statement that also writes the observation's reference, so that concurrent intakes of a commune wait
# for each other only during the last statements of the transaction (the event rows and COMMIT).
_LATE_REFERENCE_SQL = """
WITH counter AS (
    UPDATE "{counter}" SET "last" = "last" + 1 WHERE "commune_id" = %s AND "year" = %s RETURNING "last"
)
UPDATE "{observation}" SET "reference" = %s || LPAD(counter."last"::text, GREATEST(6, LENGTH(counter."last"::text)), '0')
FROM counter WHERE "{observation}"."id" = %s RETURNING "{observation}"."reference"
"""


def _late_reference() -> bool:
    """Whether the reference is written last (PostgreSQL). SQLite's writer lock covers the whole
    transaction from BEGIN IMMEDIATE: there the reference is allocated first, as one statement less."""
    return connection.vendor == "postgresql"


def _provisional_reference() -> str:
    """Unique until the real reference replaces it, in the same transaction (nobody else sees it)."""
    return f"~{uuid.uuid4().hex[:23]}"


def _reference_assign(observation: Observation, commune: Commune) -> str:
    """Allocates the reference of an inserted observation and writes it (PostgreSQL, one statement)."""
    year = timezone.localdate().year
    sql = _LATE_REFERENCE_SQL.format(
        counter=ReferenceCounter._meta.db_table, observation=Observation._meta.db_table
    )
    params: list[int | str] = [commune.pk, year, f"{commune.reference_prefix}-{year}-", observation.pk]
    observation.reference = str(_counter_step(commune, year, sql, params))
    return observation.reference


# SQLite has one writer at a time: the intake's BEGIN IMMEDIATE waits for the others in SQLite's busy
# handler, which sleeps (1, 2, 5, … 100 ms) between tries and so leaves the database idle while requests
# queue. In one process the intake's writers queue on this lock instead and start as soon as the previous
# one commits; other processes (the worker, a second server) still wait in SQLite's busy handler.
_SQLITE_INTAKE_WRITER = threading.Lock()


@contextmanager
def _intake_transaction() -> Iterator[None]:
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with _SQLITE_INTAKE_WRITER, transaction.atomic():
            yield
    else:  # PostgreSQL; or inside the caller's transaction, whose BEGIN already holds SQLite's lock
        with transaction.atomic():
            yield


def _verdict_for(author: User) -> SubmitterVerdict:
    rule = submitter_rule(author.role)
    if rule is not None:
        return rule(author)
    if author.role in Role.REPORTING:
        return SubmitterVerdict(allowed=True, trusted=False)
    return SubmitterVerdict(allowed=False, reason=_("Votre rôle ne permet pas d'envoyer un signalement."))


def _clean_occurred_at(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise ApplicationError(_("Date et heure attendues."), field="occurred_at")
    if timezone.is_naive(value):
        raise ApplicationError(_("Précisez le fuseau horaire de la date."), field="occurred_at")
    now = timezone.now()
    if value > now + CLOCK_SKEW:
        raise ApplicationError(_("La date ne peut pas être dans le futur."), field="occurred_at")
    if value < now - MAX_AGE:
        raise ApplicationError(_("Les faits datent de plus de 30 jours."), field="occurred_at")
    return value


def _clean_place(
    *, commune_id: int, latitude: Any, longitude: Any, sector: Any
) -> tuple[Commune, float | None, float | None, Sector | None]:
    """The author's commune (read here, with the sectors, in one query) and the checked place."""
    if (latitude is None) != (longitude is None):
        field = "longitude" if longitude is None else "latitude"
        raise ApplicationError(_("Indiquez la latitude et la longitude ensemble."), field=field)
    if latitude is not None:
        try:
            lat, lon = float(latitude), float(longitude)
        except (TypeError, ValueError) as exc:
            raise ApplicationError(_("Coordonnées illisibles."), field="latitude") from exc
        if isinstance(latitude, bool) or isinstance(longitude, bool):
            raise ApplicationError(_("Coordonnées illisibles."), field="latitude")
        if not (-90 <= lat <= 90):
            raise ApplicationError(_("La latitude doit être comprise entre -90 et 90."), field="latitude")
        if not (-180 <= lon <= 180):
            raise ApplicationError(_("La longitude doit être comprise entre -180 et 180."), field="longitude")
        commune, sectors = intake_place(commune_id=commune_id)
        if commune is None:
            raise ApplicationError(_("Votre compte n'est rattaché à aucune commune."))
        found = sector_holding(sectors, latitude=lat, longitude=lon)
        inside = commune_holds(commune, sectors, latitude=lat, longitude=lon)
        if not inside:
            raise ApplicationError(_("Ce lieu n'est pas dans la commune."), field="latitude")
        return commune, lat, lon, found
    if sector in (None, ""):
        raise ApplicationError(_("Indiquez le lieu : des coordonnées ou un secteur."), field="sector")
    if isinstance(sector, Sector):
        if sector.commune_id != commune_id:
            raise ApplicationError(_("Secteur inconnu dans cette commune."), field="sector")
        return sector.commune, None, None, sector
    commune, sectors = intake_place(commune_id=commune_id, sector_slug=str(sector))
    if not sectors:
        raise ApplicationError(_("Secteur inconnu dans cette commune."), field="sector")
    assert commune is not None
    return commune, None, None, sectors[0]


def _clean_category(commune: Commune, value: Any) -> Category:
    if isinstance(value, Category):
        if value.commune_id not in (None, commune.pk) or not value.is_active:
            raise ApplicationError(_("Catégorie inconnue."), field="category")
        return value
    if not isinstance(value, str) or not value:
        raise ApplicationError(_("Catégorie inconnue."), field="category")
    category = category_by_slug(commune=commune, slug=value)
    if category is None:
        raise ApplicationError(
            _("Catégorie inconnue : « %(slug)s ».") % {"slug": value[:40]}, field="category"
        )
    return category


def _prime_related(instance: Any, name: str, rows: list[Any]) -> None:
    """Fills a reverse relation's prefetch cache with rows known to be all of it (as prefetch_related
    does), so `instance.<name>.all()` costs no query; `.filter()` and friends still query."""
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def _forget_related(instance: Any, *names: str) -> None:
    cache = getattr(instance, "_prefetched_objects_cache", {})
    for name in names:
        cache.pop(name, None)


def _intake_category(*, author: User, commune_id: int, value: Any) -> tuple[Category, bool, bool]:
    """The category (the commune's own row of a slug wins over the default), whether the sender is
    blocked, and whether the emergency cell is on for that category: one query."""
    if isinstance(value, Category):
        rows = intake_category_rows(author_id=author.pk, commune_id=commune_id, key="id", value=value.pk)
    elif isinstance(value, str) and value:
        rows = intake_category_rows(author_id=author.pk, commune_id=commune_id, key="slug", value=value)
    else:
        raise ApplicationError(_("Catégorie inconnue."), field="category")
    own = [row for row in rows if row.category.commune_id == commune_id]
    chosen = own[0] if own else (rows[0] if rows else None)
    if chosen is None or not chosen.category.is_active:
        raise ApplicationError(
            _("Catégorie inconnue : « %(slug)s ».") % {"slug": str(getattr(value, "slug", value))[:40]},
            field="category",
        )
    return chosen.category, chosen.sender_blocked, chosen.emergency_on


def observation_submit(
    *,
    author: User,
    channel: str,
    category: str | Category,
    description: str,
    occurred_at: datetime,
    latitude: float | None = None,
    longitude: float | None = None,
    sector: str | Sector | None = None,
    in_progress: bool = False,
    photos: Sequence[UploadedFile] = (),
    ip: str | None = None,
) -> Observation:
    """The one intake of every channel (app, SMS, web form): validates, stores, routes or queues."""
    if channel not in Channel.values:
        raise ApplicationError(_("Canal inconnu."), field="channel")
    if not author.is_active:
        raise Forbidden(_("Ce compte est désactivé."))
    verdict = _verdict_for(author)
    if not verdict.allowed:
        raise Forbidden(verdict.reason or _("Vous ne pouvez pas envoyer de signalement pour le moment."))
    commune_id = author.commune_id
    if commune_id is None:
        raise ApplicationError(_("Votre compte n'est rattaché à aucune commune."))
    text = text_clean(description, field="description")
    category_row, blocked, emergency = _intake_category(author=author, commune_id=commune_id, value=category)
    when = _clean_occurred_at(occurred_at)
    commune, lat, lon, sector_row = _clean_place(
        commune_id=commune_id, latitude=latitude, longitude=longitude, sector=sector
    )
    if not isinstance(in_progress, bool):
        raise ApplicationError(_("Vrai ou faux attendu."), field="in_progress")
    photos = list(photos)
    photos_check_count(photos)
    # CPU work before the transaction: no lock is held while images are decoded.
    cleaned: list[CleanPhoto] = [photo_clean(upload, position=index) for index, upload in enumerate(photos)]

    late_reference = _late_reference()
    with _intake_transaction():
        observation = Observation(
            commune=commune,
            reference=_provisional_reference() if late_reference else _reference_allocate(commune),
            author=author,
            channel=channel,
            category=category_row,
            description=text,
            occurred_at=when,
            latitude=lat,
            longitude=lon,
            sector=sector_row,
            in_progress=in_progress,
            urgent=category_row.urgent,
            quarantined=blocked,
            ip=ip,
        )
        observation.save()
        created_photos = [
            ObservationPhoto.objects.create(
                observation=observation,
                file=photo.content,
                content_type=photo.content_type,
                width=photo.width,
                height=photo.height,
                size=photo.size,
                position=index,
            )
            for index, photo in enumerate(cleaned)
        ]
        first = ObservationTransition.objects.create(
            observation=observation,
            actor=author,
            from_status="",
            to_status=Observation.Status.PENDING,
            reason=channel,
            at=observation.created_at,
        )
        # The caller renders what was just written without reading it back.
        _prime_related(observation, "photos", created_photos)
        _prime_related(observation, "transitions", [first])
        audit_record(
            actor=author,
            action="observation.submitted",
            target=observation,
            extra={
                "channel": channel,
                "category": category_row.slug,
                "photos": len(cleaned),
                "quarantined": blocked,
            },
            ip=ip,
        )
        if late_reference:  # from here to COMMIT, other intakes of the commune wait: keep it short
            _reference_assign(observation, commune)
        if blocked:
            return observation

        auto = ""
        if emergency:
            auto = "emergency"
        elif verdict.trusted and category_row.routine:
            auto = "trusted"
        agencies = routing_agencies(observation=observation) if auto else []
        if auto and agencies:
            observation.auto_approved = auto
            observation.save(update_fields=["auto_approved"])
            _dispatch(observation, agencies=agencies, actor=None, reason=auto)
            event_emit(
                type="observation.approved",
                data={
                    **observation_for_console(observation),
                    "agencies": _agencies_data(agencies),
                    "auto": auto,
                },
                groups=_moderation_groups(observation),
                observation=observation,
            )
        else:
            event_emit(
                type="observation.pending",
                data=observation_for_console(observation),
                groups=_moderation_groups(observation),
                observation=observation,
            )
    return observation


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
                groups=_moderation_groups(locked),
                observation=locked,
            )
    return addition


def observation_addition_review(
    *, addition: ObservationAddition, actor: User, approve: bool, redacted_text: str | None = None
) -> ObservationAddition:
    """A moderator lets a follow-up reach the police, as written or redacted (`redacted_text`), or keeps
    it back. The police read only approved follow-ups, in their redacted form when there is one."""
    observation = addition.observation
    _require_moderator(actor, observation.commune_id)
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
            groups=_moderation_groups(observation),
            observation=observation,
        )
        if approve:
            for dispatch in observation.dispatches.filter(status__in=OPEN_DISPATCH).select_related(
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
    _require_moderator(actor, observation.commune_id)
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
        event_emit(
            type="observation.claimed",
            data=observation_for_console(current),
            groups=_moderation_groups(current),
            observation=current,
        )
    return current


def observation_release(*, observation: Observation, actor: User) -> Observation:
    _require_moderator(actor, observation.commune_id)
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
        event_emit(
            type="observation.released",
            data=observation_for_console(current),
            groups=_moderation_groups(current),
            observation=current,
        )
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


def _agencies_data(agencies: Iterable[Agency]) -> list[dict[str, Any]]:
    return [{"id": agency.pk, "name": agency.name, "kind": agency.kind} for agency in agencies]


def _ack_deadline(agency: Agency, observation: Observation, now: datetime) -> datetime:
    minutes = agency.ack_minutes_in_progress if observation.in_progress else agency.ack_minutes
    return now + timedelta(minutes=minutes)


def _dispatch_create(
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


def _dispatch(
    observation: Observation, *, agencies: Sequence[Agency], actor: User | None, reason: str
) -> list[Dispatch]:
    """Sends an approved observation to its agencies and tells the author."""
    dispatches = [_dispatch_create(observation, agency, actor=actor) for agency in agencies]
    _set_status(observation, actor=actor, to=Observation.Status.DISPATCHED, reason=reason)
    _tell_author(
        observation,
        kind="alerts.observation.dispatched",
        body=_("Votre signalement %(ref)s a été transmis à %(to)s. Merci.")
        % {"ref": observation.reference, "to": agency_kinds_label([agency.kind for agency in agencies])},
    )
    return dispatches


def _clean_agencies(observation: Observation, agencies: Iterable[Any]) -> list[Agency]:
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


def observation_approve(
    *,
    observation: Observation,
    actor: User,
    category: str | Category | None = None,
    redacted_description: str | None = None,
    agencies: Sequence[int | Agency] | None = None,
) -> Observation:
    """Approves (optionally recategorised and redacted) and dispatches at once to the agencies
    chosen, or to those routing suggests."""
    _require_moderator(actor, observation.commune_id)
    new_category = _clean_category(observation.commune, category) if category not in (None, "") else None
    redacted = (
        text_clean(redacted_description, field="redacted_description", required=False)
        if redacted_description is not None
        else None
    )
    chosen = _clean_agencies(observation, agencies) if agencies else None
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
        _dispatch(locked, agencies=targets, actor=actor, reason="moderation")
        audit_record(
            actor=actor,
            action="observation.approved",
            target=locked,
            fields=fields,
            extra={"agencies": [agency.pk for agency in targets]},
        )
        event_emit(
            type="observation.approved",
            data={**observation_for_console(locked), "agencies": _agencies_data(targets)},
            groups=_moderation_groups(locked),
            observation=locked,
        )
    return locked


def observation_reject(*, observation: Observation, actor: User, reason: str, note: str = "") -> Observation:
    """Rejects with a reason from the list; the author is told (the note, if any, is addressed to them)."""
    _require_moderator(actor, observation.commune_id)
    if reason not in Observation.RejectReason.values:
        raise ApplicationError(_("Motif inconnu."), field="reason")
    clean_note = text_clean(note, field="note", required=False, limit=MAX_NOTE)
    with transaction.atomic():
        locked = _lock_for_decision(observation, actor)
        locked.reject_reason = reason
        locked.reject_note = clean_note
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        _set_status(
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
        _tell_author(locked, kind="alerts.observation.rejected", body=body)
        if locked.author_id:
            _count_rejection(locked, actor)
        event_emit(
            type="observation.rejected",
            data={**observation_for_console(locked), "reason": reason},
            groups=_moderation_groups(locked),
            observation=locked,
        )
    return locked


def _count_rejection(observation: Observation, actor: User) -> None:
    standing, _created = SenderStanding.objects.get_or_create(user_id=observation.author_id or 0)
    SenderStanding.objects.filter(pk=standing.pk).update(rejections=F("rejections") + 1)
    standing.refresh_from_db()
    if standing.rejections >= REJECTIONS_BEFORE_FLAG and standing.flagged_at is None:
        standing.flagged_at = timezone.now()
        standing.save(update_fields=["flagged_at"])
        audit_record(
            actor=actor,
            action="sender.flagged",
            target=standing,
            extra={"user": observation.author_id, "rejections": standing.rejections},
        )
        event_emit(
            type="sender.flagged",
            data={
                "user_id": observation.author_id,
                "rejections": standing.rejections,
                "name": observation.author.display_name if observation.author else "",
            },
            # It names the sender: moderators only, never the commune's police consoles.
            groups=_moderation_groups(observation),
        )


def observation_merge(*, observation: Observation, actor: User, into: Observation | int) -> Observation:
    """Marks a duplicate of another observation of the commune; the author is told."""
    _require_moderator(actor, observation.commune_id)
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
        _set_status(
            locked,
            actor=actor,
            to=Observation.Status.MERGED,
            reason="duplicate",
            note=target.reference,
            extra_fields=["merged_into", "decided_by", "decided_at"],
        )
        audit_record(actor=actor, action="observation.merged", target=locked, extra={"into": target.pk})
        _tell_author(
            locked,
            kind="alerts.observation.merged",
            body=_("Votre signalement %(ref)s rejoint un signalement déjà reçu sur les mêmes faits. Merci.")
            % {"ref": locked.reference},
        )
        event_emit(
            type="observation.merged",
            data={
                **observation_for_console(locked),
                "into": {"id": target.pk, "reference": target.reference},
            },
            groups=_moderation_groups(locked),
            observation=locked,
        )
    return locked


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


def _dispatch_event(
    type: str, dispatch: Dispatch, extra: dict[str, Any] | None = None, groups: Iterable[str] = ()
) -> None:
    event = event_emit(
        type=type,
        data={**dispatch_for_console(dispatch), **(extra or {})},
        groups=[*access.dispatch_event_groups(dispatch), *groups],
        observation=dispatch.observation_id,
    )
    agency_webhook_enqueue(dispatch=dispatch, event=event)


def _observation_follow(observation: Observation, *, actor: User | None) -> None:
    """Moves the observation after its dispatches: acknowledged at the first one, closed after the last."""
    observation.refresh_from_db()
    statuses = list(observation.dispatches.values_list("status", flat=True))
    open_ = [status for status in statuses if status in OPEN_DISPATCH]
    if (
        observation.status in (Observation.Status.DISPATCHED, Observation.Status.ACKNOWLEDGED)
        and statuses
        and not open_
    ):
        _set_status(observation, actor=actor, to=Observation.Status.CLOSED, reason="dispatch_closed")
        _tell_author(
            observation,
            kind="alerts.observation.closed",
            body=_("Votre signalement %(ref)s est clôturé. Merci pour votre vigilance.")
            % {"ref": observation.reference},
        )
        event_emit(
            type="observation.closed",
            data=observation_for_console(observation),
            groups=_moderation_groups(observation),
            observation=observation,
        )
    elif observation.status == Observation.Status.DISPATCHED and Dispatch.Status.ACKNOWLEDGED in statuses:
        _set_status(
            observation, actor=actor, to=Observation.Status.ACKNOWLEDGED, reason="dispatch_acknowledged"
        )
        _tell_author(
            observation,
            kind="alerts.observation.acknowledged",
            body=_("Votre signalement %(ref)s a été pris en compte par les forces de l'ordre.")
            % {"ref": observation.reference},
        )


def _acknowledge_locked(dispatch: Dispatch, actor: User) -> None:
    now = timezone.now()
    dispatch.status = Dispatch.Status.ACKNOWLEDGED
    dispatch.acknowledged_at = now
    dispatch.acknowledged_by = actor
    dispatch.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    audit_record(actor=actor, action="dispatch.acknowledged", target=dispatch)
    _dispatch_event("dispatch.acknowledged", dispatch)
    _observation_follow(dispatch.observation, actor=actor)


def dispatch_acknowledge(*, dispatch: Dispatch, actor: User) -> Dispatch:
    _require_police(actor, dispatch)
    with transaction.atomic():
        locked = _lock_dispatch(dispatch)
        if locked.status != Dispatch.Status.SENT:
            raise Conflict(
                _("Cette transmission est déjà %(status)s.") % {"status": locked.get_status_display()}
            )
        _acknowledge_locked(locked, actor)
    return locked


def dispatch_assign(*, dispatch: Dispatch, actor: User, assignee: User | int) -> Dispatch:
    _require_police(actor, dispatch)
    assignee_id = assignee.pk if isinstance(assignee, User) else assignee
    person = dispatch.agency.members.filter(pk=assignee_id, is_active=True).first()
    if person is None:
        raise ApplicationError(_("Cette personne n'est pas un opérateur du service."), field="assignee")
    with transaction.atomic():
        locked = _lock_dispatch(dispatch)
        if locked.status not in OPEN_DISPATCH:
            raise Conflict(
                _("Cette transmission est déjà %(status)s.") % {"status": locked.get_status_display()}
            )
        if locked.status == Dispatch.Status.SENT:
            _acknowledge_locked(locked, actor)
        locked.assignee = person
        locked.save(update_fields=["assignee"])
        audit_record(actor=actor, action="dispatch.assigned", target=locked, extra={"assignee": person.pk})
        _dispatch_event("dispatch.assigned", locked)
    return locked


def dispatch_add_note(*, dispatch: Dispatch, actor: User, text: str) -> DispatchNote:
    _require_police(actor, dispatch)
    clean = text_clean(text, field="text")
    with transaction.atomic():
        locked = _lock_dispatch(dispatch)
        note = DispatchNote.objects.create(dispatch=locked, author=actor, text=clean)
        audit_record(actor=actor, action="dispatch.noted", target=locked, extra={"note": note.pk})
        _dispatch_event(
            "dispatch.noted",
            locked,
            {
                "note": {
                    "id": note.pk,
                    "text": clean,
                    "author": {"id": actor.pk, "name": actor.display_name},
                    "created_at": note.created_at.isoformat(),
                },
            },
        )
    return note


def dispatch_handover(*, dispatch: Dispatch, actor: User, agency: Agency | int, note: str) -> Dispatch:
    """Hands the observation over to another agency serving the commune; returns the new dispatch."""
    _require_police(actor, dispatch)
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
        if locked.status not in OPEN_DISPATCH:
            raise Conflict(
                _("Cette transmission est déjà %(status)s.") % {"status": locked.get_status_display()}
            )
        existing = Dispatch.objects.filter(observation_id=locked.observation_id, agency=target).first()
        if existing is not None and existing.status in OPEN_DISPATCH:
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
            _dispatch_event("dispatch.created", new)
        else:
            new = _dispatch_create(locked.observation, target, actor=actor, source=locked)
        DispatchNote.objects.create(dispatch=new, author=actor, text=clean)
        audit_record(
            actor=actor,
            action="dispatch.handed_over",
            target=locked,
            extra={"to_agency": target.pk, "new_dispatch": new.pk},
        )
        _dispatch_event(
            "dispatch.handed_over",
            locked,
            {
                "to_agency": {"id": target.pk, "name": target.name, "kind": target.kind},
                "new_dispatch_id": new.pk,
                "note": clean,
            },
            groups=[agency_group(target.pk), *_moderation_groups(locked.observation)],
        )
    return new


def dispatch_close(*, dispatch: Dispatch, actor: User, outcome: str) -> Dispatch:
    _require_police(actor, dispatch)
    if outcome not in Dispatch.Outcome.values:
        raise ApplicationError(_("Issue inconnue."), field="outcome")
    with transaction.atomic():
        locked = _lock_dispatch(dispatch)
        if locked.status not in OPEN_DISPATCH:
            raise Conflict(
                _("Cette transmission est déjà %(status)s.") % {"status": locked.get_status_display()}
            )
        now = timezone.now()
        if locked.acknowledged_at is None:
            locked.acknowledged_at = now
            locked.acknowledged_by = actor
        locked.status = Dispatch.Status.CLOSED
        locked.closed_at = now
        locked.closed_by = actor
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
        _dispatch_event("dispatch.closed", locked, groups=_moderation_groups(locked.observation))
        observation = locked.observation
        observation.refresh_from_db()
        if observation.status == Observation.Status.DISPATCHED:
            _observation_follow(observation, actor=actor)  # → acknowledged (it was handled)
        _observation_follow(observation, actor=actor)
    return locked


# --- escalation (periodic job) -----------------------------------------------------------------


def dispatches_escalate(*, now: datetime | None = None, limit: int = 200) -> int:
    """Escalates dispatches not acknowledged in time: flag + event, SMS to the duty phone, and a dispatch
    to the commune's fallback agency. A conditional update claims each row: safe with several workers."""
    now = now or timezone.now()
    due = list(
        Dispatch.objects.filter(status=Dispatch.Status.SENT, escalated_at=None, ack_deadline__lt=now)
        .order_by("ack_deadline")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in due:
        with transaction.atomic():
            won = Dispatch.objects.filter(pk=pk, status=Dispatch.Status.SENT, escalated_at=None).update(
                escalated_at=now
            )
            if not won:
                continue
            dispatch = Dispatch.objects.select_related(
                "agency", "observation", "observation__category", "observation__sector", "assignee"
            ).get(pk=pk)
            observation = dispatch.observation
            audit_record(actor=None, action="dispatch.escalated", target=dispatch)
            if dispatch.agency.duty_phone:
                duty_sms = deliveries_enqueue(
                    [
                        Outgoing(
                            channel=Delivery.Channel.SMS,
                            kind="alerts.dispatch.escalated",
                            address=dispatch.agency.duty_phone,
                            body=_(
                                "Vigie : le signalement %(ref)s (%(category)s%(progress)s) attend d'être pris "
                                "en compte."
                            )
                            % {
                                "ref": observation.reference,
                                "category": observation.category.label,
                                "progress": _(", en cours") if observation.in_progress else "",
                            },
                            source=f"alerts.dispatch:{dispatch.pk}",
                            priority=Delivery.Priority.HIGH,
                        )
                    ]
                )
                deliveries_link(duty_sms, observation=observation, agency=dispatch.agency)
            fallback = None
            settings_row = (
                CommuneAlertSettings.objects.filter(commune_id=observation.commune_id)
                .select_related("fallback_agency")
                .first()
            )
            if settings_row and settings_row.fallback_agency and settings_row.fallback_agency.is_active:
                candidate = settings_row.fallback_agency
                if not Dispatch.objects.filter(observation=observation, agency=candidate).exists():
                    fallback = _dispatch_create(observation, candidate, actor=None, source=dispatch)
            _dispatch_event(
                "dispatch.escalated",
                dispatch,
                {
                    "fallback_dispatch_id": fallback.pk if fallback else None,
                    "fallback_agency": _agencies_data([fallback.agency])[0] if fallback else None,
                },
                groups=_moderation_groups(observation),
            )
            done += 1
    return done


# --- commune switches and senders --------------------------------------------------------------


def emergency_mode_set(
    *, commune: Commune, actor: User, active: bool, categories: Sequence[str | Category] = (), reason: str
) -> CommuneAlertSettings:
    """The emergency watch cell's switch: while on, the chosen categories skip moderation."""
    if not access.may_set_emergency(actor, commune.pk):
        raise Forbidden(_("Seuls les modérateurs de la commune peuvent faire cela."))
    clean_reason = text_clean(reason, field="reason", limit=500)
    rows = [_clean_category(commune, item) for item in categories]
    if active and not rows:
        raise ApplicationError(_("Choisissez au moins une catégorie."), field="categories")
    with transaction.atomic():
        settings_row = commune_settings(commune=commune)
        settings_row = CommuneAlertSettings.objects.select_for_update().get(pk=settings_row.pk)
        settings_row.emergency_active = active
        settings_row.emergency_reason = clean_reason
        settings_row.emergency_changed_by = actor
        settings_row.emergency_changed_at = timezone.now()
        settings_row.save()
        settings_row.emergency_categories.set(rows if active else [])
        slugs = [row.slug for row in rows] if active else []
        audit_record(
            actor=actor,
            action="emergency_mode.changed",
            target=settings_row,
            extra={"active": active, "categories": slugs},
        )
        event_emit(
            type="emergency_mode.changed",
            data={
                "commune_id": commune.pk,
                "active": active,
                "categories": slugs,
                "reason": clean_reason,
                "changed_by": {"id": actor.pk, "name": actor.display_name},
                "changed_at": settings_row.emergency_changed_at.isoformat()
                if settings_row.emergency_changed_at
                else None,
            },
            groups=access.commune_staff_event_groups(commune.pk),
        )
    return settings_row


def sender_block(*, user: User, actor: User, reason: str) -> SenderStanding:
    """Blocks a sender: their reports are still kept, but never reach the queue nor the police."""
    if user.commune_id is None:
        raise NotFound(_("Expéditeur introuvable."))
    _require_moderator(actor, user.commune_id)
    if user.role not in Role.REPORTING:
        raise ApplicationError(
            _("Seuls les référents et les commerçants peuvent être bloqués."), field="user"
        )
    clean_reason = text_clean(reason, field="reason", limit=500)
    with transaction.atomic():
        standing, _created = SenderStanding.objects.select_for_update().get_or_create(user=user)
        if standing.blocked_at is not None:
            raise Conflict(_("Cet expéditeur est déjà bloqué."))
        standing.blocked_at = timezone.now()
        standing.blocked_by = actor
        standing.block_reason = clean_reason
        standing.save(update_fields=["blocked_at", "blocked_by", "block_reason"])
        held = Observation.objects.filter(author=user, status=Observation.Status.PENDING).update(
            quarantined=True
        )
        audit_record(
            actor=actor, action="sender.blocked", target=standing, extra={"user": user.pk, "held": held}
        )
        event_emit(
            type="sender.blocked",
            data={"user_id": user.pk, "held": held},
            groups=access.moderation_event_groups(user.commune_id),
        )
    return standing


def sender_unblock(*, user: User, actor: User) -> SenderStanding:
    if user.commune_id is None:
        raise NotFound(_("Expéditeur introuvable."))
    _require_moderator(actor, user.commune_id)
    with transaction.atomic():
        standing = (
            SenderStanding.objects.select_for_update().filter(user=user, blocked_at__isnull=False).first()
        )
        if standing is None:
            raise Conflict(_("Cet expéditeur n'est pas bloqué."))
        standing.blocked_at = None
        standing.blocked_by = None
        standing.block_reason = ""
        standing.rejections = 0
        standing.flagged_at = None
        standing.save()
        audit_record(actor=actor, action="sender.unblocked", target=standing, extra={"user": user.pk})
    return standing
