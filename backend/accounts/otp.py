"""Codes sent by SMS to log in (referents and shopkeepers) or to prove a phone (anyone, for enrolment).

A code is stored as a keyed HMAC, lives OTP_CODE_TTL_SECONDS, dies after OTP_MAX_ATTEMPTS wrong tries; a
number gets at most OTP_SENDS_PER_MINUTE and OTP_SENDS_PER_HOUR sends, a client network (an IPv4 address,
or the /64 of an IPv6 one) OTP_SENDS_PER_NETWORK_PER_HOUR, and the whole platform OTP_SENDS_GLOBAL_PER_HOUR:
every door (API, web forms) goes through phone_code_request, so these limits hold whatever the door.

Staff (moderators, operators, admins, superusers) never log in by SMS: they use password + TOTP. A staff
number, like an unknown one, gets the same answer and no SMS.

The SMS is queued in the outbox in the request's transaction and sent by the worker, never inside the
request: a known number and an unknown one cost the same time and the same database work (an unknown
number writes a cancelled decoy row). Rows count toward the limits even when no SMS leaves.
"""

import ipaddress
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from backend.accounts.models import PhoneCode, Role, User
from backend.accounts.phone import normalize_phone
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue

logger = logging.getLogger(__name__)

_VERIFY_SALT = "vigie.phone-verification"
_CODE_SALT = "vigie.accounts.phone-code"
CODE_KIND = "accounts.phone_code"


class OtpThrottled(ApplicationError):
    status_code = 429


def _login_user(phone: str) -> User | None:
    return User.objects.filter(
        phone=phone,
        is_active=True,
        erased_at=None,
        is_superuser=False,
        role__in=Role.REPORTING,  # staff sign in with password + TOTP only
    ).first()


def client_network(ip: str | None) -> str:
    """The network a send is counted against: the IPv4 address itself, or the /64 of an IPv6 one (one
    subscriber's whole prefix); an IPv4-mapped IPv6 address counts as its IPv4. Empty when unknown."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def code_hash(*, phone: str, purpose: str, code: str) -> str:
    """A keyed HMAC (SECRET_KEY) of the code and what it is for: a stolen table alone gives no code."""
    return salted_hmac(_CODE_SALT, f"{phone}:{purpose}:{code}", algorithm="sha256").hexdigest()


def _check_send_limits(phone: str, network: str) -> None:
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    recent = PhoneCode.objects.filter(phone=phone, created_at__gte=hour_ago)
    if recent.filter(created_at__gte=now - timedelta(minutes=1)).count() >= settings.OTP_SENDS_PER_MINUTE:
        raise OtpThrottled(
            _("Un code vient d'être envoyé à ce numéro : attendez une minute avant d'en redemander un.")
        )
    if recent.count() >= settings.OTP_SENDS_PER_HOUR:
        raise OtpThrottled(_("Trop de codes demandés pour ce numéro : réessayez dans une heure."))
    if (
        network
        and PhoneCode.objects.filter(network=network, created_at__gte=hour_ago).count()
        >= settings.OTP_SENDS_PER_NETWORK_PER_HOUR
    ):
        raise OtpThrottled(_("Trop de codes demandés depuis cette adresse : réessayez dans une heure."))
    if PhoneCode.objects.filter(created_at__gte=hour_ago).count() >= settings.OTP_SENDS_GLOBAL_PER_HOUR:
        logger.warning(
            "phone codes: the global limit of %s an hour is reached", settings.OTP_SENDS_GLOBAL_PER_HOUR
        )
        raise OtpThrottled(
            _("Le service d'envoi de codes est très sollicité : réessayez dans quelques minutes.")
        )


def phone_code_request(*, phone: str, purpose: str = PhoneCode.Purpose.LOGIN, ip: str | None = None) -> None:
    """Queues a code when the rules allow; answers the same, in the same time, whether the number may log
    in or not. `ip` is the client's address (every door passes it: the per-network limit needs it)."""
    if purpose not in PhoneCode.Purpose.values:
        raise ApplicationError(_("Objet inconnu : « login » ou « verify »."), field="purpose")
    # The only check that needs no provider: a code to prove a phone goes to mobiles only.
    e164 = normalize_phone(phone, mobile_only=purpose == PhoneCode.Purpose.VERIFY)
    network = client_network(ip)
    code = f"{secrets.randbelow(1_000_000):06d}"
    user = _login_user(e164) if purpose == PhoneCode.Purpose.LOGIN else None
    deliver = purpose == PhoneCode.Purpose.VERIFY or user is not None
    with transaction.atomic():
        # Serialise requests for one network and one number so that parallel calls can't all pass.
        _lock(network=network, phone=e164)
        _check_send_limits(e164, network)
        now = timezone.now()
        expires_at = now + timedelta(seconds=settings.OTP_CODE_TTL_SECONDS)
        PhoneCode.objects.filter(phone=e164, purpose=purpose, used_at=None).update(used_at=now)
        PhoneCode.objects.create(
            phone=e164,
            purpose=purpose,
            code_hash=code_hash(phone=e164, purpose=purpose, code=code),
            created_at=now,
            expires_at=expires_at,
            ip=ip,
            network=network,
            sent=deliver,
        )
        # The worker sends it (high priority) after commit, never later than the code's expiry, and blanks
        # the text once sent. No recipient: the address alone, which only platform superusers see.
        text = _(
            "Vigie : votre code est %(code)s. Il expire dans 5 minutes. Ne le communiquez à personne."
        ) % {"code": code}
        deliveries_enqueue(
            [
                Outgoing(
                    channel=Delivery.Channel.SMS,
                    kind=CODE_KIND,
                    body=text if deliver else "",
                    address=e164 if deliver else "",
                    source=CODE_KIND,
                    priority=Delivery.Priority.HIGH,
                    expires_at=expires_at,
                    redact_when_settled=True,
                    status=Delivery.Status.QUEUED if deliver else Delivery.Status.CANCELLED,
                )
            ]
        )


def _lock(*, network: str, phone: str) -> None:
    """Held until the transaction ends. PostgreSQL: advisory locks on the network, then the number
    (always in this order), which also cover a very first request (no row to lock yet). SQLite:
    IMMEDIATE transactions serialise writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if network:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"vigie.phone-code-net:{network}"]
                )
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
        if not constant_time_compare(code_hash(phone=e164, purpose=purpose, code=code), row.code_hash):
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
