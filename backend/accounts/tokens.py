"""The API's JWTs: one family per login, rotation inside the family, revocation of a whole family.

- `tokens_issue` starts a family (a `TokenFamily` row; its id in the `fam` claim of every token that
  descends from it) at each login: SMS code, staff token (password + TOTP), enrolment. Only the staff
  token's family records the second factor (`amr` = ["pwd", "otp"], backend/accounts/second_factor.py);
  its refresh tokens live STAFF_REFRESH_TOKEN_LIFETIME_HOURS, counted from the login: rotation keeps their
  expiry, so the second factor is never older than that.
- `token_rotate` (POST /api/v1/auth/token/refresh/) blacklists the refresh token it is given and returns
  its successor in the same family. Presenting a refresh token that was already rotated (the sign that
  someone else holds a copy) revokes the whole family: the newest refresh token stops working too.
- `token_logout` blacklists a refresh token and revokes its family.
- `JWTAuthentication` refuses access tokens of a revoked family at once (not 15 minutes later), in the
  query that already loads the user (an EXISTS on the family's primary key, no extra round trip).

Tokens without a `fam` claim (issued before families existed) still work; their first rotation starts a
family.
"""

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer as SimpleTokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch

from backend.accounts.family_sql import user_with_family
from backend.accounts.models import TokenFamily, User
from backend.accounts.second_factor import AMR_CLAIM, STAFF_AMR, claims_have_second_factor
from backend.audit.services import audit_record

FAMILY_CLAIM = "fam"


def staff_refresh_lifetime() -> timedelta:
    return timedelta(hours=settings.STAFF_REFRESH_TOKEN_LIFETIME_HOURS)


def _revoked_message() -> str:
    return _("Session fermée : reconnectez-vous.")


class FamilyRefreshToken(RefreshToken):
    """A refresh token that is refused when blacklisted or when its family is revoked; presenting a
    blacklisted one revokes its family (reuse of a rotated token)."""

    def check_blacklist(self) -> None:
        jti = self.payload[api_settings.JTI_CLAIM]
        family = self.payload.get(FAMILY_CLAIM)
        if BlacklistedToken.objects.filter(token__jti=jti).exists():
            if family:
                family_revoke(family=str(family), reason=TokenFamily.Reason.REUSE)
            raise TokenError(_("Token is blacklisted"))
        if family and TokenFamily.objects.filter(pk=family, revoked_at__isnull=False).exists():
            raise TokenError(_revoked_message())

    def outstanding_row(self, user: User | None) -> OutstandingToken:
        row, _created = OutstandingToken.objects.get_or_create(
            jti=self.payload[api_settings.JTI_CLAIM],
            defaults={
                "user": user,
                "created_at": self.current_time,
                "token": str(self),
                "expires_at": datetime_from_epoch(self.payload["exp"]),
            },
        )
        return row


def _family_start(token: FamilyRefreshToken, *, user: User, second_factor: bool) -> TokenFamily:
    family = TokenFamily.objects.create(id=uuid.uuid4().hex, user=user, second_factor=second_factor)
    token[FAMILY_CLAIM] = family.id
    return family


def tokens_issue(*, user: User, second_factor: bool = False) -> dict[str, str]:
    """A new family for this login and its first pair: {"access", "refresh"}. `second_factor` only when
    the caller checked password + TOTP (the staff token): the tokens then carry amr = ["pwd", "otp"]."""
    refresh = FamilyRefreshToken()
    refresh[api_settings.USER_ID_CLAIM] = str(getattr(user, api_settings.USER_ID_FIELD))
    _family_start(refresh, user=user, second_factor=second_factor)
    if second_factor:
        refresh[AMR_CLAIM] = list(STAFF_AMR)
        refresh.set_exp(from_time=refresh.current_time, lifetime=staff_refresh_lifetime())
    refresh.outstanding_row(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def family_revoke(*, family: str, reason: str, actor: User | None = None, ip: str | None = None) -> bool:
    """Revokes a family (its refresh and access tokens are refused from now on); False if it already was."""
    revoked = bool(
        TokenFamily.objects.filter(pk=family, revoked_at=None).update(
            revoked_at=timezone.now(), revoked_reason=reason
        )
    )
    if revoked:
        row = TokenFamily.objects.select_related("user").get(pk=family)
        audit_record(
            actor=actor or row.user,
            action="auth.token_family_revoked",
            target=row.user,
            extra={"family": family[:8], "reason": reason},
            ip=ip,
        )
    return revoked


def families_revoke_for_user(*, user: User, reason: str) -> int:
    """Every open family of the user (account erased)."""
    return TokenFamily.objects.filter(user=user, revoked_at=None).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def _active_user(token: Token) -> User:
    user = User.objects.filter(pk=token.get(api_settings.USER_ID_CLAIM)).first()
    if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
        raise AuthenticationFailed(
            _("No active account found for the given token."), code="no_active_account"
        )
    return user


def token_rotate(*, raw: str) -> dict[str, str]:
    """The successor of a refresh token in its family, and an access token; the given one is blacklisted.

    The check and the blacklisting happen under a lock on the token's row: of two requests with the same
    token, one rotates it and the other is a reuse (the family is revoked)."""
    refresh = FamilyRefreshToken(raw)  # type: ignore[arg-type]
    user = _active_user(refresh)
    jti = refresh.payload[api_settings.JTI_CLAIM]
    with transaction.atomic():
        # order_by: the model orders by user, a nullable join that FOR UPDATE refuses (PostgreSQL).
        outstanding = OutstandingToken.objects.select_for_update().filter(jti=jti).order_by("pk").first()
        if outstanding is None:
            outstanding = refresh.outstanding_row(user)
        reused = BlacklistedToken.objects.filter(token=outstanding).exists()
        if not reused:
            BlacklistedToken.objects.create(token=outstanding)
            if not refresh.payload.get(FAMILY_CLAIM):
                _family_start(refresh, user=user, second_factor=False)
            access = refresh.access_token
            refresh.set_jti()
            if not claims_have_second_factor(refresh.payload):
                refresh.set_exp()
            # A staff family keeps its expiry: the second factor is at most its lifetime old.
            refresh.set_iat()
            refresh.outstanding_row(user)
            TokenFamily.objects.filter(pk=refresh.payload[FAMILY_CLAIM]).update(rotated_at=timezone.now())
    if reused:  # outside the transaction that was rolled back: the revocation must stay
        family_revoke(family=str(refresh.payload.get(FAMILY_CLAIM, "")), reason=TokenFamily.Reason.REUSE)
        raise TokenError(_("Token is blacklisted"))
    return {"access": str(access), "refresh": str(refresh)}


def token_logout(*, raw: str, ip: str | None = None) -> None:
    """Blacklists the refresh token and revokes its family (every device signed in by that login)."""
    refresh = FamilyRefreshToken(raw)  # type: ignore[arg-type]
    user = User.objects.filter(pk=refresh.get(api_settings.USER_ID_CLAIM)).first()
    with transaction.atomic():
        BlacklistedToken.objects.get_or_create(token=refresh.outstanding_row(user))
        family = refresh.payload.get(FAMILY_CLAIM)
        revoked = bool(family) and family_revoke(family=str(family), reason=TokenFamily.Reason.LOGOUT, ip=ip)
        if user is not None and not revoked:
            audit_record(actor=user, action="auth.logout", target=user, ip=ip)


# simplejwt's refresh (same fields, same name in the schema: no docstring, which would describe it there),
# through token_rotate.
class TokenRefreshSerializer(SimpleTokenRefreshSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        return token_rotate(raw=attrs["refresh"])


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's, and an access token of a revoked family is refused (same single query)."""

    def get_user(self, validated_token: Token) -> Any:
        family = validated_token.get(FAMILY_CLAIM)
        if not family:
            return super().get_user(validated_token)
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        found = user_with_family(user_id=user_id, family=str(family))
        if found is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        user, family_revoked = found
        if family_revoked:
            raise AuthenticationFailed(_revoked_message(), code="token_revoked")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        return user


class VigieJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of simplejwt's authentication, for this subclass of it."""

    target_class = "backend.accounts.tokens.JWTAuthentication"
