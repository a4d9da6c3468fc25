"""The kernel's retention registry and its daily job: registrations, hooks first, one run a day whatever the
restarts and the number of workers, an audit row with counts only, the two commands; and a guard that every
table holding personal data was given a period on purpose."""

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import models
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from backend.accounts.models import PhoneCode
from backend.audit.models import AuditEvent
from backend.core import retention
from backend.core.models import RetentionState
from backend.core.periodic import periodic_jobs
from backend.core.retention import (
    RUN_LEASE,
    register_retention,
    register_retention_pre_purge,
    retention_purge,
    retention_report,
    retention_rules,
    retention_run_due,
    unregister_retention_pre_purge,
)
from tests import factories
from tests.live import ROOT
from tests.retention.conftest import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved_rules() -> Iterator[None]:
    saved = dict(retention._rules)
    yield
    retention._rules.clear()
    retention._rules.update(saved)


def _old_code() -> PhoneCode:
    """A phone code written at T0 (the clock is frozen there by the caller)."""
    return PhoneCode.objects.create(
        phone=factories.phone(), purpose="login", code_hash="x", expires_at=timezone.now(), ip="192.0.2.9"
    )


# --- registrations ------------------------------------------------------------------------------


def test_a_table_registers_in_one_line_and_the_report_lists_it(saved_rules: None) -> None:
    register_retention(
        "tests.read_log", label="Journal des consultations", model=AuditEvent, setting="AUDIT_IP_RETENTION_DAYS",
        age_field="at",
    )  # fmt: skip
    assert "tests.read_log" in retention_report()
    out = StringIO()
    call_command("retention_report", stdout=out)
    assert "Journal des consultations (audit_auditevent) : 0 à effacer" in out.getvalue()


@pytest.mark.parametrize(
    ("setting", "message"),
    [("AUDIT_IP_RETENTION", "_DAYS or _HOURS"), ("NO_SUCH_RETENTION_DAYS", "does not exist")],
)
def test_a_registration_names_an_existing_period_setting(
    saved_rules: None, setting: str, message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        register_retention("tests.bad", label="x", model=AuditEvent, setting=setting, age_field="at")


def test_every_registration_names_a_setting_documented_in_env_example() -> None:
    example = (ROOT / "deploy" / "env.example").read_text()
    privacy = (ROOT / "docs" / "privacy.md").read_text()
    for rule in retention_rules():
        assert f"{rule.setting}=" in example, rule.setting
        assert rule.setting in privacy, rule.setting
        assert getattr(settings, rule.setting) > 0


def test_a_period_of_zero_is_refused_at_start() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DEBUG": "1",
            "OBSERVATION_MAX_AGE_DAYS": "0",
            "INBOUND_SMS_RETENTION_DAYS": "-3",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Retention periods must be 1 or more:" in result.stderr
    assert "OBSERVATION_MAX_AGE_DAYS" in result.stderr
    assert "INBOUND_SMS_RETENTION_DAYS" in result.stderr


# Every model whose fields hold a phone number, an IP address, free text (or JSON) or a link to a person is listed
# here: with the retention rules that purge it, or with the reason it needs none. A new such model fails
# the test until someone decides its period (register_retention) or writes down why it has none.
PERSONAL_DATA: dict[str, list[str] | str] = {
    "accounts.user": "the account: erased on request, or by the rules neighbours.referents_* and "
    "commerces.shopkeepers_ended; staff accounts are removed by the commune's administrator",
    "accounts.phonecode": ["accounts.phone_codes"],
    "audit.auditevent": ["audit.ip"],
    "admin.logentry": ["audit.admin_log"],
    "axes.accesslog": ["accounts.signin_log"],
    "axes.accessattempt": ["accounts.signin_attempts"],
    "axes.accessfailurelog": ["accounts.signin_failures"],
    "sessions.session": ["accounts.sessions"],
    "token_blacklist.outstandingtoken": ["accounts.refresh_tokens"],
    "accounts.tokenfamily": ["accounts.token_families"],
    "token_blacklist.blacklistedtoken": "goes with its outstanding token (cascade)",
    "otp_totp.totpdevice": "a staff member's second factor: lives and dies with the staff account",
    "messaging.delivery": ["messaging.deliveries"],
    "messaging.pushreceipt": "goes with its delivery (cascade)",
    "messaging.device": ["messaging.devices_inactive"],
    "alerts.agency": "a police service: its members are staff accounts, its duty phone a service number",
    "alerts.agencytoken": "a police service's machine credential (hash, label): who created or revoked it "
    "is a staff id; no address is stored",
    "alerts.communealertsettings": "a commune's settings; who switched the emergency mode is a staff id",
    "alerts.observation": [
        "alerts.observation_ip",
        "alerts.observations_unfinished",
        "alerts.observations_finished",
    ],
    "alerts.emergencyactivation": ["alerts.emergency_activations"],
    "alerts.emergencyrenewal": "goes with its activation (cascade)",
    "alerts.emergencycallout": "goes with its activation (cascade)",
    "alerts.emergencylogentry": "goes with its activation (cascade)",
    "alerts.emergencyrostermember": "a staff member's seat on the emergency cell: removed by the commune's "
    "moderators, deleted with the account",
    "alerts.observationaddition": "goes with its observation (cascade)",
    "alerts.observationtransition": "goes with its observation (cascade)",
    "alerts.dispatch": "goes with its observation (cascade)",
    "alerts.dispatchnote": "goes with its dispatch, hence its observation (cascade)",
    "alerts.event": ["alerts.events"],
    "alerts.notification": ["alerts.notifications"],
    "alerts.observationread": ["alerts.observation_reads"],
    "core.idempotencyrecord": ["core.idempotency"],
    "alerts.senderstanding": "a sender's counts and block: lives with the sender's account",
    "broadcasts.broadcast": "the commune's public messages (staff authors by id)",
    "broadcasts.broadcastrecipient": ["broadcasts.recipients"],
    "broadcasts.broadcasttemplate": "a commune's wording per kind of broadcast: no person",
    "console.consoleconnection": "one row per open socket: deleted on close, or by console.presence_prune",
    "console.consolepreference": "a console user's sound and notification choices: deleted with the account",
    "neighbours.protocol": "a commune's agreement with the police: no person",
    "neighbours.charter": "the commune's charter text: no person",
    "neighbours.referent": ["neighbours.referents_refused", "neighbours.referents_ended"],
    "neighbours.referentstatuschange": "the referent's trail: stays, its reasons cleared when the "
    "retention erases the referent",
    "neighbours.invitation": ["neighbours.invitations_expired"],
    "neighbours.application": "with its referent; the motivation is cleared when the account is erased",
    "neighbours.preferences": "with the account: deleted when it is erased",
    "commerces.shop": "a business (its address is the shop's)",
    "commerces.shopkeeper": "with the account: deleted when it is erased",
    "commerces.shopapplication": ["commerces.shop_applications"],
    "commerces.inboundmessage": ["commerces.inbound_sms"],
    "privacy.rightsrequest": ["privacy.rights_requests"],
    "commerces.shopalerttemplate": "templates written by staff: no person",
    "holiday_watch.watchrequest": ["holiday_watch.requests"],
    "holiday_watch.patrolpass": ["holiday_watch.passes"],
    "video.footagerequest": ["video.register"],
    "video.extraction": "goes with its request (cascade): the register, VIDEO_REGISTER_RETENTION_DAYS",
    "video.destruction": "goes with its extraction, hence its request (cascade)",
    "video.camera": "a camera of the town (name, place, what it films): no person",
    "territory.commune": "a commune and its boundary (GeoJSON): no person",
    "territory.sector": "a sector's polygon (GeoJSON): no person",
    "territory.address": "the Base Adresse Nationale's public addresses (import_ban): no person",
    "watch_cell.meeting": ["watch_cell.meetings"],
    "watch_cell.rostermember": "goes with its meeting (cascade)",
    "watch_cell.action": "goes with its meeting (cascade)",
    "statistics.monthlyfigure": "aggregates: counts and delays per group, nothing that points at a person "
    "or an observation (kept after the purge on purpose)",
}
PERSONAL_FIELD_NAMES = {"phone", "sender", "ip", "ip_address", "address", "username", "user_agent", "email"}


def _holds_personal_data(model: type[models.Model]) -> bool:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for field in model._meta.get_fields():
        if not getattr(field, "concrete", False):
            continue
        if isinstance(
            field, models.GenericIPAddressField | PhoneNumberField | models.TextField | models.JSONField
        ):
            return True
        if field.name in PERSONAL_FIELD_NAMES or field.name.endswith(("_phone", "_name", "_ip")):
            return True
        if field.is_relation and field.related_model is user_model:
            return True
    return False


def test_every_model_with_personal_data_has_a_period_or_a_reason() -> None:
    found = {m._meta.label_lower for m in apps.get_models() if _holds_personal_data(m)}
    missing = sorted(found - set(PERSONAL_DATA))
    assert not missing, (
        f"Personal data without a retention decision: {missing} (see backend/core/retention.py)"
    )
    rules = {rule.name: rule for rule in retention_rules()}
    for label, decision in PERSONAL_DATA.items():
        assert apps.get_model(label) is not None
        if isinstance(decision, str):
            assert decision.strip()
            continue
        for name in decision:
            assert name in rules, f"{label}: no rule {name}"
    registered = {rule.model._meta.label_lower for rule in rules.values()}
    assert registered <= set(PERSONAL_DATA), "a registered table is missing from PERSONAL_DATA"


# --- hooks, audit -------------------------------------------------------------------------------


def test_pre_purge_hooks_run_before_anything_is_purged(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    code = _old_code()
    seen: list[bool] = []
    register_retention_pre_purge(
        "tests.first", lambda *, now: seen.append(PhoneCode.objects.filter(pk=code.pk).exists())
    )
    try:
        time_machine.move_to(T0 + timedelta(days=3), tick=False)
        retention_purge()
    finally:
        unregister_retention_pre_purge("tests.first")
    assert seen == [True]
    assert not PhoneCode.objects.filter(pk=code.pk).exists()


def test_a_failing_hook_stops_the_run_before_any_purge(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    code = _old_code()

    def broken(*, now: Any) -> None:
        raise RuntimeError("statistics unavailable")

    register_retention_pre_purge("tests.broken", broken)
    try:
        time_machine.move_to(T0 + timedelta(days=3), tick=False)
        with pytest.raises(RuntimeError, match="statistics unavailable"):
            retention_run_due()
    finally:
        unregister_retention_pre_purge("tests.broken")
    assert PhoneCode.objects.filter(pk=code.pk).exists()
    state = RetentionState.objects.get()
    assert state.lease_until is None
    assert state.last_run_at is None
    assert state.next_run_at == timezone.now() + timedelta(hours=1)  # retried an hour later


def test_each_run_writes_one_audit_row_with_counts_only(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    _old_code()
    time_machine.move_to(T0 + timedelta(days=3), tick=False)
    retention_run_due()
    row = AuditEvent.objects.get(action="retention.purged")
    assert row.actor_id is None
    assert row.ip is None
    assert row.extra["counts"]["accounts.phone_codes"] == 1
    assert row.extra["total"] == sum(row.extra["counts"].values())
    assert set(row.extra["counts"]) == {rule.name for rule in retention_rules()}
    assert all(isinstance(value, int) for value in row.extra["counts"].values())


# --- the daily job ------------------------------------------------------------------------------


def test_the_daily_job_is_a_periodic_job_of_the_worker() -> None:
    job = next(job for job in periodic_jobs() if job.name == "core.retention")
    assert job.every_seconds <= 3600


def test_the_job_runs_once_a_day_whatever_the_restarts(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    assert retention_run_due() == 0  # runs (nothing to purge) and remembers it
    assert AuditEvent.objects.filter(action="retention.purged").count() == 1
    _old_code()
    time_machine.move_to(T0 + timedelta(hours=23, minutes=59), tick=False)
    # A restarted worker knows nothing in memory: the database says the day is not over.
    assert retention_run_due() == 0
    assert AuditEvent.objects.filter(action="retention.purged").count() == 1
    time_machine.move_to(T0 + timedelta(days=3), tick=False)
    assert retention_run_due() == 1
    assert retention_run_due() == 0
    assert AuditEvent.objects.filter(action="retention.purged").count() == 2
    state = RetentionState.objects.get()
    assert state.last_run_at == timezone.now()
    assert state.next_run_at == timezone.now() + timedelta(hours=24)


def test_of_two_workers_one_runs_the_purge(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    code = _old_code()
    time_machine.move_to(T0 + timedelta(days=3), tick=False)
    # Another worker has claimed today's run and is purging.
    RetentionState.objects.create(
        name="retention", next_run_at=T0, lease_until=timezone.now() + RUN_LEASE, claim_token="other"
    )
    assert retention_run_due() == 0
    assert PhoneCode.objects.filter(pk=code.pk).exists()
    # It died: once its lease lapses, the next worker runs the purge.
    time_machine.move_to(timezone.now() + RUN_LEASE + timedelta(seconds=1), tick=False)
    assert retention_run_due() == 1
    assert not PhoneCode.objects.filter(pk=code.pk).exists()


# --- the commands -------------------------------------------------------------------------------


def test_the_commands_report_then_purge_table_by_table_in_french(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    _old_code()
    time_machine.move_to(T0 + timedelta(days=3), tick=False)
    report = StringIO()
    call_command("retention_report", stdout=report)
    assert "Codes envoyés par SMS (accounts_phonecode) : 1 à effacer" in report.getvalue()
    assert "48 heure(s) (PHONE_CODE_RETENTION_HOURS)" in report.getvalue()
    assert "Total : 1 ligne(s)." in report.getvalue()
    assert PhoneCode.objects.count() == 1  # the report changes nothing

    out = StringIO()
    call_command("retention_purge", stdout=out)
    text = out.getvalue()
    assert "Codes envoyés par SMS (accounts_phonecode)" in text
    assert "  lot 1 : 1" in text
    assert "  1 ligne(s) effacée(s) en 1 lot(s)" in text
    assert "Total : 1 ligne(s) purgée(s)." in text
    assert PhoneCode.objects.count() == 0
