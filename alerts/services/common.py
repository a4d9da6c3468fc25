"""What the observation services share: limits, text cleaning, the access checks they make."""

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext as _

from alerts import access
from alerts.events import event_emit
from alerts.models import (
    Dispatch,
    Observation,
)
from alerts.models.agency_tokens import PoliceActor
from alerts.selectors import observation_for_console
from backend.accounts.models import User
from backend.core.errors import ApplicationError, Forbidden

MAX_TEXT = 2000
MAX_NOTE = 1000
MAX_PLACE = 200
MAX_AGE = timedelta(days=30)
CLOCK_SKEW = timedelta(minutes=5)
CLAIM_LEASE = timedelta(minutes=10)
SMS_FOLLOW_UP_WINDOW = timedelta(minutes=30)
REJECTIONS_BEFORE_FLAG = 3


# --- shared helpers ----------------------------------------------------------------------------


def text_clean(value: Any, *, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    """A user-written text, neutralised (no bidi, invisible or control characters), stripped, within
    `limit`: else an error on `field` (French)."""
    from backend.core.text import text_neutralise

    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApplicationError(_("Texte attendu."), field=field)
    text = text_neutralise(value).strip()
    if "\x00" in text:
        raise ApplicationError(_("Le texte contient un caractère interdit."), field=field)
    if required and not text:
        raise ApplicationError(_("Ce champ est obligatoire."), field=field)
    if len(text) > limit:
        raise ApplicationError(
            _("%(max)d caractères au plus (%(n)d reçus).") % {"max": limit, "n": len(text)}, field=field
        )
    return text


def moderation_groups(observation: Observation) -> list[str]:
    return access.moderation_event_groups(observation.commune_id)


def observation_event_emit(type: str, observation: Observation, extra: dict[str, Any] | None = None) -> None:
    """An event about an observation for its commune's moderators: the console's dict of it, and `extra`."""
    event_emit(
        type=type,
        data={**observation_for_console(observation), **(extra or {})},
        groups=moderation_groups(observation),
        observation=observation,
    )


def require_moderator(actor: User, commune_id: int) -> None:
    if not access.may_moderate(actor, commune_id):
        raise Forbidden(_("Seuls les modérateurs de la commune peuvent faire cela."))


def require_police(actor: PoliceActor, dispatch: Dispatch) -> None:
    if not access.dispatch_actionable(actor, dispatch):
        raise Forbidden(
            _("Seuls les opérateurs du service (ou l'administrateur de la commune) peuvent faire cela.")
        )
