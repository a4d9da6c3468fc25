"""Writes of the referents' domain: enrolment, decisions, charter, preferences, erasure of their data."""

import secrets
from datetime import time, timedelta
from types import EllipsisType

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import Role, User
from backend.accounts.otp import phone_from_verification_token
from backend.accounts.phone import normalize_phone
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue
from backend.territory.models import Commune, Sector
from neighbours.models import Application, Charter, Invitation, Preferences, Referent, ReferentStatusChange
from neighbours.selectors import MANDATORY_FOR_ACTIVE_REFERENTS, PUSH_KINDS, charter_current, sector_resolve

INVITATION_VALIDITY = timedelta(days=14)
# No 0/O, 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class Gone(ApplicationError):
    status_code = 410


def invitation_code_normalize(raw: str) -> str:
    return "".join(char for char in str(raw).upper() if char.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _status_change(
    referent: Referent, *, to: str, actor: User | None, reason: str = "", ip: str | None = None
) -> None:
    previous = referent.status
    referent.status = to
    referent.status_changed_at = timezone.now()
    referent.save(update_fields=["status", "status_changed_at"])
    ReferentStatusChange.objects.create(
        referent=referent,
        actor=actor,
        from_status=previous,
        to_status=to,
        reason=reason,
        at=referent.status_changed_at,
    )
    audit_record(
        actor=actor,
        action=f"referent.{to}",
        target=referent,
        fields=["status"],
        extra={"from": previous, "to": to},
        ip=ip,
    )


def _existing_account(phone: str) -> User | None:
    return User.objects.select_for_update().filter(phone=phone).first()


def _refuse_existing(user: User, *, commune: Commune, allow_reenrol: bool) -> Referent | None:
    """An account already holds the phone: the referent record to re-enrol, or a clear refusal."""
    if user.role != Role.REFERENT:
        raise Conflict(_("Ce numéro est déjà celui d'un autre compte de Vigie."), field="phone")
    referent = Referent.objects.select_for_update().filter(user=user).first()
    if referent is None:
        return None
    reenrolable = referent.status in (Referent.Status.REFUSED, Referent.Status.ENDED)
    if allow_reenrol and reenrolable and referent.commune_id == commune.pk:
        return referent
    if referent.status == Referent.Status.PENDING:
        raise Conflict(
            _("Une candidature a déjà été déposée avec ce numéro : elle attend la mairie."), field="phone"
        )
    raise Conflict(_("Ce numéro est déjà inscrit comme référent."), field="phone")


def application_create(
    *,
    verification_token: str,
    commune: Commune,
    sector: str | int,
    display_name: str,
    motivation: str = "",
    ip: str | None = None,
) -> Referent:
    """A resident applies with a proven phone: a pending referent that waits for a coordinator."""
    phone = phone_from_verification_token(verification_token)
    chosen = sector_resolve(commune=commune, value=sector)
    try:
        with transaction.atomic():
            existing = _existing_account(phone)
            if existing is not None:
                _refuse_existing(existing, commune=commune, allow_reenrol=False)
            user = existing or User.objects.create_user(
                phone, role=Role.REFERENT, commune=commune, display_name=display_name
            )
            referent = Referent.objects.create(
                user=user, commune=commune, sector=chosen, source=Referent.Source.APPLICATION
            )
            Application.objects.create(referent=referent, motivation=motivation)
            ReferentStatusChange.objects.create(
                referent=referent, actor=user, to_status=Referent.Status.PENDING
            )
            audit_record(
                actor=user, action="referent.applied", target=referent, extra={"sector": chosen.pk}, ip=ip
            )
    except IntegrityError:  # the same phone applying twice at once
        raise Conflict(
            _("Une candidature a déjà été déposée avec ce numéro : elle attend la mairie."), field="phone"
        ) from None
    return referent


def invitation_create(
    *, actor: User, sector: str | int, phone: str, display_name: str = "", ip: str | None = None
) -> Invitation:
    """A coordinator invites a phone into a sector of their commune; the code goes out by SMS."""
    commune = actor.commune
    if commune is None:
        raise Forbidden(_("Votre compte n'est rattaché à aucune commune."))
    chosen = sector_resolve(commune=commune, value=sector)
    e164 = normalize_phone(phone, mobile_only=True)
    with transaction.atomic():
        existing = _existing_account(e164)
        if existing is not None:
            _refuse_existing(existing, commune=commune, allow_reenrol=True)
        now = timezone.now()
        invitation = None
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    invitation = Invitation.objects.create(
                        commune=commune,
                        sector=chosen,
                        phone=e164,
                        display_name=display_name,
                        code=_new_code(),
                        invited_by=actor,
                        created_at=now,
                        expires_at=now + INVITATION_VALIDITY,
                    )
                break
            except IntegrityError:  # a code already taken: draw another
                continue
        if invitation is None:
            raise ApplicationError(_("Impossible de créer l'invitation : réessayez."))
        deliveries_enqueue(
            [
                Outgoing(
                    channel=Delivery.Channel.SMS,
                    kind="referent.invitation",
                    address=e164,
                    body=_(
                        "Vigie : la mairie de %(commune)s vous invite à devenir référent Participation "
                        "Citoyenne (secteur %(sector)s). Code : %(code)s, valable 14 jours, dans l'application."
                    )
                    % {"commune": commune.name, "sector": chosen.name, "code": invitation.code},
                    source=f"neighbours.invitation:{invitation.pk}",
                )
            ]
        )
        audit_record(
            actor=actor, action="referent.invited", target=invitation, extra={"sector": chosen.pk}, ip=ip
        )
    return invitation


def invitation_accept(
    *, code: str, verification_token: str, display_name: str = "", ip: str | None = None
) -> Referent:
    """The invitee proves the phone the invitation was sent to and becomes a pending referent."""
    phone = phone_from_verification_token(verification_token)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("commune", "sector")
            .filter(code=invitation_code_normalize(code))
            .first()
        )
        if invitation is None:
            raise NotFound(_("Invitation inconnue : vérifiez le code."), field="code")
        if invitation.accepted_at is not None:
            raise Conflict(_("Cette invitation a déjà été utilisée."), field="code")
        if invitation.expires_at <= timezone.now():
            raise Gone(_("Cette invitation a expiré : demandez-en une nouvelle à la mairie."), field="code")
        if invitation.phone != phone:
            raise Forbidden(
                _("Ce numéro n'est pas celui auquel l'invitation a été envoyée."), field="verification_token"
            )
        name = (display_name or invitation.display_name).strip()
        if not name:
            raise ApplicationError(_("Indiquez votre nom."), field="display_name")
        existing = _existing_account(phone)
        referent = None
        if existing is not None:
            referent = _refuse_existing(existing, commune=invitation.commune, allow_reenrol=True)
            existing.display_name = name
            existing.save(update_fields=["display_name"])
        user = existing or User.objects.create_user(
            phone, role=Role.REFERENT, commune=invitation.commune, display_name=name
        )
        if referent is None:
            referent = Referent.objects.create(
                user=user,
                commune=invitation.commune,
                sector=invitation.sector,
                source=Referent.Source.INVITATION,
            )
            ReferentStatusChange.objects.create(
                referent=referent, actor=user, to_status=Referent.Status.PENDING
            )
            audit_record(
                actor=user,
                action="referent.pending",
                target=referent,
                extra={"from": "", "to": "pending"},
                ip=ip,
            )
        else:
            referent.sector = invitation.sector
            referent.source = Referent.Source.INVITATION
            referent.save(update_fields=["sector", "source"])
            _status_change(referent, to=Referent.Status.PENDING, actor=user, ip=ip)
        invitation.accepted_at = timezone.now()
        invitation.referent = referent
        invitation.save(update_fields=["accepted_at", "referent"])
        audit_record(actor=user, action="referent.invitation_accepted", target=invitation, ip=ip)
    return referent


# --- coordinator decisions -------------------------------------------------------------------------
_ALLOWED_FROM = {
    Referent.Status.ACTIVE: (Referent.Status.PENDING, Referent.Status.SUSPENDED),
    Referent.Status.REFUSED: (Referent.Status.PENDING,),
    Referent.Status.SUSPENDED: (Referent.Status.ACTIVE,),
    Referent.Status.ENDED: (Referent.Status.ACTIVE, Referent.Status.SUSPENDED),
}


def _decide(referent: Referent, *, to: str, actor: User, reason: str, ip: str | None) -> Referent:
    with transaction.atomic():
        locked = (
            Referent.objects.select_for_update()
            .select_related("user", "commune", "sector")
            .get(pk=referent.pk)
        )
        if locked.status not in _ALLOWED_FROM[Referent.Status(to)]:
            raise Conflict(
                _("Impossible : ce référent est « %(status)s ».") % {"status": locked.get_status_display()},
                field="status",
            )
        _status_change(locked, to=to, actor=actor, reason=reason, ip=ip)
        _tell(locked, to=to, reason=reason)
    return locked


def _tell(referent: Referent, *, to: str, reason: str) -> None:
    """The person learns the decision: by SMS when refused (they may have no app), by push otherwise."""
    commune = referent.commune.name
    if to == Referent.Status.REFUSED:
        body = _(
            "Vigie : votre candidature de référent Participation Citoyenne à %(commune)s n'a pas été retenue. "
            "Motif : %(reason)s"
        ) % {"commune": commune, "reason": reason}
        deliveries_enqueue(
            [
                Outgoing(
                    channel=Delivery.Channel.SMS,
                    kind="referent.refused",
                    recipient=referent.user,
                    body=body,
                    source=f"neighbours.referent:{referent.pk}",
                )
            ]
        )
        return
    bodies = {
        Referent.Status.ACTIVE: _("Votre inscription de référent est validée. Merci de votre engagement !"),
        Referent.Status.SUSPENDED: _("Votre mission de référent est suspendue. La mairie vous contactera."),
        Referent.Status.ENDED: _("Votre mission de référent a pris fin. Merci pour votre engagement."),
    }
    deliveries_enqueue(
        [
            Outgoing(
                channel=Delivery.Channel.PUSH,
                kind="referent.status",
                recipient=referent.user,
                title=_("Participation Citoyenne"),
                body=bodies[Referent.Status(to)],
                data={"kind": "referent.status", "status": to},
                source=f"neighbours.referent:{referent.pk}",
            )
        ]
    )


def referent_approve(*, referent: Referent, actor: User, reason: str = "", ip: str | None = None) -> Referent:
    return _decide(referent, to=Referent.Status.ACTIVE, actor=actor, reason=reason, ip=ip)


def referent_refuse(*, referent: Referent, actor: User, reason: str, ip: str | None = None) -> Referent:
    return _decide(referent, to=Referent.Status.REFUSED, actor=actor, reason=reason, ip=ip)


def referent_suspend(*, referent: Referent, actor: User, reason: str, ip: str | None = None) -> Referent:
    return _decide(referent, to=Referent.Status.SUSPENDED, actor=actor, reason=reason, ip=ip)


def referent_end(*, referent: Referent, actor: User, reason: str, ip: str | None = None) -> Referent:
    return _decide(referent, to=Referent.Status.ENDED, actor=actor, reason=reason, ip=ip)


def referent_update(
    *,
    referent: Referent,
    actor: User,
    sector: str | int | None = None,
    trusted: bool | None = None,
    ip: str | None = None,
) -> Referent:
    """A coordinator moves a referent to another sector of the commune, or sets the trust flag."""
    changed = []
    with transaction.atomic():
        locked = (
            Referent.objects.select_for_update()
            .select_related("user", "commune", "sector")
            .get(pk=referent.pk)
        )
        if sector is not None:
            chosen: Sector = sector_resolve(commune=locked.commune, value=sector)
            if chosen.pk != locked.sector_id:
                locked.sector = chosen
                changed.append("sector")
        if trusted is not None and trusted != locked.trusted:
            locked.trusted = trusted
            changed.append("trusted")
        if changed:
            locked.save(update_fields=changed)
            audit_record(
                actor=actor,
                action="referent.updated",
                target=locked,
                fields=changed,
                extra={"sector": locked.sector_id, "trusted": locked.trusted},
                ip=ip,
            )
    return locked


# --- the referent's own actions ----------------------------------------------------------------------
def charter_accept(*, referent: Referent, version: int, ip: str | None = None) -> Referent:
    if referent.status not in (Referent.Status.PENDING, Referent.Status.ACTIVE):
        raise Forbidden(_("Votre inscription ne permet pas d'accepter la charte."))
    charter: Charter | None = charter_current(commune=referent.commune_id)
    if charter is None:
        raise NotFound(_("La charte du référent de votre commune n'est pas encore publiée."))
    if version != charter.version:
        raise Conflict(
            _("La charte a changé : relisez et acceptez la version %(version)s.")
            % {"version": charter.version},
            field="version",
        )
    with transaction.atomic():
        referent.charter_version = charter.version
        referent.charter_accepted_at = timezone.now()
        referent.save(update_fields=["charter_version", "charter_accepted_at"])
        audit_record(
            actor=referent.user,
            action="referent.charter_accepted",
            target=referent,
            fields=["charter_version", "charter_accepted_at"],
            extra={"version": charter.version},
            ip=ip,
        )
    return referent


def preferences_update(
    *,
    user: User,
    push: dict[str, bool] | None = None,
    quiet_hours_start: time | EllipsisType | None = ...,
    quiet_hours_end: time | EllipsisType | None = ...,
    language: str | None = None,
    ip: str | None = None,
) -> Preferences:
    """Partial update: only what is given changes. `...` means "not given" for the quiet hours."""
    with transaction.atomic():
        preferences, _created = Preferences.objects.select_for_update().get_or_create(user=user)
        changed: list[str] = []
        if push:
            unknown = sorted(set(push) - set(PUSH_KINDS))
            if unknown:
                raise ApplicationError(
                    _("Type de message inconnu : %(kinds)s.") % {"kinds": ", ".join(unknown)}, field="push"
                )
            active = Referent.objects.filter(user=user, status=Referent.Status.ACTIVE).exists()
            for kind in MANDATORY_FOR_ACTIVE_REFERENTS:
                if active and push.get(kind) is False:
                    raise ApplicationError(
                        _(
                            "Les alertes cambriolage ne peuvent pas être désactivées tant que vous êtes référent actif."
                        ),
                        field=f"push.{kind}",
                    )
            opt_outs = set(preferences.push_opt_outs or [])
            for kind, wanted in push.items():
                (opt_outs.discard if wanted else opt_outs.add)(kind)
            if sorted(opt_outs) != sorted(preferences.push_opt_outs or []):
                preferences.push_opt_outs = sorted(opt_outs)
                changed.append("push_opt_outs")
        start = preferences.quiet_hours_start if quiet_hours_start is ... else quiet_hours_start
        end = preferences.quiet_hours_end if quiet_hours_end is ... else quiet_hours_end
        if (start is None) != (end is None):
            raise ApplicationError(
                _("Indiquez le début et la fin des heures calmes, ou aucun des deux."),
                field="quiet_hours_end" if end is None else "quiet_hours_start",
            )
        if start is not None and start == end:
            raise ApplicationError(
                _("Les heures calmes doivent durer : début et fin diffèrent."), field="quiet_hours_end"
            )
        if (start, end) != (preferences.quiet_hours_start, preferences.quiet_hours_end):
            preferences.quiet_hours_start, preferences.quiet_hours_end = start, end
            changed += ["quiet_hours_start", "quiet_hours_end"]
        if language is not None and language != preferences.language:
            if language not in dict(settings.LANGUAGES):
                raise ApplicationError(_("Langue non proposée."), field="language")
            preferences.language = language
            changed.append("language")
        if changed:
            preferences.updated_at = timezone.now()
            preferences.save(update_fields=[*changed, "updated_at"])
            audit_record(actor=user, action="preferences.updated", target=preferences, fields=changed, ip=ip)
    return preferences


def referent_data_erase(user: User) -> None:
    """Personal-data eraser (registered with the kernel): the referent record ends, free texts go."""
    referent = Referent.objects.select_for_update().filter(user=user).first()
    if referent is not None:
        if referent.status in (Referent.Status.PENDING, Referent.Status.ACTIVE, Referent.Status.SUSPENDED):
            _status_change(
                referent,
                to=Referent.Status.ENDED,
                actor=user,
                reason=_("Compte effacé à la demande de la personne."),
            )
        Application.objects.filter(referent=referent).update(motivation="")
        Invitation.objects.filter(referent=referent).update(phone="", display_name="")
    if user.phone:
        Invitation.objects.filter(phone=user.phone.as_e164).update(phone="", display_name="")
    Preferences.objects.filter(user=user).delete()
