"""Codes sent by SMS to log in (known users) or to prove a phone (anyone, for enrolment).

A code is stored hashed, lives OTP_CODE_TTL_SECONDS, dies after OTP_MAX_ATTEMPTS wrong tries; a number
gets at most OTP_SENDS_PER_MINUTE and OTP_SENDS_PER_HOUR sends. Rows count toward the limits even when no
SMS left (unknown number asking to log in), so that timing and limits reveal nothing.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import PhoneCode, User
from backend.accounts.phone import normalize_phone
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError
from backend.messaging.backends.base import InvalidAddress, PermanentError, TransientError
from backend.messaging.sms import send_sms_now

logger = logging.getLogger(__name__)

_VERIFY_SALT = "vigie.phone-verification"


class OtpThrottled(ApplicationError):
    status_code = 429


class SmsUnavailable(ApplicationError):
    status_code = 503


def _login_user(phone: str) -> User | None:
    return User.objects.filter(phone=phone, is_active=True, erased_at=None).first()


def _check_send_limits(phone: str) -> None:
    now = timezone.now()
    recent = PhoneCode.objects.filter(phone=phone, created_at__gte=now - timedelta(hours=1))
    if recent.filter(created_at__gte=now - timedelta(minutes=1)).count() >= settings.OTP_SENDS_PER_MINUTE:
        raise OtpThrottled(
            _("Un code vient d'être envoyé à ce numéro : attendez une minute avant d'en redemander un.")
        )
    if recent.count() >= settings.OTP_SENDS_PER_HOUR:
        raise OtpThrottled(_("Trop de codes demandés pour ce numéro : réessayez dans une heure."))


def phone_code_request(*, phone: str, purpose: str = PhoneCode.Purpose.LOGIN, ip: str | None = None) -> None:
    """Sends a code when the rules allow; answers the same whether the number is known or not."""
    if purpose not in PhoneCode.Purpose.values:
        raise ApplicationError(_("Objet inconnu : « login » ou « verify »."), field="purpose")
    e164 = normalize_phone(phone, mobile_only=purpose == PhoneCode.Purpose.VERIFY)
    code = f"{secrets.randbelow(1_000_000):06d}"
    user = _login_user(e164) if purpose == PhoneCode.Purpose.LOGIN else None
    deliver = purpose == PhoneCode.Purpose.VERIFY or user is not None
    with transaction.atomic():
        # Serialise requests for one number so that two parallel calls can't both pass the limits.
        _lock_phone(e164)
        _check_send_limits(e164)
        now = timezone.now()
        PhoneCode.objects.filter(phone=e164, purpose=purpose, used_at=None).update(used_at=now)
        PhoneCode.objects.create(
            phone=e164,
            purpose=purpose,
            code_hash=make_password(code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.OTP_CODE_TTL_SECONDS),
            ip=ip,
            sent=deliver,
        )
    if deliver:
        # Sent now, not through the outbox: a code is worthless after five minutes, a late retry is noise.
        try:
            send_sms_now(
                e164,
                _("Vigie : votre code est %(code)s. Il expire dans 5 minutes. Ne le communiquez à personne.")
                % {"code": code},
            )
        except InvalidAddress:
            if purpose == PhoneCode.Purpose.VERIFY:
                raise ApplicationError(_("Ce numéro ne peut pas recevoir de SMS."), field="phone") from None
            logger.warning("login code not sent: the provider refused the number")
        except (TransientError, PermanentError) as exc:
            # A login answer must not tell a known number from an unknown one: the person asks again.
            logger.warning("%s code not sent: %s", purpose, exc)
            if purpose == PhoneCode.Purpose.VERIFY:
                raise SmsUnavailable(
                    _("L'envoi du SMS est impossible pour le moment : réessayez dans quelques minutes.")
                ) from None


def _lock_phone(phone: str) -> None:
    """Held until the transaction ends. PostgreSQL: an advisory lock on the number, which also covers its
    very first request (no row to lock yet). SQLite: IMMEDIATE transactions serialise writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"vigie.phone-code:{phone}"])
        return
    list(PhoneCode.objects.select_for_update().filter(phone=phone).order_by("-created_at")[:1])


def _consume_code(*, phone: str, code: str, purpose: str) -> str:
    e164 = normalize_phone(phone)
    wrong = ApplicationError(_("Code incorrect ou expiré : demandez un nouveau code."), field="code")
    if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
        raise ApplicationError(_("Le code comporte 6 chiffres."), field="code")
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(phone=e164, purpose=purpose, used_at=None, sent=True)
            .order_by("-created_at")
            .first()
        )
        now = timezone.now()
        if row is None or row.expires_at <= now or row.attempts >= settings.OTP_MAX_ATTEMPTS:
            raise wrong
        if not check_password(code, row.code_hash):
            row.attempts += 1
            if row.attempts >= settings.OTP_MAX_ATTEMPTS:
                row.used_at = now
            row.save(update_fields=["attempts", "used_at"])
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
            return e164
    # Raised outside the transaction so that the counted wrong try is committed.
    raise wrong


def login_with_code(*, phone: str, code: str, ip: str | None = None) -> User:
    e164 = _consume_code(phone=phone, code=code, purpose=PhoneCode.Purpose.LOGIN)
    user = _login_user(e164)
    if user is None:
        raise ApplicationError(_("Code incorrect ou expiré : demandez un nouveau code."), field="code")
    audit_record(actor=user, action="auth.login_otp", target=user, ip=ip)
    return user


def verify_phone_with_code(*, phone: str, code: str) -> str:
    """Returns a signed, short-lived token that proves the caller holds this phone."""
    e164 = _consume_code(phone=phone, code=code, purpose=PhoneCode.Purpose.VERIFY)
    return signing.dumps({"phone": e164}, salt=_VERIFY_SALT)


def phone_from_verification_token(token: str, *, field: str = "verification_token") -> str:
    """The phone that a token from verify_phone_with_code proves; raises when bad or expired."""
    try:
        payload = signing.loads(
            token, salt=_VERIFY_SALT, max_age=settings.PHONE_VERIFICATION_TOKEN_TTL_SECONDS
        )
    except signing.SignatureExpired:
        raise ApplicationError(_("Vérification du numéro expirée : recommencez."), field=field) from None
    except signing.BadSignature:
        raise ApplicationError(_("Jeton de vérification du numéro invalide."), field=field) from None
    return str(payload["phone"])
