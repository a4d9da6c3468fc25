"""The emergency cell's roster: who is alerted (SMS and push) when the cell opens, their confirmation (the
console's button, the API, or an SMS reply), and their deputy alerted in their place when they have not
confirmed within EMERGENCY_CONFIRM_MINUTES (a periodic job)."""

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.emergency_selectors import activation_open, callout_pending, roster_of
from alerts.models import (
    EmergencyActivation,
    EmergencyCallout,
    EmergencyLogEntry,
    EmergencyRosterMember,
)
from backend.accounts.models import Role, User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Conflict, Forbidden
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue
from backend.territory.models import Commune

# The word a roster member answers by SMS to confirm (case and spaces ignored).
CONFIRM_KEYWORD = "OK"


def _log(activation: EmergencyActivation, kind: str, text: str, actor: User | None = None) -> None:
    EmergencyLogEntry.objects.create(activation=activation, kind=kind, text=text[:1000], actor=actor)


def _alert(
    activation: EmergencyActivation, person: User, *, replaces: EmergencyCallout | None
) -> EmergencyCallout:
    """Calls one person: the callout row, an SMS and a push (the outbox), and a line in the log."""
    callout = EmergencyCallout.objects.create(activation=activation, person=person, replaces=replaces)
    title = _("Cellule d'urgence activée")
    body = _(
        "Vigie : la cellule de veille d'urgence de %(commune)s est activée (%(reason)s). "
        "Confirmez votre présence dans la console, ou répondez %(keyword)s à ce SMS."
    ) % {"commune": activation.commune.name, "reason": activation.reason[:80], "keyword": CONFIRM_KEYWORD}
    deliveries_enqueue(
        Outgoing(
            channel=channel,
            kind="emergency.callout",
            body=body,
            title=title if channel == Delivery.Channel.PUSH else "",
            recipient=person,
            data={"activation_id": activation.pk},
            source=f"alerts.emergency:{activation.pk}",
            priority=Delivery.Priority.HIGH,
        )
        for channel in (Delivery.Channel.SMS, Delivery.Channel.PUSH)
    )
    if replaces is None:
        text = _("%(name)s alerté(e) par SMS et push.") % {"name": person.display_name}
        _log(activation, EmergencyLogEntry.Kind.ALERTED, text)
    else:
        text = _(
            "%(deputy)s alerté(e) en suppléance de %(member)s, sans confirmation après %(minutes)s min."
        ) % {
            "deputy": person.display_name,
            "member": replaces.person.display_name,
            "minutes": settings.EMERGENCY_CONFIRM_MINUTES,
        }
        _log(activation, EmergencyLogEntry.Kind.DEPUTY, text)
    return callout


def roster_alert(activation: EmergencyActivation) -> int:
    """Alerts every active member of the commune's roster (inside the activation's transaction)."""
    members = [row.member for row in roster_of(commune_id=activation.commune_id) if row.member.is_active]
    for member in members:
        _alert(activation, member, replaces=None)
    return len(members)


def emergency_confirm(
    *, activation: EmergencyActivation, user: User, via: str = "console"
) -> EmergencyCallout:
    """The person alerted confirms they are on the cell."""
    with transaction.atomic():
        callout = (
            EmergencyCallout.objects.select_for_update().filter(activation=activation, person=user).first()
        )
        if callout is None:
            raise Forbidden(_("Vous n'avez pas été appelé(e) pour cette activation."))
        if activation.closed_at is not None:
            raise Conflict(_("Cette activation est déjà levée."))
        if callout.confirmed_at is not None:
            return callout
        callout.confirmed_at = timezone.now()
        callout.save(update_fields=["confirmed_at"])
        _log(
            activation,
            EmergencyLogEntry.Kind.CONFIRMED,
            _("%(name)s a confirmé sa présence (%(via)s).") % {"name": user.display_name, "via": via},
            actor=user,
        )
        audit_record(actor=user, action="emergency.confirmed", target=activation, extra={"via": via})
    return callout


def emergency_confirm_by_sms(*, user: User, text: str) -> bool:
    """An SMS from a staff account: confirms their pending callout if it reads CONFIRM_KEYWORD. True when
    the message was that confirmation (the SMS adapter then answers it and goes no further)."""
    if text.strip().upper() != CONFIRM_KEYWORD or user.commune_id is None or not access.is_staff(user):
        return False
    activation = activation_open(commune_id=user.commune_id)
    if activation is None or callout_pending(activation=activation, user=user) is None:
        return False
    emergency_confirm(activation=activation, user=user, via="SMS")
    return True


def emergency_deputies_call() -> int:
    """Periodic job: a member alerted more than EMERGENCY_CONFIRM_MINUTES ago who has not confirmed is
    replaced by their deputy, who is alerted (once)."""
    limit = timezone.now() - timedelta(minutes=settings.EMERGENCY_CONFIRM_MINUTES)
    due = EmergencyCallout.objects.filter(
        activation__closed_at=None, replaces=None, confirmed_at=None, replaced_at=None, alerted_at__lte=limit
    ).select_related("activation", "activation__commune", "person")
    called = 0
    for candidate in due:
        with transaction.atomic():
            callout = EmergencyCallout.objects.select_for_update().get(pk=candidate.pk)
            if callout.confirmed_at is not None or callout.replaced_at is not None:
                continue
            callout.replaced_at = timezone.now()
            callout.save(update_fields=["replaced_at"])
            activation = candidate.activation
            seat = roster_of(commune_id=activation.commune_id).filter(member=callout.person).first()
            deputy = seat.deputy if seat is not None else None
            already = (
                deputy is not None
                and EmergencyCallout.objects.filter(activation=activation, person=deputy).exists()
            )
            if deputy is None or not deputy.is_active or already:
                _log(
                    activation,
                    EmergencyLogEntry.Kind.DEPUTY,
                    _("%(name)s n'a pas confirmé et n'a pas de suppléant disponible.")
                    % {"name": callout.person.display_name},
                )
                continue
            _alert(activation, deputy, replaces=callout)
            called += 1
    return called


def roster_set(
    *, commune: Commune, actor: User, seats: Sequence[tuple[User, User | None]]
) -> list[EmergencyRosterMember]:
    """Replaces the commune's roster: staff accounts of the commune, each with an optional deputy."""
    if not access.may_set_emergency(actor, commune.pk):
        raise Forbidden(_("Seuls les modérateurs de la commune peuvent faire cela."))
    people = [person for seat in seats for person in seat if person is not None]
    for person in people:
        if person.commune_id != commune.pk or person.role not in Role.STAFF or not person.is_active:
            raise ApplicationError(
                _("Seuls les agents de la commune peuvent faire partie de la cellule."), field="members"
            )
    members = [member for member, _deputy in seats]
    if len(set(members)) != len(members) or any(member == deputy for member, deputy in seats):
        raise ApplicationError(
            _("Chaque membre figure une fois, et n'est pas son propre suppléant."), field="members"
        )
    with transaction.atomic():
        EmergencyRosterMember.objects.filter(commune=commune).delete()
        rows = EmergencyRosterMember.objects.bulk_create(
            EmergencyRosterMember(commune=commune, member=member, deputy=deputy) for member, deputy in seats
        )
        audit_record(
            actor=actor,
            action="emergency.roster_set",
            target=commune,
            extra={"members": [m.pk for m in members]},
        )
    return rows
