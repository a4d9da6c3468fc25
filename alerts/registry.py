"""Where apps above `alerts` plug in what they own (DESIGN.md, layers): alerts never imports them.

- Submitter rules: whether a person may submit an observation now, and whether they are trusted
  (routine categories may skip moderation). `neighbours` registers the referents' rule (status, charter,
  protocol period, trust flag); `commerces` registers the shopkeepers' rule.
- Audiences: who a broadcast reaches. `neighbours` registers "referents", `commerces` "shopkeepers".
- Push preferences: whether a user wants a push of a broadcast kind now (opt-outs, quiet hours);
  broadcasts ask `push_decisions(...)`. `neighbours` registers the referents' preferences.
- Broadcast text checks: whether a broadcast, an update or a cancel may say this to these audiences.
  `commerces` registers the one that keeps the victim shop out of every message to shopkeepers.
- Reporter places: which reporters speak for one place, so that the console suggests their reports as
  duplicates. `commerces` registers its shops.
- Extra SMS recipients: numbers without an account in the audiences that a sent broadcast also texts.
  `neighbours` registers the residents on holiday watch who asked for burglary alerts.
- Staff links: pages of an upper app that the console and the staff home link to, for those the access
  policy lets in. `neighbours` registers the holiday watch's daily list.

Apps call the register_* functions from their AppConfig.ready().
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django_stubs_ext import StrOrPromise

from backend.accounts.models import User
from backend.territory.models import Commune, Sector


@dataclass(frozen=True)
class SubmitterVerdict:
    allowed: bool
    # French, for the person, when refused ("Vous n'avez pas encore accepté la charte du référent.").
    reason: str = ""
    trusted: bool = False


SubmitterRule = Callable[[User], SubmitterVerdict]

_submitter_rules: dict[str, SubmitterRule] = {}


def register_submitter_rule(role: str, rule: SubmitterRule) -> None:
    _submitter_rules[role] = rule


def submitter_rule(role: str) -> SubmitterRule | None:
    return _submitter_rules.get(role)


@dataclass(frozen=True)
class AudienceQuery:
    commune: Commune
    # Empty: the whole commune. Already widened to adjacent sectors when the broadcast asked for it.
    sectors: Sequence[Sector] = ()
    # Shop trade types (commerces); empty: all trades.
    trades: Sequence[str] = field(default_factory=tuple)


AudienceProvider = Callable[[AudienceQuery], QuerySet[User]]

_audiences: dict[str, AudienceProvider] = {}


def register_audience(name: str, provider: AudienceProvider) -> None:
    _audiences[name] = provider


def audience_names() -> list[str]:
    return sorted(_audiences)


def audience_provider(name: str) -> AudienceProvider | None:
    return _audiences.get(name)


# --- Push preferences (neighbours registers the referents'; others may add theirs) -------------------
@dataclass(frozen=True)
class PushDecision:
    """Whether one user wants a push of this kind now: `send` False is an opt-out (the inbox still lists
    the message); `not_before` set means quiet hours hold the push back until then."""

    send: bool = True
    not_before: datetime | None = None


# (user ids, broadcast kind such as "prevention" or "burglary_alert", when) → decisions for the users
# the provider knows; users that no provider knows get PushDecision() (send now).
PushPreferenceProvider = Callable[[Sequence[int], str, datetime], Mapping[int, PushDecision]]

_push_preferences: dict[str, PushPreferenceProvider] = {}


def register_push_preferences(name: str, provider: PushPreferenceProvider) -> None:
    _push_preferences[name] = provider


def push_decisions(*, user_ids: Sequence[int], kind: str, at: datetime) -> dict[int, PushDecision]:
    """One decision per user id, every registered provider asked (an opt-out anywhere wins)."""
    decisions = {user_id: PushDecision() for user_id in user_ids}
    for provider in _push_preferences.values():
        for user_id, decision in provider(list(user_ids), kind, at).items():
            current = decisions.get(user_id)
            if current is None:
                continue
            later = max((d for d in (current.not_before, decision.not_before) if d), default=None)
            decisions[user_id] = PushDecision(send=current.send and decision.send, not_before=later)
    return decisions


# --- Checks on a broadcast's text (commerces: a message to shopkeepers never names the victim shop) --
@dataclass(frozen=True)
class BroadcastText:
    """What a broadcast, an update or a cancel is about to send, for the checks to read."""

    commune: Commune
    kind: str  # "prevention", "burglary_alert", "shop_alert"
    # Who it reaches ("referents", "shopkeepers"…); an update or a cancel: its original's audiences.
    audiences: Sequence[str]
    title: str
    body: str


# → None, or raises ApplicationError(field="title" or "body") in French.
BroadcastTextCheck = Callable[[BroadcastText], None]

_broadcast_text_checks: dict[str, BroadcastTextCheck] = {}


def register_broadcast_text_check(name: str, check: BroadcastTextCheck) -> None:
    _broadcast_text_checks[name] = check


def broadcast_text_check(
    *, commune: Commune, kind: str, audiences: Sequence[str], title: str, body: str
) -> None:
    text = BroadcastText(commune=commune, kind=kind, audiences=tuple(audiences), title=title, body=body)
    for check in _broadcast_text_checks.values():
        check(text)


# --- Reporters who speak for one place (commerces: the shopkeepers of a shop) -----------------------
# (author ids) → a key per author whose reports come from one place, e.g. "shop:12"; others are absent.
# The console suggests two reports of the same place as likely duplicates.
ReporterPlaceProvider = Callable[[Sequence[int]], Mapping[int, str]]

_reporter_places: dict[str, ReporterPlaceProvider] = {}


def register_reporter_place(name: str, provider: ReporterPlaceProvider) -> None:
    _reporter_places[name] = provider


def reporter_places(*, user_ids: Sequence[int]) -> dict[int, str]:
    places: dict[int, str] = {}
    for provider in _reporter_places.values():
        places.update(provider(list(user_ids)))
    return places


# --- Numbers outside the audiences that a broadcast also texts (neighbours: residents on holiday watch) --
# (the broadcast's commune and sectors, its kind) → E.164 numbers; asked once, when an original is sent.
SmsRecipientsProvider = Callable[[AudienceQuery, str], Sequence[str]]

_sms_recipients: dict[str, SmsRecipientsProvider] = {}


def register_sms_recipients(name: str, provider: SmsRecipientsProvider) -> None:
    _sms_recipients[name] = provider


def sms_recipients(query: AudienceQuery, kind: str) -> list[str]:
    """Every provider's numbers, each once, in a stable order."""
    return sorted(
        {phone for provider in _sms_recipients.values() for phone in provider(query, kind) if phone}
    )


# --- Pages of upper apps that the console and the staff home link to ----------------------------------
@dataclass(frozen=True)
class StaffLink:
    label: StrOrPromise
    url_name: str
    # The access policy's answer (alerts/access.py) for this user.
    allowed: Callable[[User], bool]


_staff_links: dict[str, StaffLink] = {}


def register_staff_link(name: str, link: StaffLink) -> None:
    _staff_links[name] = link


def staff_links(user: User) -> list[StaffLink]:
    return [link for link in _staff_links.values() if link.allowed(user)]
