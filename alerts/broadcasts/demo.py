"""Demo data of broadcasts: the commune's policy, its templates (Vigie's defaults, to edit in the admin)
and one prevention advice already sent. Idempotent."""

from collections.abc import Callable

from alerts.broadcasts import services
from alerts.broadcasts.models import Broadcast, BroadcastPolicy, BroadcastTemplate
from alerts.broadcasts.services.prefill import DEFAULTS
from alerts.registry import audience_names
from backend.accounts.models import Role, User
from backend.core.emergency import EMERGENCY_CALL
from backend.territory.models import Commune

ADVICE_TITLE = "Conseil : partir en vacances l'esprit tranquille"
ADVICE_BODY = (
    "Avant de partir, signalez votre absence à la police municipale (Opération Tranquillité Vacances), "
    "faites relever votre courrier et ne l'annoncez pas sur les réseaux sociaux. "
    f"{EMERGENCY_CALL}"
)


def seed(commune: Commune, say: Callable[[str], None]) -> None:
    BroadcastPolicy.objects.get_or_create(commune=commune, defaults={"two_person_rule": False})
    for kind, (title, body) in DEFAULTS.items():
        BroadcastTemplate.objects.get_or_create(
            commune=commune, kind=kind, defaults={"title": str(title), "body": str(body)}
        )
    if Broadcast.objects.filter(commune=commune, title=ADVICE_TITLE).exists():
        return
    author = User.objects.filter(commune=commune, role__in=Role.STAFF, is_active=True).order_by("id").first()
    audiences = [name for name in ("referents", "shopkeepers") if name in audience_names()]
    if author is None or not audiences:
        return
    broadcast = services.broadcast_create(
        actor=author,
        kind=Broadcast.Kind.PREVENTION,
        title=ADVICE_TITLE,
        body=ADVICE_BODY,
        audiences=audiences,
        channels=["push"],
    )
    say(f"broadcasts: prevention advice sent to {broadcast.recipients_count} people")
