"""Two communes served by one national police agency: the world the trust findings were reproduced in."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken

from alerts import services
from alerts.models import Agency, Dispatch, Observation
from backend.accounts.models import Role, User
from backend.territory.models import Commune
from tests import factories
from tests.alerts import factories as f
from tests.helpers import staff_login
from tests.neighbours import factories as nf


@dataclass
class Towns:
    """Commune A (Les Pennes-Mirabeau) and commune B (Septèmes-les-Vallons). A has its police municipale
    (PM A); the police nationale (PN) serves A and B; B has its own police municipale (PM B)."""

    a: Commune
    b: Commune
    people: dict[str, User]
    devices: dict[str, Any]
    pm_a: Agency
    pm_b: Agency
    pn: Agency
    # A's observation, dispatched to PM A and PN; B's, dispatched to PN and PM B; A's still pending.
    observation_a: Observation
    observation_b: Observation
    pending_a: Observation

    def dispatch(self, observation: Observation, agency: Agency) -> Dispatch:
        return Dispatch.objects.get(observation=observation, agency=agency)


def staff(role: str, commune: Commune, devices: dict[str, Any], name: str) -> User:
    user, device = factories.staff(role=role, commune=commune)
    devices[name] = device
    return user


def towns_build(a: Commune, b: Commune) -> Towns:
    devices: dict[str, Any] = {}
    nf.ready_commune(a)
    nf.ready_commune(b)
    people = {
        "referent_a": nf.referent(a, display_name="Camille Référente").user,
        "referent_b": nf.referent(b, display_name="Dominique Référent").user,
        "shopkeeper_a": factories.user(role=Role.SHOPKEEPER, commune=a),
        "moderator_a": staff(Role.MODERATOR, a, devices, "moderator_a"),
        "moderator_b": staff(Role.MODERATOR, b, devices, "moderator_b"),
        "operator_pm_a": staff(Role.OPERATOR, a, devices, "operator_pm_a"),
        "operator_pn": staff(Role.OPERATOR, a, devices, "operator_pn"),
        "operator_pm_b": staff(Role.OPERATOR, b, devices, "operator_pm_b"),
        "admin_a": staff(Role.ADMIN, a, devices, "admin_a"),
        "admin_b": staff(Role.ADMIN, b, devices, "admin_b"),
        "coordinator_a": staff(Role.COORDINATOR, a, devices, "coordinator_a"),
        "csu_a": staff(Role.CSU, a, devices, "csu_a"),
        "ethics_a": staff(Role.ETHICS, a, devices, "ethics_a"),
        "inspector_a": staff(Role.INSPECTOR, a, devices, "inspector_a"),
        "dpo_a": staff(Role.DPO, a, devices, "dpo_a"),
    }
    root, root_device = factories.staff(role=Role.ADMIN, commune=None)
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    people["superuser"] = root
    devices["superuser"] = root_device
    pm_a = f.agency(commune=a, name="Police municipale A", members=(people["operator_pm_a"],))
    pm_b = f.agency(commune=b, name="Police municipale B", members=(people["operator_pm_b"],))
    pn = f.agency(
        commune=a, name="Commissariat", kind=Agency.Kind.POLICE_NATIONALE, members=(people["operator_pn"],)
    )
    pn.communes.add(b)
    f.routing(a, pm_a, pn)
    f.routing(b, pn, pm_b)
    observation_a = f.observation(people["referent_a"], description="Deux individus au 12 rue Haute.")
    services.observation_approve(observation=observation_a, actor=people["moderator_a"])
    observation_b = f.observation(
        people["referent_b"],
        description="Voiture suspecte devant l'école.",
        latitude=43.415,
        longitude=5.51,
    )
    services.observation_approve(observation=observation_b, actor=people["moderator_b"])
    pending_a = f.observation(people["referent_a"], description="Encore en attente de modération.")
    return Towns(a, b, people, devices, pm_a, pm_b, pn, observation_a, observation_b, pending_a)


@pytest.fixture
def towns(commune: Commune, other_commune: Commune) -> Towns:
    return towns_build(commune, other_commune)


def sms_token(user: Any) -> str:
    """What `POST /api/v1/auth/token/` (an SMS code) issues: no trace of a second factor."""
    return str(RefreshToken.for_user(user).access_token)


def staff_token(user: Any) -> str:
    """What `POST /api/v1/auth/staff/token/` issues: the second factor recorded (RFC 8176 amr). Written out
    here, not taken from the application, so that these tests also run on code older than it."""
    refresh = RefreshToken.for_user(user)
    refresh["amr"] = ["pwd", "otp"]
    return str(refresh.access_token)


def signed_in(towns: Towns, who: str) -> Client:
    """A browser session that passed the staff login (password + TOTP)."""
    client = Client()
    staff_login(client, towns.people[who], towns.devices[who])
    return client
