"""Demo data of the watch cell: last month's meeting with an action still open, and this month's meeting
with its roster (the CLSPD coordinator, the commune admin, the CSU operator, a social landlord) where that
action carries over. Idempotent."""

from collections.abc import Callable

from django.utils import timezone

from alerts import access
from alerts.statistics.months import month_add, month_of
from alerts.watch_cell import services
from alerts.watch_cell.models import Meeting
from backend.accounts.models import Role, User
from backend.territory.models import Commune


def seed(commune: Commune, say: Callable[[str], None]) -> None:
    if Meeting.objects.filter(commune=commune).exists():
        return
    coordinator = User.objects.filter(commune=commune, role=Role.COORDINATOR, is_active=True).first()
    if coordinator is None:
        return
    this_month = month_of(timezone.localdate())
    earlier = services.meeting_create(
        actor=coordinator,
        held_on=month_add(this_month, -1).replace(day=5),
        title="Cellule de veille mensuelle",
    )
    services.action_create(
        meeting=earlier,
        actor=coordinator,
        title="Rencontrer le bailleur au sujet de l'éclairage des parkings",
        owner_text="Bailleur social",
    )
    meeting = services.meeting_create(
        actor=coordinator, held_on=this_month.replace(day=5), title="Cellule de veille mensuelle"
    )
    for role in (Role.ADMIN, Role.CSU):
        for user in access.roster_accounts(coordinator).filter(role=role)[:1]:
            services.roster_member_add(meeting=meeting, actor=coordinator, user=user)
    services.roster_member_add(
        meeting=meeting,
        actor=coordinator,
        full_name="Responsable de secteur",
        email="secteur@bailleur.example",
        organisation="Bailleur social",
    )
    say(f"Cellule de veille : 2 réunions ({meeting.held_on:%d/%m/%Y}), une action reportée.")
