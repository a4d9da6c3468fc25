"""Writes of the holiday watch: a request (web form or referents' app), its cancellation or shortening,
and a patrol's pass (an anomaly becomes an observation routed to the police and an SMS to the resident)."""

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.services import observation_submit
from alerts.services.common import text_clean
from backend.accounts.models import User
from backend.accounts.phone import normalize_phone
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Forbidden
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, delivery_enqueue
from backend.territory.models import Address, Commune, Sector
from backend.territory.selectors import sector_for_point
from neighbours.holiday_watch.models import ANOMALY_CATEGORIES, PatrolPass, WatchRequest
from neighbours.holiday_watch.selectors import earliest_start, requests_of_person

# A watch longer than this is not a holiday: the town sees the resident instead.
MAX_ABSENCE = timedelta(days=92)
_NUMBERED = re.compile(r"^\s*(\d+)\s*(bis|ter|quater|[a-z])?\b[\s,]*(.+)$", re.IGNORECASE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def address_match(*, commune: Commune, text: str) -> Address | None:
    """The commune's imported address (BAN) a typed one names: « 12 bis chemin de la Gavotte[, 13170 …] »,
    number, repetition index and street compared without case or accents. None when nothing matches."""
    head = text.split(",", 1)[0]
    found = _NUMBERED.match(head)
    if found is None:
        return None
    number, rep, street = int(found.group(1)), _fold(found.group(2) or ""), _fold(found.group(3))
    candidates = Address.objects.filter(commune=commune, number=number)
    for address in candidates.only(
        "pk", "rep", "street", "latitude", "longitude", "postcode", "commune_name"
    ):
        if _fold(address.street) == street and _fold(address.rep) == rep:
            return address
    return None


def _place(commune: Commune, text: str, sector: Sector | None) -> tuple[str, Address | None, Sector | None]:
    """The address as the BAN spells it and the sector its position falls in; else the text as typed and
    the sector the person chose (None: the patrols sort it by hand)."""
    if sector is not None and sector.commune_id != commune.pk:
        raise ApplicationError(_("Secteur inconnu dans cette commune."), field="sector")
    matched = address_match(commune=commune, text=text)
    if matched is None:
        if sector is None and Sector.objects.filter(commune=commune).exists():
            raise ApplicationError(
                _("Adresse introuvable dans la commune : choisissez votre secteur."), field="sector"
            )
        return text, None, sector
    found = sector_for_point(commune=commune, latitude=matched.latitude, longitude=matched.longitude)
    return matched.label, matched, found or sector


def _dates(start: date, end: date, *, now: datetime) -> None:
    earliest = earliest_start(now=now)
    if start < earliest:
        raise ApplicationError(
            _(
                "La demande doit nous parvenir au moins %(hours)d heures avant le départ : le départ peut "
                "être le %(date)s au plus tôt."
            )
            % {
                "hours": settings.HOLIDAY_WATCH_MIN_NOTICE_HOURS,
                "date": formats.date_format(earliest, "DATE_FORMAT"),
            },
            field="start",
        )
    if end < start:
        raise ApplicationError(_("Le retour ne peut pas précéder le départ."), field="end")
    if end - start > MAX_ABSENCE:
        raise ApplicationError(
            _("Une absence de plus de %(days)d jours se voit avec la police municipale.")
            % {"days": MAX_ABSENCE.days},
            field="end",
        )


def watch_request_create(
    *,
    commune: Commune,
    phone: str,
    channel: str,
    address: str,
    start: date,
    end: date,
    alarm: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    visitors: str = "",
    keys_left_with: str = "",
    burglary_alerts: bool = False,
    sector: Sector | None = None,
    requester: User | None = None,
    ip: str | None = None,
) -> WatchRequest:
    """Records a request whose phone was proved (an SMS code, or the referent's account). Refused when it
    comes less than the notice before departure, with the earliest possible date."""
    now = timezone.now()
    _dates(start, end, now=now)
    typed = text_clean(address, field="address", limit=300)
    label, matched, placed = _place(commune, typed, sector)
    contact = text_clean(contact_phone, field="contact_phone", required=False, limit=40)
    with transaction.atomic():
        request = WatchRequest.objects.create(
            commune=commune,
            sector=placed,
            requester=requester,
            channel=channel,
            phone=normalize_phone(phone),
            address=label[:300],
            address_ref=matched,
            start=start,
            end=end,
            alarm=alarm,
            contact_name=text_clean(contact_name, field="contact_name", required=False, limit=120),
            contact_phone=normalize_phone(contact, field="contact_phone") if contact else "",
            visitors=text_clean(visitors, field="visitors", required=False, limit=500),
            keys_left_with=text_clean(keys_left_with, field="keys_left_with", required=False, limit=200),
            burglary_alerts=burglary_alerts,
        )
        audit_record(
            actor=requester,
            action="holiday_watch.requested",
            target=request,
            extra={
                "channel": channel,
                "sector": placed.pk if placed else None,
                "matched": matched is not None,
            },
            ip=ip,
        )
    return request


def _editable(request: WatchRequest, today: date) -> None:
    if request.status != WatchRequest.Status.ACTIVE or request.end < today:
        raise ApplicationError(_("Cette demande est déjà annulée ou terminée."), field="request")


def watch_request_cancel(
    *, request: WatchRequest, actor: User | None = None, ip: str | None = None
) -> WatchRequest:
    """Cancels a request (its owner: the caller found it among theirs)."""
    with transaction.atomic():
        locked = WatchRequest.objects.select_for_update().get(pk=request.pk)
        _editable(locked, timezone.localdate())
        locked.status = WatchRequest.Status.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "cancelled_at"])
        audit_record(actor=actor, action="holiday_watch.cancelled", target=locked, ip=ip)
    return locked


def watch_request_shorten(
    *, request: WatchRequest, end: date, actor: User | None = None, ip: str | None = None
) -> WatchRequest:
    """An earlier return: the watch (and the clock of its retention) ends that day."""
    with transaction.atomic():
        locked = WatchRequest.objects.select_for_update().get(pk=request.pk)
        today = timezone.localdate()
        _editable(locked, today)
        if end >= locked.end:
            raise ApplicationError(_("La nouvelle date de retour doit précéder l'ancienne."), field="end")
        if end < max(locked.start, today):
            raise ApplicationError(
                _("La date de retour ne peut pas précéder le départ ni aujourd'hui : annulez plutôt."),
                field="end",
            )
        locked.end = end
        locked.save(update_fields=["end"])
        audit_record(actor=actor, action="holiday_watch.shortened", target=locked, fields=["end"], ip=ip)
    return locked


def patrol_pass_record(
    *,
    request: WatchRequest,
    officer: User,
    outcome: str,
    note: str = "",
    at: datetime | None = None,
    category: str = ANOMALY_CATEGORIES[0],
    photos: Sequence[UploadedFile] = (),
    ip: str | None = None,
) -> PatrolPass:
    """A patrol's pass in front of a watched home. An anomaly files an observation in the officer's name
    (no moderation; routed to the police municipale, alerts' intake) and texts the resident."""
    if not access.may_patrol(officer, request.commune_id):
        raise Forbidden(_("Seules les patrouilles de la commune notent les passages."))
    if outcome not in PatrolPass.Outcome.values:
        raise ApplicationError(_("Constat inconnu : « RAS » ou anomalie."), field="outcome")
    when = at or timezone.now()
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > timezone.now() + timedelta(minutes=5):
        raise ApplicationError(_("Le passage ne peut pas être dans le futur."), field="at")
    text = text_clean(note, field="note", required=outcome == PatrolPass.Outcome.ANOMALY, limit=2000)
    if outcome == PatrolPass.Outcome.NOTHING and photos:
        raise ApplicationError(_("Les photos accompagnent une anomalie."), field="photos")
    if category not in ANOMALY_CATEGORIES:
        raise ApplicationError(_("Catégorie inconnue."), field="category")
    if request.status != WatchRequest.Status.ACTIVE:
        raise Forbidden(_("Cette demande est annulée."))
    with transaction.atomic():
        observation = None
        if outcome == PatrolPass.Outcome.ANOMALY:
            observation = observation_submit(
                author=officer,
                channel="web",
                category=category,
                description=_("Tranquillité vacances, anomalie au domicile surveillé : %(note)s")
                % {"note": text},
                occurred_at=when,
                latitude=request.address_ref.latitude if request.address_ref else None,
                longitude=request.address_ref.longitude if request.address_ref else None,
                sector=None if request.address_ref else request.sector,
                place=request.address,
                photos=photos,
                ip=ip,
                patrol_commune=request.commune_id,
            )
        row = PatrolPass.objects.create(
            request=request, officer=officer, at=when, outcome=outcome, note=text, observation=observation
        )
        audit_record(
            actor=officer,
            action="holiday_watch.passed",
            target=row,
            extra={"outcome": outcome, "observation": observation.pk if observation else None},
            ip=ip,
        )
        if observation is not None:
            delivery_enqueue(
                Outgoing(
                    channel=Delivery.Channel.SMS,
                    kind="holiday_watch.anomaly",
                    body=_(
                        "%(commune)s - Tranquillité vacances : lors de son passage le %(when)s, la police "
                        "municipale a constaté une anomalie à votre domicile. Elle va vous contacter ; "
                        "référence %(ref)s."
                    )
                    % {
                        "commune": request.commune.name,
                        "when": formats.date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT"),
                        "ref": observation.reference,
                    },
                    address=request.phone,
                    source=f"holiday_watch:{request.pk}",
                    priority=Delivery.Priority.HIGH,
                )
            )
    return row


def holiday_watch_data_erase(user: User) -> None:
    """Personal-data eraser (registered with the kernel): the person's watches end and go, with their passes
    (an observation an anomaly made stays, as every observation does)."""
    requests_of_person(user).delete()
