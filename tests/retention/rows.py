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
from alerts.models import EmergencyActivation, EmergencyLogEntry, Notification, Observation, ObservationRead
from alerts.privacy.models import RightsRequest
from alerts.privacy.services import rights_request_submit
from alerts.read_log import observation_reads_record
from alerts.video.models import Camera, Destruction, Extraction, FootageRequest
from alerts.watch_cell.models import Action, Meeting, RosterMember
from backend.accounts.models import PhoneCode, TokenFamily, User
from backend.audit.models import AuditEvent
from backend.audit.services import audit_record
from backend.core.models import IdempotencyRecord
from backend.messaging.models import Delivery, Device, PushReceipt
from backend.territory.models import Commune
from commerces.models import InboundMessage, ShopApplication
from neighbours.holiday_watch.models import PatrolPass, WatchRequest
from neighbours.holiday_watch.selectors import earliest_start
from neighbours.holiday_watch.services import patrol_pass_record, watch_request_create
from neighbours.models import Invitation, Referent
from tests import factories
from tests.alerts import factories as alerts_factories
from tests.commerces import factories as commerces_factories
from tests.neighbours import factories as neighbours_factories

Purged = Callable[[], bool]
_serial = itertools.count(1)

# Rules whose rows go a little after their period: the console's events (the replay window plus an hour);
# those whose period runs from the end of a day (midnight in Paris; T0 is 9:00 there): a watch cell
# meeting's date, the holiday watch's day of return.
MARGIN = {
    "alerts.events": timedelta(hours=1),
    "watch_cell.meetings": timedelta(hours=15),
    "holiday_watch.passes": timedelta(hours=15),
    "holiday_watch.requests": timedelta(hours=15),
}


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


def emergency_activations(w: World) -> Purged:
    row = services.emergency_activate(
        commune=w.commune,
        actor=w.moderator,
        requested_by_quality="mayor",
        requested_by_name="Monique Slissa",
        reason="Série de cambriolages.",
        categories=["cambriolage"],
    )
    services.emergency_close(activation=row, actor=w.moderator, reason="Levée.")
    log = list(EmergencyLogEntry.objects.filter(activation=row).values_list("pk", flat=True))
    return lambda: (
        _gone(EmergencyActivation, row.pk)() and not EmergencyLogEntry.objects.filter(pk__in=log).exists()
    )


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


def video_register(w: World) -> Purged:
    now = timezone.now()
    agency = alerts_factories.agency(commune=w.commune, name=f"Police {next(_serial)}")
    camera = Camera.objects.create(
        commune=w.commune, name="Parvis", films="parvis", latitude=43.4, longitude=5.3
    )
    row = FootageRequest.objects.create(
        commune=w.commune, agency=agency, officer_name="Brigadier Dupont", kind=FootageRequest.Kind.ADMINISTRATIVE,
        start=now - timedelta(hours=2), end=now - timedelta(hours=1),
    )  # fmt: skip
    row.cameras.add(camera)
    extraction = Extraction.objects.create(
        request=row, medium="usb", files=[{"name": "a.mp4", "sha256": "ab" * 32}], recipient_name="Dupont",
        handed_over_at=now,
    )  # fmt: skip
    Destruction.objects.create(extraction=extraction, destroyed_at=now, witness_name="CSU")
    return lambda: (
        not Extraction.objects.filter(pk=extraction.pk).exists() and _gone(FootageRequest, row.pk)()
    )


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


def watch_cell_meetings(w: World) -> Purged:
    """A meeting held today, an outside partner on its roster and an action: they go together."""
    meeting = Meeting.objects.create(
        commune=w.commune, held_on=timezone.localdate(), title="Cellule de veille"
    )
    partner = RosterMember.objects.create(
        meeting=meeting, full_name="Nadia Bailleur", email="n@bailleur.example"
    )
    action = Action.objects.create(meeting=meeting, title="Éclairage", owner_member=partner)
    return lambda: all(
        gone()
        for gone in (_gone(Meeting, meeting.pk), _gone(RosterMember, partner.pk), _gone(Action, action.pk))
    )


def _watch_back_today(w: World) -> WatchRequest:
    """A holiday watch asked for days ago, whose resident comes back today (its age is zero)."""
    row = watch_request_create(
        commune=w.commune,
        phone=factories.phone(),
        channel=WatchRequest.Channel.WEB,
        address="5 rue des Écoles",
        start=earliest_start(),
        end=earliest_start(),
        sector=neighbours_factories.sector(w.commune),
    )
    today = timezone.localdate()
    WatchRequest.objects.filter(pk=row.pk).update(start=today - timedelta(days=7), end=today)
    return row


def holiday_watch_requests(w: World) -> Purged:
    return _gone(WatchRequest, _watch_back_today(w).pk)


def holiday_watch_passes(w: World) -> Purged:
    officer = alerts_factories.operator(w.commune)
    alerts_factories.agency(commune=w.commune, members=(officer,))
    row = patrol_pass_record(request=_watch_back_today(w), officer=officer, outcome="ras")
    return _gone(PatrolPass, row.pk)


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
    "alerts.emergency_activations": emergency_activations,
    "broadcasts.recipients": broadcast_recipients,
    "video.register": video_register,
    "neighbours.invitations_expired": invitations_expired,
    "neighbours.referents_refused": referents_refused,
    "neighbours.referents_ended": referents_ended,
    "commerces.inbound_sms": inbound_sms,
    "commerces.shop_applications": shop_applications,
    "holiday_watch.passes": holiday_watch_passes,
    "holiday_watch.requests": holiday_watch_requests,
    "commerces.shopkeepers_ended": shopkeepers_ended,
    "watch_cell.meetings": watch_cell_meetings,
    "privacy.rights_requests": rights_requests,
}
