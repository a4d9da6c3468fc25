"""The emergency cell's pages: its commune's moderators and roster read them; other staff and other
communes get 404, officials 403; the PDF is the same report; /agents/ links to them for those who may."""

from typing import Any

import pytest

from backend.accounts.models import Role
from tests import factories
from tests.alerts.emergency.conftest import activate
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db


def test_the_roster_reads_the_report_and_others_do_not(cell: dict[str, Any]) -> None:
    activation = activate(cell)
    page = f"/console/urgence/{activation.pk}/"
    assert signed_in(cell["member"]).get(page).status_code == 200
    assert "Monique Slissa" in signed_in(cell["moderator"]).get(page).content.decode()
    assert signed_in(cell["outsider"]).get(page).status_code == 404
    assert signed_in(cell["other_moderator"]).get(page).status_code == 404
    coordinator = factories.user(role=Role.COORDINATOR, commune=cell["commune"])
    assert signed_in(coordinator).get(page).status_code == 403
    assert signed_in(cell["outsider"]).get("/console/urgence/").status_code == 404


def test_the_pdf_is_the_report(cell: dict[str, Any]) -> None:
    activation = activate(cell)
    response = signed_in(cell["moderator"]).get(f"/console/urgence/{activation.pk}/rapport.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_staff_home_links_to_the_cell_for_its_readers(cell: dict[str, Any]) -> None:
    assert "/console/urgence/" in signed_in(cell["lone"]).get("/agents/").content.decode()
    coordinator = factories.user(role=Role.COORDINATOR, commune=cell["commune"])
    assert "/console/urgence/" not in signed_in(coordinator).get("/agents/").content.decode()
