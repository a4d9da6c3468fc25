"""Retention (RGPD art. 5(1)(e), storage limitation): every table that holds personal data says how long
its rows live, and a daily job purges what is past its period.

Apps register their tables from AppConfig.ready(), as they register personal-data sections and periodic
jobs: a name, a French label, the model, the date field the period runs from, the setting that holds the
period (its name ends in _DAYS or _HOURS), which rows the rule covers (`scope`), and what happens to an
expired row: deleted (default), anonymised (`anonymise={"ip": None}`: a queryset update), or erased by the
app's own function (`erase`, given a batch as a queryset: files, accounts). A table whose period does not
fit "age field older than the setting" (a per-commune period) gives `expired(now)` itself.

    register_retention("alerts.read_log", label=_("Journal des consultations"), model=ObservationRead,
                       setting="READ_LOG_RETENTION_DAYS", age_field="at")

Rules run in registration order (INSTALLED_APPS, then each ready()). Register the rule of a table before
the rule of the rows it hangs from (notifications before observations), so that no rule deletes rows that
a later rule counts: then `retention_report` (counts at `now`) tells exactly what `retention_purge` does.

Pre-purge hooks (`register_retention_pre_purge`) run before anything is purged, at every run: the
statistics a town keeps aggregate there what is about to go. A hook that fails stops the run (nothing is
purged; the daily job retries an hour later): data is never lost to statistics by a bug.

The daily job (`retention_run_due`, the worker's periodic job `core.retention`) remembers its last run in
the database (`RetentionState`), so restarts do not matter, and claims the run with a conditional UPDATE
and a lease, so that of several workers one runs it; the purge itself is idempotent (a second run finds
nothing), so a run that overlaps one whose lease lapsed is harmless. Each run writes one audit row with
counts only.
"""

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from backend.audit.services import audit_record
from backend.core.models import RetentionState

# The daily job: how often it runs, how long a claim holds, how soon a failed run is retried.
RUN_EVERY = timedelta(hours=24)
RUN_LEASE = timedelta(hours=2)
RETRY_AFTER_FAILURE = timedelta(hours=1)
STATE_NAME = "retention"


class PrePurgeHook(Protocol):
    def __call__(self, *, now: datetime) -> None: ...


@dataclass(frozen=True)
class RetentionRule:
    name: str
    label: StrOrPromise
    model: type[models.Model]
    # The Django setting that holds the period; its name ends in _DAYS or _HOURS.
    setting: str
    # The date the period runs from (for the report and the default query).
    age_field: str
    # Said in the report when the period does not simply run from `age_field` (French).
    since: StrOrPromise = ""
    scope: Q = field(default_factory=Q)
    # Fields → values written by a queryset update; None: rows are deleted (or given to `erase`).
    anonymise: Mapping[str, Any] | None = None
    # The app's own eraser for a batch of expired rows (files, accounts); returns the rows it handled.
    erase: Callable[[QuerySet[Any]], int] | None = None
    # The expired rows at `now`, for periods that do not fit "age_field older than the setting".
    expired_query: Callable[[datetime], QuerySet[Any]] | None = None

    @property
    def action(self) -> str:
        if self.anonymise is not None:
            return "anonymise"
        return "erase" if self.erase is not None else "delete"

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def period(self) -> timedelta:
        value = getattr(settings, self.setting)
        if self.setting.endswith("_HOURS"):
            return timedelta(hours=float(value))
        return timedelta(days=float(value))

    def expired(self, now: datetime) -> QuerySet[Any]:
        """The rows past their period at `now` that the rule still has to purge (an anonymised row has
        left the scope: a second run finds nothing)."""
        if self.expired_query is not None:
            return self.expired_query(now)
        limit = now - self.period()
        return self.model._default_manager.filter(self.scope).filter(**{f"{self.age_field}__lt": limit})


_rules: dict[str, RetentionRule] = {}
_pre_purge: dict[str, PrePurgeHook] = {}


def register_retention(
    name: str,
    *,
    label: StrOrPromise,
    model: type[models.Model],
    setting: str,
    age_field: str,
    since: StrOrPromise = "",
    scope: Q | None = None,
    anonymise: Mapping[str, Any] | None = None,
    erase: Callable[[QuerySet[Any]], int] | None = None,
    expired: Callable[[datetime], QuerySet[Any]] | None = None,
) -> None:
    """Declares how long the rows of a table with personal data live (see the module's docstring)."""
    if not setting.endswith(("_DAYS", "_HOURS")):
        raise ImproperlyConfigured(f"Retention {name}: the setting {setting} must end in _DAYS or _HOURS.")
    if not hasattr(settings, setting):
        raise ImproperlyConfigured(f"Retention {name}: the setting {setting} does not exist.")
    if anonymise is not None and erase is not None:
        raise ImproperlyConfigured(f"Retention {name}: anonymise or erase, not both.")
    _rules[name] = RetentionRule(
        name=name,
        label=label,
        model=model,
        setting=setting,
        age_field=age_field,
        since=since,
        scope=scope if scope is not None else Q(),
        anonymise=dict(anonymise) if anonymise is not None else None,
        erase=erase,
        expired_query=expired,
    )


def register_retention_pre_purge(name: str, hook: PrePurgeHook) -> None:
    """`hook(now=…)` runs before any purge (statistics aggregate what is about to go)."""
    _pre_purge[name] = hook


def unregister_retention_pre_purge(name: str) -> None:
    _pre_purge.pop(name, None)


def retention_rules() -> list[RetentionRule]:
    return list(_rules.values())


def retention_rule(name: str) -> RetentionRule:
    return _rules[name]


def _selected(only: Iterable[str] | None) -> list[RetentionRule]:
    if only is None:
        return retention_rules()
    names = list(only)
    unknown = [name for name in names if name not in _rules]
    if unknown:
        raise KeyError(f"Unknown retention rules: {', '.join(unknown)}")
    return [rule for rule in _rules.values() if rule.name in names]


def retention_report(*, now: datetime | None = None, only: Iterable[str] | None = None) -> dict[str, int]:
    """Per rule, how many rows the next run purges (nothing is changed)."""
    at = now or timezone.now()
    return {rule.name: rule.expired(at).count() for rule in _selected(only)}


def _purge_rule(
    rule: RetentionRule, *, now: datetime, batch: int, say: Callable[[str], None]
) -> tuple[int, int]:
    """Purges one rule's expired rows, batch after batch (one transaction each); (rows, batches)."""
    done: set[Any] = set()
    batches = 0
    while True:
        ids = list(rule.expired(now).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return len(done), batches
        if done.intersection(ids):  # the action left rows in the expired set: it would loop forever
            raise RuntimeError(f"Retention {rule.name}: purged rows are still expired; check its scope.")
        with transaction.atomic():
            rows = rule.model._default_manager.filter(pk__in=ids)
            if rule.anonymise is not None:
                rows.update(**rule.anonymise)
            elif rule.erase is not None:
                rule.erase(rows)
            else:
                rows.delete()
        done.update(ids)
        batches += 1
        say(f"  lot {batches} : {len(ids)}")


def retention_purge(
    *,
    now: datetime | None = None,
    only: Iterable[str] | None = None,
    batch: int = 500,
    say: Callable[[str], None] = lambda _line: None,
) -> dict[str, int]:
    """Runs the pre-purge hooks, then purges every rule's expired rows; writes one audit row (counts only).
    Returns the rows purged per rule. Idempotent: a second run at the same `now` purges nothing."""
    at = now or timezone.now()
    rules = _selected(only)
    for hook_name, hook in list(_pre_purge.items()):
        say(f"Avant la purge : {hook_name}")
        hook(now=at)
    counts: dict[str, int] = {}
    for rule in rules:
        say(f"{rule.label} ({rule.table}) : durée {period_text(rule)}")
        count, batches = _purge_rule(rule, now=at, batch=batch, say=say)
        counts[rule.name] = count
        verb = "anonymisée(s)" if rule.action == "anonymise" else "effacée(s)"
        say(f"  {count} ligne(s) {verb} en {batches} lot(s)")
    audit_record(
        actor=None,
        action="retention.purged",
        extra={"counts": counts, "total": sum(counts.values()), "at": at.isoformat()},
    )
    return counts


def period_text(rule: RetentionRule) -> str:
    """« 365 jour(s) (OBSERVATION_RETENTION_DAYS) »."""
    value = getattr(settings, rule.setting)
    unit = "heure(s)" if rule.setting.endswith("_HOURS") else "jour(s)"
    return f"{value} {unit} ({rule.setting})"


# --- the daily job ------------------------------------------------------------------------------


def retention_next_run() -> datetime | None:
    row = RetentionState.objects.filter(name=STATE_NAME).first()
    return row.next_run_at if row else None


def retention_run_due(*, now: datetime | None = None) -> int:
    """The worker's periodic job: purges when the last run is 24 h old; returns the rows purged (0 when
    not due or another worker holds the run)."""
    state = RetentionState
    at = now or timezone.now()
    # get_or_create survives two workers creating the row at once (the loser reads the winner's row).
    state.objects.get_or_create(name=STATE_NAME, defaults={"next_run_at": at})
    token = secrets.token_hex(16)
    won = (
        state.objects.filter(name=STATE_NAME, next_run_at__lte=at)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=at))
        .update(lease_until=at + RUN_LEASE, claim_token=token)
    )
    if not won:
        return 0
    try:
        counts = retention_purge(now=at)
    except Exception:
        state.objects.filter(name=STATE_NAME, claim_token=token).update(
            lease_until=None, claim_token="", next_run_at=at + RETRY_AFTER_FAILURE
        )
        raise
    state.objects.filter(name=STATE_NAME, claim_token=token).update(
        lease_until=None, claim_token="", last_run_at=at, next_run_at=at + RUN_EVERY
    )
    return sum(counts.values())
