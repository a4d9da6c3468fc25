"""Has this request, or this socket, passed the staff's second factor (password + TOTP)?

Two ways prove it, and only these two:
- a session opened by the staff login (`/connexion/`), which django-otp marks as verified;
- a JWT issued by `POST /api/v1/auth/staff/token/` (phone + password + TOTP), whose `amr` claim
  (RFC 8176, "authentication methods references") lists "otp". Tokens issued for an SMS code carry no
  such claim, so they never open a staff door.

This module only states facts about how someone authenticated; what they may then see or do is decided by
the access policy (`alerts/access.py`).
"""

from collections.abc import Mapping
from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY

AMR_CLAIM = "amr"
PASSWORD = "pwd"  # noqa: S105  (the RFC 8176 method name, not a password)
SECOND_FACTOR = "otp"
STAFF_AMR = (PASSWORD, SECOND_FACTOR)


def claims_have_second_factor(claims: Mapping[str, Any] | None) -> bool:
    """A token's claims (a dict, or simplejwt's token, which behaves as one) record the second factor."""
    if claims is None:
        return False
    try:
        methods = claims.get(AMR_CLAIM) or []
    except (AttributeError, TypeError):
        return False
    return isinstance(methods, list | tuple) and SECOND_FACTOR in methods


def request_has_second_factor(request: Any) -> bool:
    """A DRF or Django request: its JWT records the second factor, or its session was verified by TOTP."""
    token = getattr(request, "auth", None)
    if token is not None:
        return claims_have_second_factor(token)
    user = getattr(request, "user", None)
    verified = getattr(user, "is_verified", None)
    return bool(callable(verified) and verified())


def session_has_second_factor(session: Any, user: Any) -> bool:
    """A session (a socket's scope["session"]) that the staff login verified with this user's device.

    Reads the database: call it from synchronous code."""
    from django_otp.models import Device  # a model: imported once the apps are loaded

    if session is None or user is None:
        return False
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id, for_verify=False)
    return bool(device is not None and device.user_id == user.pk and device.confirmed)


def scope_has_second_factor(scope: Mapping[str, Any]) -> bool:
    """A websocket's scope (see backend/core/websocket.py): its token's claims, or its verified session."""
    method = scope.get("auth_method")
    if method == "token":
        return claims_have_second_factor(scope.get("token_claims"))
    if method == "session":
        return session_has_second_factor(scope.get("session"), scope.get("user"))
    return False
