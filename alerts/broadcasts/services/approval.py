"""The two-person rule: where the commune asks for it, a broadcast written by one person waits, as a draft,
for another to approve it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.broadcasts.models import Broadcast, BroadcastPolicy
from alerts.broadcasts.services.common import require_staff
from alerts.broadcasts.services.delivery import broadcast_release
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import Conflict, Forbidden


def two_person_rule(commune_id: int) -> bool:
    return BroadcastPolicy.objects.filter(commune_id=commune_id, two_person_rule=True).exists()


@transaction.atomic
def broadcast_approve(*, broadcast: Broadcast, actor: User) -> Broadcast:
    require_staff(actor, broadcast.commune_id)
    if broadcast.created_by_id == actor.pk:
        raise Forbidden(_("Une autre personne doit valider la diffusion que vous avez rédigée."))
    now = timezone.now()
    claimed = Broadcast.objects.filter(pk=broadcast.pk, state=Broadcast.State.DRAFT).update(
        approved_by=actor, approved_at=now
    )
    if not claimed:
        raise Conflict(_("Cette diffusion n'est plus à valider."))
    broadcast.refresh_from_db()
    audit_record(actor=actor, action="broadcast.approve", target=broadcast)
    broadcast_release(broadcast, now=now)
    return broadcast
