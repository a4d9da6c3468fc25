"""What the broadcast services share: the channels, the limits on texts, which kinds quiet hours hold back
and which go first, and the checks every write makes."""

from datetime import datetime

from django.utils.translation import gettext as _

from alerts import access
from alerts.broadcasts.models import Broadcast
from backend.accounts.models import User
from backend.core.errors import ApplicationError, Forbidden

CHANNELS = ("push", "sms")
# Quiet hours hold back these kinds only; alerts always go at once.
QUIET_HOURS_KINDS = frozenset({Broadcast.Kind.PREVENTION})
HIGH_PRIORITY_KINDS = frozenset({Broadcast.Kind.BURGLARY_ALERT, Broadcast.Kind.SHOP_ALERT})
MAX_TITLE = 120
MAX_BODY = 1000


def require_staff(actor: User, commune_id: int) -> None:
    if not access.may_broadcast(actor, commune_id):
        raise Forbidden(_("Seuls les agents et modérateurs de la commune peuvent diffuser des messages."))


def clean_dates(send_at: datetime | None, expires_at: datetime | None, now: datetime) -> None:
    if expires_at is not None and expires_at <= now:
        raise ApplicationError(_("La date d'expiration est déjà passée."), field="expires_at")
    if send_at is not None and expires_at is not None and expires_at <= send_at:
        raise ApplicationError(_("La diffusion expirerait avant d'être envoyée."), field="expires_at")


def sms_text_of(*, commune: str, msg_type: str, title: str, body: str) -> str:
    """The text of a broadcast's SMS (what sending sends and the preview counts). Its separators are GSM-7:
    an en dash there would bill every SMS in UCS-2."""
    prefixes: dict[str, str] = {
        Broadcast.MsgType.UPDATE: _("Mise à jour"),
        Broadcast.MsgType.CANCEL: _("Annulation"),
    }
    prefix = prefixes.get(msg_type, "")
    head = f"{commune} - {title}"
    return f"{prefix} : {head}\n{body}" if prefix else f"{head}\n{body}"
