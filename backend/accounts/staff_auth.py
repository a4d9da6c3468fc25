"""Staff sign-in, one rule for every door: phone + password + TOTP, locked by django-axes.

The login page (`/connexion/`, a session) and the staff token API (`POST /api/v1/auth/staff/token/`, JWTs
that record the second factor) both call `staff_authenticate`: the password goes through Django's
`authenticate` (so axes counts it and refuses a locked account), a right password with a wrong TOTP code
counts as a failure too, and whoever is not staff gets the same answer as a wrong password.
"""

from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import match_token
from django_otp.models import Device

from backend.accounts.models import User
from backend.accounts.phone import normalize_phone
from backend.accounts.tokens import tokens_issue
from backend.audit.services import audit_record, client_ip
from backend.core.errors import ApplicationError


class StaffLocked(ApplicationError):
    status_code = 429


def lockout_message() -> str:
    return _("Trop d'échecs de connexion : compte bloqué pendant 15 minutes.")


def _wrong() -> ApplicationError:
    return ApplicationError(_("Identifiants ou code incorrects."))


def staff_authenticate(*, request: HttpRequest, phone: str, password: str, totp: str) -> tuple[User, Device]:
    """The staff member and the TOTP device that matched; raises StaffLocked (axes lockout) or one
    generic error for anything else (unknown phone, not staff, wrong password, wrong code)."""
    e164 = normalize_phone(phone)  # an unreadable number is a field error, not a failed attempt
    user = authenticate(request, phone=e164, password=password)
    if getattr(request, "axes_locked_out", False):
        raise StaffLocked(lockout_message())
    if not isinstance(user, User):
        raise _wrong()
    device = match_token(user, totp) if totp else None
    if not user.is_staff or device is None:
        # A right password with a wrong second factor (or without a staff role) counts as a failure too.
        user_login_failed.send(sender=__name__, credentials={"phone": e164}, request=request)
        if getattr(request, "axes_locked_out", False):
            raise StaffLocked(lockout_message())
        raise _wrong()
    return user, device


def staff_token_obtain(*, request: HttpRequest, phone: str, password: str, totp: str) -> dict[str, str]:
    """Password + TOTP → {"access", "refresh"} whose claims record the second factor (amr)."""
    user, _device = staff_authenticate(request=request, phone=phone, password=password, totp=totp)
    # What login() sends for a session: axes forgets the failures, last_login is updated.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    tokens = tokens_issue(user=user, second_factor=True)
    audit_record(actor=user, action="auth.login_staff_token", target=user, ip=client_ip(request))
    return tokens
