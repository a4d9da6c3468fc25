"""One row per retention rule, written now (the clock is frozen by the tests), whose age is zero; each maker
returns a check that tells whether the rule has purged it (row gone, account erased, field cleared).

A new rule (`register_retention`) must get a maker here: tests/retention/test_acceptance.py fails until it
does, so that every registered table is covered by the frozen-clock test."""

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from alerts import services
from alerts.broadcasts.models import Broadcast, BroadcastRecipient
from alerts.events import event_emit, moderation_group
from alerts.models import Notification, Observation, ObservationRead
from alerts.privacy.models import RightsRequest
from alerts.privacy.services import rights_request_submit
from alerts.read_log import observation_reads_record
from backend.accounts.models import PhoneCode, TokenFamily, User
from backend.audit.models import AuditEvent
from backend.audit.services import audit_record
from backend.core.models import IdempotencyRecord
from backend.messaging.models import Delivery, Device, PushReceipt
from backend.territory.models import Commune
from commerces.models import InboundMessage, ShopApplication
from neighbours.models import Invitation, Referent
from tests import factories
from tests.alerts import factories as alerts_factories
from tests.commerces import factories as commerces_factories
from tests.neighbours import factories as neighbours_factories

Purged = Callable[[], bool]
_serial = itertools.count(1)

# Rules whose rows go a little after their period (the console's events: the replay window plus an hour).
MARGIN = {"alerts.events": timedelta(hours=1)}


@dataclass
class World:
    commune: Commune
    author: User
    moderator: User


def world(commune: Commune) -> World:
    """A commune whose referents may report (protocol in force, charter v1), a referent, a moderator."""
    neighbours_factories.ready_commune(commune)
    author = neighbours_factories.referent(commune).user
    return World(commune=commune, author=author, moderator=alerts_factories.moderator(commune))


def _gone(model: type[Any], pk: Any) -> Purged:
    return lambda: not model._default_manager.filter(pk=pk).exists()


def _erased(user_id: int) -> Purged:
    return lambda: User.objects.get(pk=user_id).erased_at is not None


def _ip() -> str:
    return f"192.0.2.{next(_serial) % 250 + 1}"


def _axes(model: type[Any], **fields: Any) -> Purged:
    row = model.objects.create(
        user_agent="Mozilla/5.0",
        ip_address=_ip(),
        username=factories.phone(),
        http_accept="text/html",
        path_info="/connexion/",
        **fields,
    )
    return _gone(model, row.pk)


def phone_codes(w: World) -> Purged:
    now = timezone.now()
    row = PhoneCode.objects.create(
        phone=factories.phone(),
        purpose="login",
        code_hash="x",
        expires_at=now + timedelta(minutes=5),
        ip=_ip(),
    )
    return _gone(PhoneCode, row.pk)


def signin_log(w: World) -> Purged:
    return _axes(AccessLog)


def signin_attempts(w: World) -> Purged:
    return _axes(AccessAttempt, get_data="", post_data="phone=…", failures_since_start=1)


def signin_failures(w: World) -> Purged:
    return _axes(AccessFailureLog, locked_out=False)


def sessions(w: World) -> Purged:
    row = Session.objects.create(
        session_key=uuid.uuid4().hex, session_data="e30:x", expire_date=timezone.now()
    )
    return _gone(Session, row.pk)


def refresh_tokens(w: World) -> Purged:
    now = timezone.now()
    row = OutstandingToken.objects.create(
        user=w.author, jti=uuid.uuid4().hex, token="header.payload.signature", created_at=now, expires_at=now
    )
    return _gone(OutstandingToken, row.pk)


def token_families(w: World) -> Purged:
    row = TokenFamily.objects.create(id=uuid.uuid4().hex, user=w.author)
    return _gone(TokenFamily, row.pk)


def audit_ip(w: World) -> Purged:
    row = audit_record(actor=None, action="test.with_ip", ip=_ip())
    return lambda: AuditEvent.objects.get(pk=row.pk).ip is None


def admin_log(w: World) -> Purged:
    row = LogEntry.objects.create(
        user=w.moderator, object_repr="Camille Martin", action_flag=CHANGE, change_message="[]"
    )
    return _gone(LogEntry, row.pk)


def deliveries(w: World) -> Purged:
    device = Device.objects.create(user=w.moderator, token=uuid.uuid4().hex, platform="android")
    row = Delivery.objects.create(
        channel=Delivery.Channel.PUSH,
        status=Delivery.Status.SENT,
        recipient=w.moderator,
        kind="test",
        title="Titre",
        body="Texte envoyé à une personne.",
    )
    receipt = PushReceipt.objects.create(delivery=row, device=device, status=PushReceipt.Status.SENT)
    return lambda: _gone(Delivery, row.pk)() and _gone(PushReceipt, receipt.pk)()


def devices_inactive(w: World) -> Purged:
    row = Device.objects.create(user=w.moderator, token=uuid.uuid4().hex, platform="ios", is_active=False)
    return _gone(Device, row.pk)


def idempotency(w: World) -> Purged:
    row = IdempotencyRecord.objects.create(
        user=w.author,
        scope="observation_submit",
        key=uuid.uuid4().hex,
        request_hash="0" * 64,
        response_status=201,
        response_body={"description": "Texte rejoué."},
    )
    return _gone(IdempotencyRecord, row.pk)


def events(w: World) -> Purged:
    row = event_emit(type="test.unknown_shape", data={"texte": "privé"}, groups=[moderation_group(1)])
    return _gone(type(row), row.pk)


def notifications(w: World) -> Purged:
    row = Notification.objects.create(user=w.author, kind="test", title="Titre", body="Pour vous.")
    return _gone(Notification, row.pk)


def observation_reads(w: World) -> Purged:
    observation = alerts_factories.observation(w.author)
    observation_reads_record(actor=w.moderator, observations=[observation], door="api", view="moderation")
    row = ObservationRead.objects.get(observation_id=observation.pk)
    return _gone(ObservationRead, row.pk)


def observation_ip(w: World) -> Purged:
    row = alerts_factories.observation(w.author, ip=_ip())
    return lambda: not Observation.objects.filter(pk=row.pk, ip__isnull=False).exists()


def observations_unfinished(w: World) -> Purged:
    row = alerts_factories.observation(w.author, description="Jamais traité : une voiture rôde.")
    return _gone(Observation, row.pk)


def observations_finished(w: World) -> Purged:
    row = alerts_factories.observation(w.author, description="Non retenu : un voisin bruyant.")
    services.observation_reject(observation=row, actor=w.moderator, reason="private_dispute")
    return _gone(Observation, row.pk)


def broadcast_recipients(w: World) -> Purged:
    now = timezone.now()
    broadcast = Broadcast.objects.create(
        commune=w.commune,
        kind=Broadcast.Kind.PREVENTION,
        state=Broadcast.State.SENT,
        title="Conseil",
        body="Fermez vos fenêtres.",
        audiences=["referents"],
        channels=["push"],
        sent_at=now,
    )
    row = BroadcastRecipient.objects.create(
        broadcast=broadcast, user=w.author, channel=BroadcastRecipient.Channel.NONE
    )
    return _gone(BroadcastRecipient, row.pk)


def invitations_expired(w: World) -> Purged:
    row = Invitation.objects.create(
        commune=w.commune,
        sector=neighbours_factories.sector(w.commune),
        phone=factories.phone(),
        display_name="Dominique Invité",
        code=f"T{next(_serial):07d}",
        expires_at=timezone.now(),
    )
    return _gone(Invitation, row.pk)


def _referent_with(w: World, status: str) -> Purged:
    referent = neighbours_factories.referent(w.commune, status=status)
    return _erased(referent.user_id)


def referents_refused(w: World) -> Purged:
    return _referent_with(w, Referent.Status.REFUSED)


def referents_ended(w: World) -> Purged:
    return _referent_with(w, Referent.Status.ENDED)


def inbound_sms(w: World) -> Purged:
    row = InboundMessage.objects.create(
        provider="twilio",
        provider_id=f"SM{uuid.uuid4().hex}",
        sender=factories.phone(),
        body="Bonjour, c'est la voisine du 3.",
        status=InboundMessage.Status.QUARANTINED,
        commune=w.commune,
    )
    return _gone(InboundMessage, row.pk)


def shop_applications(w: World) -> Purged:
    row = commerces_factories.application(w.commune, phone=factories.phone())
    ShopApplication.objects.filter(pk=row.pk).update(
        status=ShopApplication.Status.REJECTED, decided_at=timezone.now()
    )
    return _gone(ShopApplication, row.pk)


def rights_requests(w: World) -> Purged:
    row = rights_request_submit(
        commune=w.commune,
        kind="access",
        requester="third_party",
        name="Jean Martin",
        channel="sms",
        phone=factories.phone(),
        details="Suis-je cité ?",
        identity_proof="CNI",
        identity_declared=True,
    )
    return _gone(RightsRequest, row.pk)


def shopkeepers_ended(w: World) -> Purged:
    """A shopkeeper's account whose link to their shop was removed."""
    shopkeeper = commerces_factories.shopkeeper(commerces_factories.shop(w.commune))
    user_id = shopkeeper.user_id
    shopkeeper.delete()
    return _erased(user_id)


MAKERS: dict[str, Callable[[World], Purged]] = {
    "accounts.phone_codes": phone_codes,
    "accounts.signin_log": signin_log,
    "accounts.signin_attempts": signin_attempts,
    "accounts.signin_failures": signin_failures,
    "accounts.sessions": sessions,
    "accounts.refresh_tokens": refresh_tokens,
    "accounts.token_families": token_families,
    "audit.ip": audit_ip,
    "audit.admin_log": admin_log,
    "messaging.deliveries": deliveries,
    "messaging.devices_inactive": devices_inactive,
    "core.idempotency": idempotency,
    "alerts.events": events,
    "alerts.notifications": notifications,
    "alerts.observation_reads": observation_reads,
    "alerts.observation_ip": observation_ip,
    "alerts.observations_unfinished": observations_unfinished,
    "alerts.observations_finished": observations_finished,
    "broadcasts.recipients": broadcast_recipients,
    "neighbours.invitations_expired": invitations_expired,
    "neighbours.referents_refused": referents_refused,
    "neighbours.referents_ended": referents_ended,
    "commerces.inbound_sms": inbound_sms,
    "commerces.shop_applications": shop_applications,
    "commerces.shopkeepers_ended": shopkeepers_ended,
    "privacy.rights_requests": rights_requests,
}
