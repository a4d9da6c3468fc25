"""A commune with its watch cell's people: the admin and the CLSPD coordinator (convenors), a moderator and
a CSU operator (roster candidates), a referent (never); and one police agency."""

from dataclasses import dataclass
from datetime import date

from alerts.models import Agency
from alerts.watch_cell import services
from alerts.watch_cell.models import Meeting
from backend.accounts.models import Role, User
from backend.territory.models import Commune
from tests import factories
from tests.alerts import factories as f
from tests.neighbours import factories as nf


@dataclass
class Cell:
    commune: Commune
    admin: User
    coordinator: User
    moderator: User
    csu: User
    referent: User
    pm: Agency


def cell() -> Cell:
    commune = factories.commune()
    moderator = f.moderator(commune)
    operator = f.operator(commune)
    pm = f.agency(commune=commune, name="Police municipale", members=(operator,))
    f.routing(commune, pm)
    nf.ready_commune(commune)
    return Cell(
        commune=commune,
        admin=factories.user(role=Role.ADMIN, commune=commune, display_name="Alice Admin"),
        coordinator=factories.user(
            role=Role.COORDINATOR, commune=commune, display_name="Claire Coordinatrice"
        ),
        moderator=moderator,
        csu=factories.user(role=Role.CSU, commune=commune, display_name="Samuel CSU"),
        referent=nf.referent(commune).user,
        pm=pm,
    )


def meeting(place: Cell, held_on: date, *members: User, title: str = "Cellule de veille") -> Meeting:
    """A meeting convened by the coordinator (seated), with `members` on its roster."""
    created = services.meeting_create(actor=place.coordinator, held_on=held_on, title=title)
    for member in members:
        services.roster_member_add(meeting=created, actor=place.coordinator, user=member)
    return created
