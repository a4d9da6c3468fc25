"""Writes of the video-protection register: requests for footage, their refusal, extractions and their
destruction. Every write is audited; extractions and destructions are only ever appended."""

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.models import Observation
from alerts.video import selectors
from alerts.video.models import Camera, Destruction, Extraction, FootageRequest
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Forbidden, NotFound

SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_FILES = 200


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def _cameras(actor: User, camera_ids: Sequence[int]) -> list[Camera]:
    ids = set(camera_ids)
    cameras = list(access.cameras_visible(actor).filter(pk__in=ids, is_active=True))
    if not ids or len(cameras) != len(ids):
        raise ApplicationError(
            _("Choisissez des caméras en service de la liste de la commune."), field="cameras"
        )
    if len({camera.commune_id for camera in cameras}) != 1:
        raise ApplicationError(_("Une demande porte sur les caméras d'une seule commune."), field="cameras")
    return cameras


def _window(start: datetime, end: datetime, now: datetime) -> None:
    """The window's own rules (a 400 without a trace): in order, within the longest window, in the past."""
    if end <= start:
        raise ApplicationError(_("La fin des images doit suivre leur début."), field="end")
    hours = settings.VIDEO_REQUEST_MAX_HOURS
    if end - start > timedelta(hours=hours):
        raise ApplicationError(
            _("Une demande porte sur %(hours)s heures d'images au plus : divisez-la.") % {"hours": hours},
            field="end",
        )
    if end > now:
        raise ApplicationError(_("Les images demandées ne peuvent pas être dans le futur."), field="end")


def _observation(actor: User, observation_id: int | None, commune_id: int) -> Observation | None:
    if observation_id is None:
        return None
    observation = Observation.objects.filter(pk=observation_id, commune_id=commune_id).first()
    if observation is None or not access.observation_linkable(actor, observation):
        raise ApplicationError(_("Signalement introuvable pour cette commune."), field="observation")
    return observation


def footage_request_create(
    *,
    actor: User,
    agency_id: int,
    officer_name: str,
    officer_is_opj: bool,
    kind: str,
    requisition_reference: str = "",
    motive: str = "",
    camera_ids: Sequence[int],
    start: datetime,
    end: datetime,
    observation_id: int | None = None,
    ip: str | None = None,
) -> FootageRequest:
    """Records a request for footage. Footage older than the recorders keep (VIDEO_FOOTAGE_RETENTION_DAYS)
    no longer exists: the request is written in the register as refused, with its reason, and the caller
    gets that reason as an error."""
    now = timezone.now()
    officer_name = officer_name.strip()
    requisition_reference = requisition_reference.strip()
    if not officer_name:
        raise ApplicationError(_("Indiquez l'agent requérant."), field="officer_name")
    if kind == FootageRequest.Kind.JUDICIAL:
        if not requisition_reference:
            raise ApplicationError(
                _("Une demande judiciaire exige la référence de la réquisition."),
                field="requisition_reference",
            )
        if not officer_is_opj:
            raise ApplicationError(
                _("Une réquisition judiciaire émane d'un officier de police judiciaire."),
                field="officer_is_opj",
            )
    cameras = _cameras(actor, camera_ids)
    commune_id = cameras[0].commune_id
    if not access.footage_request_agencies(actor, commune_id).filter(pk=agency_id).exists():
        raise ApplicationError(
            _("Vous ne pouvez pas demander d'images au nom de ce service."), field="agency"
        )
    _window(start, end, now)
    observation = _observation(actor, observation_id, commune_id)
    oldest = now - timedelta(days=settings.VIDEO_FOOTAGE_RETENTION_DAYS)
    refusal = ""
    if start < oldest:
        refusal = _(
            "Images trop anciennes : elles ne sont conservées que %(days)s jours (les plus anciennes "
            "disponibles datent du %(oldest)s)."
        ) % {"days": settings.VIDEO_FOOTAGE_RETENTION_DAYS, "oldest": _local(oldest)}
    with transaction.atomic():
        request = FootageRequest.objects.create(
            commune_id=commune_id,
            agency_id=agency_id,
            officer_name=officer_name,
            officer_is_opj=officer_is_opj,
            kind=kind,
            requisition_reference=requisition_reference,
            motive=motive.strip(),
            start=start,
            end=end,
            observation=observation,
            status=FootageRequest.Status.REFUSED if refusal else FootageRequest.Status.PENDING,
            refusal_reason=refusal,
            decided_at=now if refusal else None,
            created_by=actor,
            created_at=now,
        )
        request.cameras.set(cameras)
        audit_record(
            actor=actor,
            action="video.request_refused" if refusal else "video.request_created",
            target=request,
            extra={"cameras": sorted(camera.pk for camera in cameras)},
            ip=ip,
        )
    if refusal:
        # Written in the register (the committee counts refusals), and said to the requester.
        raise ApplicationError(refusal, field="start")
    return request


def _handled(actor: User, request_id: int) -> FootageRequest:
    request = access.footage_requests_handled(actor).select_for_update().filter(pk=request_id).first()
    if request is None:
        raise NotFound(_("Demande introuvable."))
    return request


def footage_request_refuse(
    *, actor: User, request_id: int, reason: str, ip: str | None = None
) -> FootageRequest:
    """The CSU refuses a pending request (no camera filmed the place, footage lost…), with the reason."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Indiquez le motif du refus."), field="reason")
    with transaction.atomic():
        request = _handled(actor, request_id)
        if request.status != FootageRequest.Status.PENDING:
            raise ApplicationError(_("Cette demande a déjà été traitée."), field="reason")
        request.status = FootageRequest.Status.REFUSED
        request.refusal_reason = reason
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "refusal_reason", "decided_at"])
        audit_record(actor=actor, action="video.request_refused", target=request, ip=ip)
    return request


def _files(files: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    if not files or len(files) > MAX_FILES:
        raise ApplicationError(
            _("Indiquez chaque fichier remis (de 1 à %(max)s) avec son empreinte SHA-256.")
            % {"max": MAX_FILES},
            field="files",
        )
    cleaned = []
    for item in files:
        name = str(item.get("name", "")).strip()
        digest = str(item.get("sha256", "")).strip().lower()
        if not name or not SHA256.match(digest):
            raise ApplicationError(
                _("Chaque fichier a un nom et une empreinte SHA-256 (64 caractères hexadécimaux)."),
                field="files",
            )
        cleaned.append({"name": name, "sha256": digest})
    return cleaned


def extraction_record(
    *,
    actor: User,
    request_id: int,
    medium: str,
    files: Sequence[dict[str, Any]],
    recipient_name: str,
    handed_over_at: datetime,
    corrects_id: int | None = None,
    note: str = "",
    ip: str | None = None,
) -> Extraction:
    """Appends an extraction to a request: what was copied (each file's fingerprint), on what, to whom and
    when. A mistake is corrected by a new extraction that names the one it corrects."""
    recipient_name = recipient_name.strip()
    if not recipient_name:
        raise ApplicationError(_("Indiquez à qui les images ont été remises."), field="recipient_name")
    cleaned = _files(files)
    if handed_over_at > timezone.now():
        raise ApplicationError(_("La remise ne peut pas être dans le futur."), field="handed_over_at")
    with transaction.atomic():
        request = _handled(actor, request_id)
        if request.status == FootageRequest.Status.REFUSED:
            raise ApplicationError(_("Cette demande a été refusée : aucune extraction."), field="request")
        corrects = None
        if corrects_id is not None:
            corrects = Extraction.objects.filter(pk=corrects_id, request=request).first()
            if corrects is None:
                raise ApplicationError(
                    _("L'extraction corrigée n'est pas de cette demande."), field="corrects"
                )
        extraction = Extraction.objects.create(
            request=request,
            medium=medium,
            files=cleaned,
            recipient_name=recipient_name,
            handed_over_at=handed_over_at,
            corrects=corrects,
            note=note.strip(),
            recorded_by=actor,
        )
        if request.status == FootageRequest.Status.PENDING:
            request.status = FootageRequest.Status.EXTRACTED
            request.decided_at = extraction.recorded_at
            request.save(update_fields=["status", "decided_at"])
        audit_record(
            actor=actor,
            action="video.extraction_recorded",
            target=extraction,
            extra={"request": request.pk, "files": len(cleaned)},
            ip=ip,
        )
    return extraction


def destruction_record(
    *,
    actor: User,
    extraction_id: int,
    destroyed_at: datetime,
    witness_name: str,
    note: str = "",
    ip: str | None = None,
) -> Destruction:
    """Appends the destruction of an extraction's copies (when the medium came back, or its term ended)."""
    witness_name = witness_name.strip()
    if not witness_name:
        raise ApplicationError(_("Indiquez qui a détruit les copies, ou devant qui."), field="witness_name")
    if destroyed_at > timezone.now():
        raise ApplicationError(_("La destruction ne peut pas être dans le futur."), field="destroyed_at")
    handled = access.footage_requests_handled(actor)
    extraction = Extraction.objects.filter(pk=extraction_id, request__in=handled).first()
    if extraction is None:
        raise NotFound(_("Extraction introuvable."))
    if destroyed_at < extraction.handed_over_at:
        raise ApplicationError(_("La destruction ne peut pas précéder la remise."), field="destroyed_at")
    with transaction.atomic():
        destruction = Destruction.objects.create(
            extraction=extraction, destroyed_at=destroyed_at, witness_name=witness_name, note=note.strip(),
            recorded_by=actor,
        )  # fmt: skip
        audit_record(actor=actor, action="video.destruction_recorded", target=destruction, ip=ip)
    return destruction


def inspection_record(
    *, actor: User, what: str, target: Any = None, extra: dict[str, Any] | None = None, ip: str | None = None
) -> None:
    """The inspection's reads of the register are audited (what it read, when, from where); nobody
    else's reads are."""
    if access.video_reads_audited(actor):
        audit_record(actor=actor, action=f"video.inspected.{what}", target=target, extra=extra, ip=ip)


def register_export(*, actor: User, start: date, end: date, ip: str | None = None) -> str:
    """The register of a period as CSV, for its commune's CSU, admin and inspection; audited."""
    commune_id = access.video_commune(actor)
    if commune_id is None:
        raise Forbidden(_("Votre compte n'est rattaché à aucune commune."))
    rows = selectors.register_period(FootageRequest.objects.filter(commune_id=commune_id), start, end)
    audit_record(
        actor=actor,
        action="video.register_exported",
        extra={"start": start.isoformat(), "end": end.isoformat(), "format": "csv"},
        ip=ip,
    )
    return selectors.register_csv(rows)


def register_print_record(*, actor: User, start: date, end: date, ip: str | None = None) -> None:
    """Printing the register (PDF) is an export: audited."""
    audit_record(
        actor=actor,
        action="video.register_exported",
        extra={"start": start.isoformat(), "end": end.isoformat(), "format": "pdf"},
        ip=ip,
    )
