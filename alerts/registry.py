"""Where apps above `alerts` plug in what they own (DESIGN.md, layers): alerts never imports them.

- Submitter rules: whether a person may submit an observation now, and whether they are trusted
  (routine categories may skip moderation). `neighbours` registers the referents' rule (status, charter,
  protocol period, trust flag); `commerces` registers the shopkeepers' rule.
- Audiences: who a broadcast reaches. `neighbours` registers "referents", `commerces` "shopkeepers".

Apps call the register_* functions from their AppConfig.ready().
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet

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
