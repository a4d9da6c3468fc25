"""Who reaches the rights requests, the DPO's page and its downloads: a commune's DPO and admin, their own
commune only, with the second factor."""

import json

import pytest

from alerts.privacy.models import RightsRequest
from alerts.privacy.services import rights_request_submit
from backend.accounts.models import Role
from backend.audit.models import AuditEvent
from tests import factories
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db

OFFICE = "/agents/protection-des-donnees/"


def _request(commune, name="Jean Martin"):
    return rights_request_submit(
        commune=commune,
        kind="access",
        requester="third_party",
        name=name,
        channel="post",
        details="Suis-je cité ?",
        identity_proof="CNI",
        identity_declared=True,
        postal_address="1 rue Haute",
    )


def test_the_dpo_of_a_commune_sees_its_requests_never_another_commune(commune, other_commune):
    own, other = _request(commune), _request(other_commune, name="Marie Autre")
    dpo, _device = factories.staff(role=Role.DPO, commune=commune)
    client = signed_in(dpo)
    listing = client.get("/admin/privacy/rightsrequest/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert own.reference in text
    assert other.reference not in text
    assert client.get(f"/admin/privacy/rightsrequest/{own.pk}/change/").status_code == 200
    assert (
        client.get(f"/admin/privacy/rightsrequest/{other.pk}/change/").status_code == 302
    )  # "does not exist"
    posted = client.post(
        f"/admin/privacy/rightsrequest/{other.pk}/change/", {"step": "identity", "note": "x"}
    )
    assert posted.status_code == 302
    other.refresh_from_db()
    assert other.status == RightsRequest.Status.RECEIVED


def test_a_dpo_gets_nothing_else_of_the_admin(commune):
    dpo, _device = factories.staff(role=Role.DPO, commune=commune)
    client = signed_in(dpo)
    assert client.get("/admin/").status_code == 200
    for path in ("/admin/alerts/observation/", "/admin/accounts/user/", "/admin/audit/auditevent/"):
        assert client.get(path).status_code == 403, path
    assert client.get(f"/admin/privacy/rightsrequest/{_request(commune).pk}/delete/").status_code == 403


def test_the_admin_and_the_office_need_the_second_factor(commune):
    dpo, _device = factories.staff(role=Role.DPO, commune=commune)
    client = signed_in(dpo, verified=False)
    assert client.get("/admin/privacy/rightsrequest/").status_code == 302
    assert client.get(OFFICE).status_code == 302


@pytest.mark.parametrize(
    ("role", "status"), [(Role.DPO, 200), (Role.ADMIN, 200), (Role.MODERATOR, 403), (Role.INSPECTOR, 403)]
)
def test_the_office_page_is_for_the_dpo_and_the_commune_admin(commune, role, status):
    user, _device = factories.staff(role=role, commune=commune)
    assert signed_in(user).get(OFFICE).status_code == status


def test_the_office_page_lists_open_requests_the_retention_report_and_links(commune, other_commune):
    own, other = _request(commune), _request(other_commune)
    dpo, _device = factories.staff(role=Role.DPO, commune=commune)
    client = signed_in(dpo)
    page = client.get(OFFICE).content.decode()
    assert own.reference in page
    assert other.reference not in page
    assert "Adresses IP du journal" in page  # the retention report
    assert "/api/v1/observation-reads/export.csv" in page
    assert "registre/?format=pdf" in page
    assert "registre/?format=odt" in page
    assert "registre/?format=json" in page
    assert OFFICE in client.get("/agents/").content.decode()


def test_the_register_downloads_are_the_commune_and_audited(commune):
    dpo, _device = factories.staff(role=Role.DPO, commune=commune)
    client = signed_in(dpo)
    entry = json.loads(client.get(f"{OFFICE}registre/?format=json").content)
    assert entry["commune"]["name"] == commune.name
    assert entry["transfers"] == "aucun"
    assert client.get(f"{OFFICE}registre/?format=odt").content[:2] == b"PK"
    assert client.get(f"{OFFICE}registre/?format=pdf").content[:5] == b"%PDF-"
    assert client.get(f"{OFFICE}registre/?format=xls").status_code == 404
    assert AuditEvent.objects.filter(action="privacy.register_exported", actor_id=dpo.pk).count() == 3


def test_the_dpo_exports_the_read_log_of_their_commune(commune):
    from tests.helpers import api_client_for

    dpo, _device = factories.staff(role=Role.DPO, commune=commune)
    assert signed_in(dpo).get("/api/v1/observation-reads/export.csv?author=1").status_code == 200
    assert (
        api_client_for(dpo, second_factor=True).get("/api/v1/observation-reads/?author=1").status_code == 200
    )
    assert (
        api_client_for(dpo, second_factor=False).get("/api/v1/observation-reads/?author=1").status_code == 403
    )
    inspector, _device = factories.staff(role=Role.INSPECTOR, commune=commune)
    assert (
        api_client_for(inspector, second_factor=True).get("/api/v1/observation-reads/?author=1").status_code
        == 403
    )
