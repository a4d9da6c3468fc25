"""The one intake of every channel: checks, photos, reference, moderation queue or immediate dispatch."""

import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.emergency_selectors import emergency_sector_covers
from alerts.intake_sql import intake_category_rows, intake_place
from alerts.models import (
    Agency,
    Category,
    Channel,
    Observation,
    ObservationPhoto,
    ObservationTransition,
)
from alerts.photos import CleanPhoto, photo_clean, photos_check_count
from alerts.registry import SubmitterVerdict, submitter_rule
from alerts.selectors import (
    category_by_slug,
    routing_agencies,
)
from alerts.services.common import CLOCK_SKEW, MAX_AGE, MAX_PLACE, observation_event_emit, text_clean
from alerts.services.dispatch import agencies_data, observation_dispatch
from alerts.services.references import (
    reference_allocate,
    reference_assign,
    reference_late,
    reference_provisional,
)
from backend.accounts.models import Role, User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Forbidden
from backend.core.fastpaths.prefetch import prime_related
from backend.territory.models import Commune, Sector
from backend.territory.nearest_sql import address_nearest
from backend.territory.selectors import commune_holds, sector_holding

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


def _officer_agencies(observation: Observation) -> list[Agency]:
    """What an officer saw on patrol goes where routing sends it, and always to the commune's police
    municipale (its patrols made the observation)."""
    found = {agency.pk: agency for agency in routing_agencies(observation=observation)}
    for agency in Agency.objects.filter(
        communes=observation.commune_id, kind=Agency.Kind.POLICE_MUNICIPALE, is_active=True
    ).order_by("pk"):
        found.setdefault(agency.pk, agency)
    return list(found.values())


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


MAX_ACCURACY_M = 10_000


def _clean_accuracy(value: Any, *, located: bool) -> int | None:
    """The position's uncertainty in whole metres (rounded up), only beside coordinates."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ApplicationError(_("Nombre de mètres attendu."), field="accuracy")
    if not (0 <= value <= MAX_ACCURACY_M):
        raise ApplicationError(
            _("La précision doit être comprise entre 0 et %(max)d mètres.") % {"max": MAX_ACCURACY_M},
            field="accuracy",
        )
    if not located:
        raise ApplicationError(_("Une précision ne se donne qu'avec des coordonnées."), field="accuracy")
    return math.ceil(value)


def category_clean(commune: Commune, value: Any) -> Category:
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
    accuracy: float | None = None,
    place: str | None = None,
    patrol_commune: int | None = None,
) -> Observation:
    """The one intake of every channel (app, SMS, web form): validates, stores, routes or queues.

    `patrol_commune`: an officer's observation on patrol in that commune (the holiday watch's anomalies):
    no moderation (the author is the police), dispatched at once (`_officer_agencies`)."""
    if channel not in Channel.values:
        raise ApplicationError(_("Canal inconnu."), field="channel")
    if not author.is_active:
        raise Forbidden(_("Ce compte est désactivé."))
    if patrol_commune is not None:
        if not access.may_patrol(author, patrol_commune):
            raise Forbidden(_("Seules les patrouilles de la commune peuvent signaler une anomalie."))
        verdict = SubmitterVerdict(allowed=True, trusted=True)
    else:
        verdict = _verdict_for(author)
    if not verdict.allowed:
        raise Forbidden(verdict.reason or _("Vous ne pouvez pas envoyer de signalement pour le moment."))
    commune_id = author.commune_id if patrol_commune is None else patrol_commune
    if commune_id is None:
        raise ApplicationError(_("Votre compte n'est rattaché à aucune commune."))
    text = text_clean(description, field="description")
    category_row, blocked, emergency = _intake_category(author=author, commune_id=commune_id, value=category)
    when = _clean_occurred_at(occurred_at)
    commune, lat, lon, sector_row = _clean_place(
        commune_id=commune_id, latitude=latitude, longitude=longitude, sector=sector
    )
    if emergency:  # the open activation may cover some sectors only (rare: one more query then)
        emergency = emergency_sector_covers(
            commune_id=commune_id, sector_id=sector_row.pk if sector_row else None
        )
    uncertainty = _clean_accuracy(accuracy, located=lat is not None)
    place_text = text_clean(place, field="place", required=False, limit=MAX_PLACE)
    nearest = (
        address_nearest(
            commune_id=commune.pk,
            latitude=lat,
            longitude=lon,
            max_distance=settings.ADDRESS_MAX_DISTANCE_METRES,
        )
        if lat is not None and lon is not None
        else None
    )
    if not isinstance(in_progress, bool):
        raise ApplicationError(_("Vrai ou faux attendu."), field="in_progress")
    photos = list(photos)
    photos_check_count(photos)
    # CPU work before the transaction: no lock is held while images are decoded.
    cleaned: list[CleanPhoto] = [photo_clean(upload, position=index) for index, upload in enumerate(photos)]

    late_reference = reference_late()
    with _intake_transaction():
        observation = Observation(
            commune=commune,
            reference=reference_provisional() if late_reference else reference_allocate(commune),
            author=author,
            channel=channel,
            category=category_row,
            description=text,
            occurred_at=when,
            latitude=lat,
            longitude=lon,
            accuracy=uncertainty,
            address=nearest.label if nearest else "",
            address_distance=nearest.distance if nearest else None,
            place=place_text,
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
        prime_related(observation, "photos", created_photos)
        prime_related(observation, "transitions", [first])
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
            reference_assign(observation, commune)
        if blocked:
            return observation

        auto = ""
        if patrol_commune is not None:
            auto = "patrol"
        elif emergency:
            auto = "emergency"
        elif verdict.trusted and category_row.routine:
            auto = "trusted"
        if auto == "patrol":
            agencies = _officer_agencies(observation)
        else:
            agencies = routing_agencies(observation=observation) if auto else []
        if auto and agencies:
            observation.auto_approved = auto
            observation.save(update_fields=["auto_approved"])
            observation_dispatch(observation, agencies=agencies, actor=None, reason=auto)
            observation_event_emit(
                "observation.approved", observation, {"agencies": agencies_data(agencies), "auto": auto}
            )
        else:
            observation_event_emit("observation.pending", observation)
    return observation
