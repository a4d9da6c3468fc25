"""The admin pages of the observations domain open, scoped to the staff member's commune."""

from typing import Any

import pytest
from django.test import Client

from alerts.models import Agency
from backend.accounts.models import Role
from tests import factories
from tests.alerts import factories as f
from tests.helpers import staff_login

pytestmark = pytest.mark.django_db

PAGES = [
    "agency",
    "routingrule",
    "communealertsettings",
    "category",
    "observation",
    "dispatch",
    "senderstanding",
]


def test_admin_pages_open_and_show_only_the_commune(commune: Any, other_commune: Any) -> None:
    admin, device = factories.staff(role=Role.ADMIN, commune=commune)
    mine = f.agency(commune=commune, name="PM des Pennes")
    f.agency(commune=other_commune, name="PM de Septèmes")
    f.observation(f.referent(commune))
    client = Client()
    staff_login(client, admin, device)
    for page in PAGES:
        response = client.get(f"/admin/alerts/{page}/")
        assert response.status_code == 200, page
    listing = client.get("/admin/alerts/agency/").content.decode()
    assert "PM des Pennes" in listing
    assert "PM de Septèmes" not in listing
    form = client.get("/admin/alerts/routingrule/add/").content.decode()
    assert mine.name in form
    assert "PM de Septèmes" not in form
    assert Agency.objects.count() == 2
