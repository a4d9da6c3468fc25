"""Reads of broadcasts: lists, receipts, the inbox, and the CAP 1.2 document."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple
from xml.etree import ElementTree as ET

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.broadcasts.models import Broadcast, BroadcastRecipient
from alerts.models import Notification
from alerts.registry import AudienceQuery, audience_provider, push_decisions
from backend.accounts.models import User
from backend.core.emergency import EMERGENCY_CALL
from backend.core.errors import NotFound
from backend.messaging.models import Delivery, Device
from backend.territory.models import Commune, Sector
from backend.territory.selectors import sectors_with_adjacent

RECEIPT_STATES = ("queued", "sent", "failed", "invalid", "cancelled")
CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"


def broadcast_list(*, user: User) -> QuerySet[Broadcast]:
    commune_id = access.staff_commune(user)
    if commune_id is None:
        return Broadcast.objects.none()
    return (
        Broadcast.objects.filter(commune_id=commune_id)
        .select_related("commune")
        .prefetch_related("sectors")
        .order_by("-created_at", "-id")
    )


def broadcast_get(*, user: User, broadcast_id: int) -> Broadcast:
    broadcast = broadcast_list(user=user).filter(pk=broadcast_id).first()
    if broadcast is None:
        raise NotFound(_("Diffusion introuvable."))
    return broadcast


def broadcast_receipts(*, broadcast: Broadcast) -> dict[str, dict[str, int]]:
    """Delivery rows of the broadcast by channel and state: queued (incl. being sent), sent, failed,
    invalid, cancelled; plus the recipients who only have the inbox row ("inbox")."""
    receipts: dict[str, dict[str, int]] = {
        channel: dict.fromkeys(RECEIPT_STATES, 0) for channel in ("push", "sms")
    }
    rows = (
        Delivery.objects.filter(source=broadcast.source)
        .values_list("channel", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for channel, status, n in rows:
        state = "queued" if status in (Delivery.Status.QUEUED, Delivery.Status.SENDING) else status
        receipts.setdefault(channel, dict.fromkeys(RECEIPT_STATES, 0))
        receipts[channel][state] = receipts[channel].get(state, 0) + n
    inbox_only = BroadcastRecipient.objects.filter(
        broadcast=broadcast, channel=BroadcastRecipient.Channel.NONE
    ).count()
    return {**receipts, "inbox_only": {"recipients": inbox_only}}


class PlannedRecipient(NamedTuple):
    """One person a broadcast reaches: on which channel, held back until when (quiet hours), and through
    which audience (the first of the broadcast's audiences that names them)."""

    user: User
    channel: str
    not_before: datetime | None
    audience: str


def recipients_plan(
    *,
    commune: Commune,
    sectors: Iterable[Sector],
    include_adjacent: bool,
    audiences: Sequence[str],
    trades: Sequence[str],
    channels: Sequence[str],
    kind: str,
    quiet_hours: bool,
    at: datetime,
) -> list[PlannedRecipient]:
    """Who a new broadcast reaches and on which channel: what sending writes and what the preview counts
    (one function, so they cannot disagree). Each recipient gets one channel: a push when push is asked
    and they have an active device, otherwise an SMS when SMS is asked and they have a phone, otherwise
    only the inbox row; an opt-out of pushes (the registry's push_decisions at `at`) leaves only the inbox
    row; with `quiet_hours` (the kinds the services let them hold back) a push waits for their end."""
    query = AudienceQuery(
        commune=commune, sectors=tuple(area_sectors(sectors, include_adjacent)), trades=tuple(trades)
    )
    users: dict[int, tuple[User, str]] = {}
    for name in audiences:
        provider = audience_provider(name)
        if provider is None:  # the app that owned it is gone: nobody of it is reached
            continue
        for user in provider(query):
            users.setdefault(user.pk, (user, name))
    with_device = set(
        Device.objects.filter(user_id__in=list(users), is_active=True).values_list("user_id", flat=True)
    )
    decisions = push_decisions(user_ids=sorted(with_device), kind=kind, at=at)
    planned: list[PlannedRecipient] = []
    for user_id in sorted(users):
        user, audience = users[user_id]
        if "push" in channels and user_id in with_device:
            decision = decisions[user_id]
            if not decision.send:
                planned.append(PlannedRecipient(user, BroadcastRecipient.Channel.NONE, None, audience))
                continue
            held = decision.not_before if quiet_hours else None
            planned.append(PlannedRecipient(user, BroadcastRecipient.Channel.PUSH, held, audience))
        elif "sms" in channels and user.phone:
            planned.append(PlannedRecipient(user, BroadcastRecipient.Channel.SMS, None, audience))
        else:
            planned.append(PlannedRecipient(user, BroadcastRecipient.Channel.NONE, None, audience))
    return planned


def inbox_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def inbox_get(*, user: User, notification_id: int) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, user=user).first()
    if notification is None:
        raise NotFound(_("Message introuvable."))
    return notification


# --- CAP 1.2 -----------------------------------------------------------------------------------


class _CapKind(NamedTuple):
    event: str
    urgency: str
    severity: str
    instruction: str


_CAP_KINDS = {
    Broadcast.Kind.PREVENTION: _CapKind(
        "Conseil de prévention",
        "Future",
        "Minor",
        f"Suivez ces conseils. {EMERGENCY_CALL}",
    ),
    Broadcast.Kind.BURGLARY_ALERT: _CapKind(
        "Alerte cambriolage",
        "Immediate",
        "Moderate",
        f"Fermez portes et fenêtres, signalez tout comportement suspect. {EMERGENCY_CALL}",
    ),
    Broadcast.Kind.SHOP_ALERT: _CapKind(
        "Alerte commerces",
        "Immediate",
        "Moderate",
        f"Soyez vigilants en caisse et signalez tout comportement suspect. {EMERGENCY_CALL}",
    ),
}


def _cap_time(value: Any) -> str:
    """CAP wants a numeric offset (never Z) and no fractions: 2026-11-27T14:05:00+01:00."""
    return str(timezone.localtime(value).replace(microsecond=0).isoformat())


def cap_identifier(broadcast: Broadcast) -> str:
    return f"vigie-{broadcast.commune.slug}-broadcast-{broadcast.pk}"


def cap_sender(broadcast: Broadcast) -> str:
    return f"vigie@{broadcast.commune.slug}.invalid"


def _cap_polygon(geometry: dict[str, Any] | None) -> list[str]:
    """GeoJSON [lon, lat] rings → CAP polygons "lat,lon lat,lon …", closed, at least 4 points."""
    if not geometry:
        return []
    kind = geometry.get("type")
    rings = []
    if kind == "Polygon":
        rings = geometry.get("coordinates", [])[:1]
    elif kind == "MultiPolygon":
        rings = [polygon[0] for polygon in geometry.get("coordinates", []) if polygon]
    polygons = []
    for ring in rings:
        points = [(float(point[1]), float(point[0])) for point in ring]
        if points and points[0] != points[-1]:
            points.append(points[0])
        if len(points) >= 4:
            polygons.append(" ".join(f"{lat:.6f},{lon:.6f}" for lat, lon in points))
    return polygons


def area_sectors(sectors: Iterable[Sector], include_adjacent: bool) -> list[Sector]:
    """The sectors a broadcast covers: its own, widened to their adjacent ones when asked."""
    return sectors_with_adjacent(list(sectors)) if include_adjacent else list(sectors)


def broadcast_area_sectors(broadcast: Broadcast) -> list[Sector]:
    return area_sectors(broadcast.sectors.all(), broadcast.include_adjacent)


def broadcast_cap_xml(*, broadcast: Broadcast) -> bytes:
    """The broadcast as a Common Alerting Protocol 1.2 document."""
    ET.register_namespace("", CAP_NAMESPACE)

    def sub(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
        element = ET.SubElement(parent, f"{{{CAP_NAMESPACE}}}{name}")
        if text is not None:
            element.text = text
        return element

    alert = ET.Element(f"{{{CAP_NAMESPACE}}}alert")
    sub(alert, "identifier", cap_identifier(broadcast))
    sub(alert, "sender", cap_sender(broadcast))
    sub(alert, "sent", _cap_time(broadcast.sent_at or broadcast.created_at))
    sub(alert, "status", "Exercise" if broadcast.cap_status == Broadcast.CapStatus.EXERCISE else "Actual")
    sub(alert, "msgType", broadcast.msg_type.capitalize())
    sub(alert, "scope", "Public")
    original = broadcast.original
    if original is not None:
        sub(
            alert,
            "references",
            f"{cap_sender(original)},{cap_identifier(original)},"
            f"{_cap_time(original.sent_at or original.created_at)}",
        )
    cap_kind = _CAP_KINDS[Broadcast.Kind(broadcast.kind)]
    cancel = broadcast.msg_type == Broadcast.MsgType.CANCEL
    info = sub(alert, "info")
    sub(info, "language", "fr-FR")
    sub(info, "category", "Security")
    sub(info, "event", cap_kind.event)
    sub(info, "responseType", "None" if cancel else "Monitor")
    sub(info, "urgency", "Past" if cancel else cap_kind.urgency)
    sub(info, "severity", cap_kind.severity)
    sub(info, "certainty", "Observed" if broadcast.observation_id else "Likely")
    if broadcast.send_at:
        sub(info, "effective", _cap_time(broadcast.send_at))
    if broadcast.expires_at:
        sub(info, "expires", _cap_time(broadcast.expires_at))
    sub(info, "senderName", broadcast.commune.name)
    sub(info, "headline", broadcast.title)
    sub(info, "description", broadcast.body)
    sub(info, "instruction", cap_kind.instruction)
    area = sub(info, "area")
    sectors = broadcast_area_sectors(broadcast)
    if sectors:
        sub(area, "areaDesc", f"{broadcast.commune.name} : " + ", ".join(sector.name for sector in sectors))
        geometries = [sector.polygon for sector in sectors]
    else:
        sub(area, "areaDesc", broadcast.commune.name)
        geometries = [broadcast.commune.boundary]
    for geometry in geometries:
        for polygon in _cap_polygon(geometry):
            sub(area, "polygon", polygon)
    return ET.tostring(alert, encoding="UTF-8", xml_declaration=True)
