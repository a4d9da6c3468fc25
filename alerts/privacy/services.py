"""Writes of the rights requests: each step in one transaction with its audit row; the requester is told
the outcome by the channel they chose (SMS through the outbox, e-mail through Django's mail after commit,
post: the letter is the office's to send, recorded as such)."""

import calendar
import secrets
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.privacy.models import RightsRequest
from backend.accounts.models import User
from backend.audit.models import AuditEvent
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Conflict
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue
from backend.territory.models import Commune

DEADLINE_MONTHS = 1
EXTENSION_MONTHS = 2
# The public form from one address (each request mails the office at its deadline): a person has no
# reason to send more; the office records the rest by hand.
REQUESTS_PER_ADDRESS_PER_HOUR = 5


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the month's last day when it has fewer): art. 12(3)'s « un mois »."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def _new_reference(commune: Commune) -> str:
    while True:
        reference = f"{commune.reference_prefix}-DR-{secrets.token_hex(3).upper()}"
        if not RightsRequest.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def rights_request_submit(
    *,
    commune: Commune,
    kind: str,
    requester: str,
    name: str,
    channel: str,
    details: str,
    identity_proof: str,
    identity_declared: bool,
    email: str = "",
    phone: str = "",
    postal_address: str = "",
    observation_reference: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
    actor: User | None = None,
    ip: str | None = None,
) -> RightsRequest:
    """Records a request (the public form, or the office for one received by post); the deadline runs
    from its receipt."""
    contact = {RightsRequest.Channel.EMAIL: email, RightsRequest.Channel.SMS: phone}.get(
        RightsRequest.Channel(channel), postal_address
    )
    if not contact.strip():
        raise ApplicationError(_("Indiquez où vous répondre par le moyen choisi."), field="channel")
    if not identity_declared:
        raise ApplicationError(
            _("Déclarez sur l'honneur que vous faites la demande pour vous-même."), field="identity_declared"
        )
    now = timezone.now()
    if actor is None and ip and _recent_from(ip, now) >= REQUESTS_PER_ADDRESS_PER_HOUR:
        raise ApplicationError(
            _("Trop de demandes depuis cette connexion : réessayez dans une heure, ou écrivez à la mairie.")
        )
    row = RightsRequest.objects.create(
        commune=commune,
        reference=_new_reference(commune),
        kind=kind,
        requester=requester,
        name=name,
        channel=channel,
        email=email,
        phone=phone,
        postal_address=postal_address,
        details=details,
        observation_reference=observation_reference.strip().upper(),
        period_start=period_start,
        period_end=period_end,
        identity_proof=identity_proof,
        identity_declared=identity_declared,
        received_at=now,
        due_at=add_months(now, DEADLINE_MONTHS),
    )
    audit_record(
        actor=actor,
        action="privacy.request_received",
        target=row,
        extra={"kind": kind, "requester": requester, "channel": channel},
        ip=ip,
    )
    return row


def _recent_from(ip: str, now: datetime) -> int:
    """Requests from this address in the last hour (their audit rows keep it)."""
    return AuditEvent.objects.filter(
        action="privacy.request_received", ip=ip, at__gte=now - timedelta(hours=1)
    ).count()


def _locked(row: RightsRequest) -> RightsRequest:
    locked = RightsRequest.objects.select_for_update().get(pk=row.pk)
    if not locked.is_open:
        raise Conflict(_("Cette demande a déjà reçu sa décision."))
    return locked


@transaction.atomic
def rights_request_check_identity(*, request: RightsRequest, actor: User, note: str) -> RightsRequest:
    """The office saw the proof of identity (what was checked, never a copy of the document)."""
    row = _locked(request)
    row.identity_checked_at = timezone.now()
    row.identity_checked_by = actor
    row.identity_check_note = note[:300]
    if row.status == RightsRequest.Status.RECEIVED:
        row.status = RightsRequest.Status.IDENTITY_CHECKED
    row.save()
    audit_record(actor=actor, action="privacy.identity_checked", target=row, fields=["identity_checked_at"])
    return row


@transaction.atomic
def rights_request_match(*, request: RightsRequest, actor: User, references: list[str]) -> RightsRequest:
    """Records which reports the search found (by reference or period); the moderators read them."""
    row = _locked(request)
    row.matched_references = "\n".join(sorted(set(references)))
    row.save()
    audit_record(
        actor=actor, action="privacy.reports_matched", target=row, extra={"count": len(set(references))}
    )
    return row


@transaction.atomic
def rights_request_extend(*, request: RightsRequest, actor: User, reason: str) -> RightsRequest:
    """Art. 12(3): two more months, once, for the complexity or number of requests, with the reason (the
    requester is told within the first month)."""
    if not reason.strip():
        raise ApplicationError(_("Indiquez le motif de la prolongation."), field="extension_reason")
    row = _locked(request)
    if row.extension_reason:
        raise Conflict(_("Le délai de cette demande a déjà été prolongé."))
    row.extension_reason = reason
    row.due_at = add_months(row.received_at, DEADLINE_MONTHS + EXTENSION_MONTHS)
    row.save()
    audit_record(
        actor=actor, action="privacy.deadline_extended", target=row, extra={"due_at": row.due_at.isoformat()}
    )
    _tell(
        row,
        _(
            "Vigie : le délai de réponse à votre demande %(reference)s est prolongé jusqu'au %(date)s. Motif : %(reason)s"
        )
        % {"reference": row.reference, "date": _day(row.due_at), "reason": reason},
        kind="privacy.extension",
    )
    return row


@transaction.atomic
def rights_request_defer(
    *, request: RightsRequest, actor: User, ground: str, until: date | None = None
) -> RightsRequest:
    """Art. 14(5)(b) and 23, loi Informatique et Libertés art. 48 and 52: the answer (or the information of a
    person named in a report) waits while an investigation needs it; the ground is recorded, nothing is
    sent to the requester (telling them would defeat the purpose)."""
    if not ground.strip():
        raise ApplicationError(_("Indiquez le fondement du report."), field="deferral_ground")
    row = _locked(request)
    row.status = RightsRequest.Status.DEFERRED
    row.deferral_ground = ground
    row.deferred_until = until
    row.save()
    audit_record(
        actor=actor,
        action="privacy.deferred",
        target=row,
        fields=["deferral_ground", "deferred_until"],
        extra={"until": until.isoformat() if until else None},
    )
    return row


@transaction.atomic
def rights_request_decide(
    *, request: RightsRequest, actor: User, decision: str, legal_ground: str, answer: str
) -> RightsRequest:
    """The decision with its legal ground; the requester is told by the channel they chose."""
    if not legal_ground.strip():
        raise ApplicationError(_("Indiquez le fondement juridique de la décision."), field="legal_ground")
    row = _locked(request)
    row.status = RightsRequest.Status.DECIDED
    row.decision = decision
    row.legal_ground = legal_ground
    row.answer = answer
    row.decided_at = timezone.now()
    row.decided_by = actor
    row.save()
    audit_record(
        actor=actor,
        action="privacy.decided",
        target=row,
        extra={"decision": decision, "late": row.decided_at > row.due_at, "channel": row.channel},
    )
    outcome = RightsRequest.Decision(decision).label
    text = _("Vigie : décision sur votre demande %(reference)s : %(outcome)s. %(answer)s") % {
        "reference": row.reference,
        "outcome": outcome,
        "answer": answer,
    }
    _tell(row, text, kind="privacy.outcome")
    return row


def _day(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")


def _tell(row: RightsRequest, text: str, *, kind: str) -> None:
    """Sends `text` to the requester by the channel they chose; a letter is recorded for the office."""
    if row.channel == RightsRequest.Channel.SMS:
        deliveries_enqueue(
            [
                Outgoing(
                    channel=Delivery.Channel.SMS,
                    kind=kind,
                    address=row.phone,
                    body=text,
                    source=f"privacy.request:{row.pk}",
                )
            ]
        )
    elif row.channel == RightsRequest.Channel.EMAIL:
        subject = _("Votre demande %(reference)s") % {"reference": row.reference}
        transaction.on_commit(partial(send_mail, subject, text, None, [row.email]))
    audit_record(actor=None, action="privacy.requester_told", target=row, extra={"channel": row.channel})


def _office(commune_id: int) -> list[str]:
    """The addresses of whoever handles the commune's requests: its DPO and admins."""
    people = access.privacy_officers(commune_id).exclude(email="")
    return sorted(set(people.values_list("email", flat=True)))


def rights_requests_remind(*, now: datetime | None = None) -> int:
    """The periodic job: open requests whose deadline is less than PRIVACY_REMINDER_DAYS away (or past)
    remind the commune's DPO and admins by e-mail, once a day; returns the requests reminded."""
    at = now or timezone.now()
    soon = at + timedelta(days=settings.PRIVACY_REMINDER_DAYS)
    due = (
        RightsRequest.objects.exclude(status=RightsRequest.Status.DECIDED)
        .filter(due_at__lte=soon)
        .exclude(reminded_at__gt=at - timedelta(days=1))
    )
    reminded = 0
    for row in due.order_by("due_at")[:200]:
        with transaction.atomic():
            # Of several workers, one reminds (the conditional update is the claim).
            claimed = (
                RightsRequest.objects.filter(pk=row.pk)
                .exclude(reminded_at__gt=at - timedelta(days=1))
                .update(reminded_at=at)
            )
            if not claimed:
                continue
            recipients = _office(row.commune_id)
            subject = _("Demande %(reference)s : réponse due le %(date)s") % {
                "reference": row.reference,
                "date": _day(row.due_at),
            }
            body = _(
                "La demande %(reference)s (%(kind)s) attend sa décision ; réponse due le %(date)s. "
                "Administration de Vigie : Protection des données."
            ) % {"reference": row.reference, "kind": row.get_kind_display(), "date": _day(row.due_at)}
            if recipients:
                transaction.on_commit(partial(send_mail, subject, body, None, recipients))
            audit_record(
                actor=None,
                action="privacy.reminder",
                target=row,
                extra={"recipients": len(recipients), "due_at": row.due_at.isoformat()},
            )
            reminded += 1
    return reminded
