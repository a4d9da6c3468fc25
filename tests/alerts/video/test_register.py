"""Issue 16 §2 (the video-protection register): the rules of a request for footage, the append-only
extractions, the register's exports, the ethics committee's totals and the inspection's audited reads."""

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alerts.statistics.selectors import statistics_counters
from alerts.statistics.services import statistics_refresh
from alerts.video.models import Extraction, FootageRequest
from alerts.video.selectors import monthly_counts
from backend.accounts.models import Role
from backend.audit.models import AuditEvent
from backend.core.retention import retention_purge
from tests import factories
from tests.alerts import factories as alert_factories
from tests.alerts.video.conftest import Video, extraction_body, request_body, video_of, window
from tests.helpers import api_client_for, signed_in
from tests.neighbours import factories as nf

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/video/requests/"


def _create(video: Video, **changes: Any) -> Any:
    return api_client_for(video.operator).post(REQUESTS, request_body(video, **changes), format="json")


def _extracted(video: Video) -> tuple[int, int]:
    created = _create(video)
    assert created.status_code == 201, created.json()
    extraction = api_client_for(video.csu).post(
        f"{REQUESTS}{created.json()['id']}/extractions/", extraction_body(), format="json"
    )
    assert extraction.status_code == 201, extraction.json()
    return created.json()["id"], extraction.json()["id"]


# --- requests for footage ----------------------------------------------------------------------


def test_an_operator_requests_footage_for_their_agency(video: Video) -> None:
    response = _create(video, motive="Vol à l'arraché devant la mairie")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending"
    assert body["agency_kind"] == "police_municipale"
    assert [camera["name"] for camera in body["cameras"]] == ["Parvis"]
    assert AuditEvent.objects.filter(action="video.request_created", actor_id=video.operator.pk).count() == 1


def test_a_judicial_request_without_a_requisition_is_refused(video: Video) -> None:
    response = _create(video, kind="judicial", officer_is_opj=True)
    assert response.status_code == 400
    assert "réquisition" in response.json()["errors"]["requisition_reference"][0]
    response = _create(video, kind="judicial", requisition_reference="PV 2026/1234")
    assert response.status_code == 400  # an OPJ's requisition
    assert "officer_is_opj" in response.json()["errors"]
    assert not FootageRequest.objects.exists()
    assert (
        _create(video, kind="judicial", officer_is_opj=True, requisition_reference="PV 2026/1234").status_code
        == 201
    )


def test_a_window_over_twelve_hours_is_refused_with_the_reason(video: Video, settings: Any) -> None:
    start, end = window(hours=12.5)
    response = _create(video, start=start.isoformat(), end=end.isoformat())
    assert response.status_code == 400
    assert "12 heures" in response.json()["errors"]["end"][0]
    assert not FootageRequest.objects.exists()
    settings.VIDEO_REQUEST_MAX_HOURS = 14
    assert _create(video, start=start.isoformat(), end=end.isoformat()).status_code == 201


def test_footage_older_than_thirty_days_is_refused_and_written_in_the_register(video: Video) -> None:
    start, end = window(hours_ago=31 * 24)
    response = _create(video, start=start.isoformat(), end=end.isoformat())
    assert response.status_code == 400
    reason = response.json()["errors"]["start"][0]
    assert "30 jours" in reason
    refused = FootageRequest.objects.get()
    assert refused.status == FootageRequest.Status.REFUSED
    assert refused.refusal_reason == reason
    # 29 days ago is still on the recorders.
    start, end = window(hours_ago=29 * 24)
    assert _create(video, start=start.isoformat(), end=end.isoformat()).status_code == 201


def test_a_request_names_cameras_of_the_commune_and_an_agency_of_the_requester(
    video: Video, other_commune: Any
) -> None:
    other = video_of(other_commune)
    response = _create(video, cameras=[other.cameras[0].pk])
    assert response.status_code == 400
    assert "cameras" in response.json()["errors"]
    response = _create(video, agency=other.agency.pk)
    assert response.status_code == 400
    assert "agency" in response.json()["errors"]
    start, end = window(hours_ago=-2)  # ends in the future
    assert "end" in _create(video, start=start.isoformat(), end=end.isoformat()).json()["errors"]


def test_who_may_request_and_read(video: Video, other_commune: Any) -> None:
    body = request_body(video)
    for role_user in (video.ethics, video.inspector, video.admin):
        assert api_client_for(role_user).post(REQUESTS, body, format="json").status_code == 403
    created = api_client_for(video.csu).post(REQUESTS, body, format="json")  # a requisition received by hand
    assert created.status_code == 201, created.json()
    detail = f"{REQUESTS}{created.json()['id']}/"
    for reader in (video.operator, video.csu, video.admin, video.inspector):
        assert api_client_for(reader).get(detail).status_code == 200
    other = video_of(other_commune)
    for stranger in (other.operator, other.csu, other.admin, other.inspector):
        assert api_client_for(stranger).get(detail).status_code == 404
        assert api_client_for(stranger).get(REQUESTS).json()["count"] == 0
    colleague = alert_factories.operator(video.commune)  # of no agency
    assert api_client_for(colleague).get(detail).status_code == 404
    referent = alert_factories.referent(video.commune)
    assert api_client_for(referent).get(detail).status_code == 403
    # Staff without their second factor pass no door.
    assert api_client_for(video.csu, second_factor=False).get(detail).status_code == 403


# --- the ethics committee ----------------------------------------------------------------------


def test_the_ethics_committee_sees_the_months_totals_never_a_request(video: Video) -> None:
    request_id, _extraction = _extracted(video)
    start, end = window(hours_ago=40 * 24)
    assert _create(video, start=start.isoformat(), end=end.isoformat()).status_code == 400  # a refusal
    ethics = api_client_for(video.ethics)
    assert ethics.get(f"{REQUESTS}{request_id}/").status_code == 403
    assert ethics.get(REQUESTS).status_code == 403
    assert ethics.get("/api/v1/video/register.csv?start=2026-01-01&end=2026-12-31").status_code == 403
    totals = ethics.get("/api/v1/video/totals/", {"month": timezone.localdate().strftime("%Y-%m")})
    assert totals.status_code == 200, totals.json()
    body = totals.json()
    assert body["requests"] == 2
    assert body["refused"] == 1
    assert body["extractions"] == 1
    assert body["by_agency_kind"] == {"police_municipale": 2, "police_nationale": 0, "gendarmerie": 0}
    assert body["by_kind"] == {"judicial": 0, "administrative": 2}
    assert body["median_delay_hours"] is not None
    assert "Dupont" not in totals.content.decode()  # no name reaches the committee
    last_year = ethics.get("/api/v1/video/totals/", {"month": "2025-01"}).json()
    assert last_year["requests"] == 0
    assert "month" in ethics.get("/api/v1/video/totals/", {"month": "2026-13"}).json()["errors"]

    page = signed_in(video.ethics).get("/video/bilan/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="total-demandes">2<' in html
    assert 'id="total-refus">1<' in html
    assert "Dupont" not in html
    assert signed_in(video.ethics).get("/video/registre/").status_code == 403
    assert "/video/bilan/" in signed_in(video.ethics).get("/agents/").content.decode()


def test_monthly_counts_for_the_statistics(video: Video) -> None:
    _extracted(video)
    start, end = window(hours_ago=40 * 24)
    _create(video, start=start.isoformat(), end=end.isoformat())
    counts = monthly_counts(video.commune.pk, timezone.localdate())
    assert sorted(counts, key=lambda row: row[1]) == [
        (None, "video_extractions", 1),
        (None, "video_refusals", 1),
        (None, "video_requests", 2),
    ]
    assert all(count == 0 for _sector, _key, count in monthly_counts(video.commune.pk, date(2025, 1, 1)))


# --- extractions: append-only ------------------------------------------------------------------


def test_an_extraction_is_never_changed_nor_deleted_through_the_api(video: Video) -> None:
    request_id, extraction_id = _extracted(video)
    csu = api_client_for(video.csu)
    url = f"{REQUESTS}{request_id}/extractions/"
    for method in ("put", "patch", "delete"):
        assert getattr(csu, method)(url, extraction_body(), format="json").status_code == 405
        assert getattr(csu, method)(f"{REQUESTS}{request_id}/", {}, format="json").status_code == 405
    # A correction is a new row that names the one it corrects.
    fixed = csu.post(
        url,
        extraction_body(files=[{"name": "parvis.mp4", "sha256": "cd" * 32}], corrects=extraction_id),
        format="json",
    )
    assert fixed.status_code == 201, fixed.json()
    assert fixed.json()["corrects"] == extraction_id
    assert Extraction.objects.get(pk=extraction_id).files == [{"name": "parvis.mp4", "sha256": "ab" * 32}]
    assert Extraction.objects.count() == 2
    bad = csu.post(url, extraction_body(files=[{"name": "x.mp4", "sha256": "zz"}]), format="json")
    assert bad.status_code == 400
    # Only the CSU records extractions.
    assert api_client_for(video.operator).post(url, extraction_body(), format="json").status_code == 403


def test_an_extraction_row_refuses_updates_and_deletes_in_the_model(video: Video) -> None:
    _request_id, extraction_id = _extracted(video)
    extraction = Extraction.objects.get(pk=extraction_id)
    extraction.recipient_name = "Quelqu'un d'autre"
    with pytest.raises(ValidationError):
        extraction.save()
    with pytest.raises(ValidationError):
        extraction.delete()
    assert Extraction.objects.get(pk=extraction_id).recipient_name == "Brigadier Dupont"


@pytest.mark.parametrize("superuser", [False, True])
def test_an_extraction_is_never_changed_nor_deleted_through_the_admin(video: Video, superuser: bool) -> None:
    _request_id, extraction_id = _extracted(video)
    user = (
        factories.user(role=Role.ADMIN, commune=video.commune, is_superuser=superuser)
        if superuser
        else video.admin
    )
    client = signed_in(user)
    change = f"/admin/video/extraction/{extraction_id}/change/"
    page = client.get(change)
    assert page.status_code == 200  # read-only view
    assert 'name="recipient_name"' not in page.content.decode()
    assert client.post(change, {"recipient_name": "Autre", "medium": "usb"}).status_code == 403
    assert client.post(f"/admin/video/extraction/{extraction_id}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/video/extraction/add/").status_code == 403
    listing = client.post(
        "/admin/video/extraction/",
        {"action": "delete_selected", "_selected_action": [extraction_id], "post": "yes"},
    )
    assert listing.status_code in (200, 302)
    assert Extraction.objects.get(pk=extraction_id).recipient_name == "Brigadier Dupont"
    assert client.get(f"/admin/video/footagerequest/{_request_id}/delete/").status_code == 403


def test_the_commune_admin_manages_cameras_in_the_admin(video: Video) -> None:
    client = signed_in(video.admin)
    assert client.get("/admin/video/camera/add/").status_code == 200
    assert client.get(f"/admin/video/camera/{video.cameras[0].pk}/change/").status_code == 200


def test_destruction_is_appended_and_refusal_closes_a_request(video: Video) -> None:
    request_id, extraction_id = _extracted(video)
    csu = api_client_for(video.csu)
    destroyed = csu.post(
        f"/api/v1/video/extractions/{extraction_id}/destruction/",
        {"destroyed_at": timezone.now().isoformat(), "witness_name": "Chef de poste CSU"},
        format="json",
    )
    assert destroyed.status_code == 201, destroyed.json()
    detail = csu.get(f"{REQUESTS}{request_id}/").json()
    assert detail["extractions"][0]["destructions"][0]["witness_name"] == "Chef de poste CSU"
    pending = _create(video).json()["id"]
    assert csu.post(f"{REQUESTS}{pending}/refuse/", {"reason": ""}, format="json").status_code == 400
    refused = csu.post(
        f"{REQUESTS}{pending}/refuse/", {"reason": "Caméra en panne ce jour-là"}, format="json"
    )
    assert refused.status_code == 200
    assert refused.json()["status"] == "refused"
    again = csu.post(f"{REQUESTS}{pending}/extractions/", extraction_body(), format="json")
    assert again.status_code == 400


# --- the register's exports ----------------------------------------------------------------------


def test_the_csv_export_lists_each_extraction_with_its_fingerprint(video: Video) -> None:
    request_id, extraction_id = _extracted(video)
    today = timezone.localdate().isoformat()
    response = api_client_for(video.csu).get("/api/v1/video/register.csv", {"start": today, "end": today})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    header, lines = rows[0], rows[1:]
    extraction = [dict(zip(header, line, strict=True)) for line in lines if line[0] == "extraction"]
    assert extraction[0]["empreinte SHA-256"] == "ab" * 32
    assert extraction[0]["demande"] == str(request_id)
    assert extraction[0]["extraction"] == str(extraction_id)
    assert AuditEvent.objects.filter(action="video.register_exported", actor_id=video.csu.pk).exists()
    web = signed_in(video.admin).get("/video/registre.csv", {"start": today, "end": today})
    assert web.status_code == 200
    assert ("ab" * 32) in web.content.decode()
    assert api_client_for(video.operator).get("/api/v1/video/register.csv").status_code == 403


def test_the_register_page_and_its_pdf(video: Video) -> None:
    _extracted(video)
    client = signed_in(video.csu)
    page = client.get("/video/registre/")
    assert page.status_code == 200
    assert ("ab" * 32) in page.content.decode()
    pdf = client.get("/video/registre.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert signed_in(video.operator).get("/video/registre/").status_code == 403
    assert "/video/registre/" in client.get("/agents/").content.decode()


def test_every_read_of_the_inspection_is_audited(video: Video) -> None:
    request_id, _extraction = _extracted(video)
    api = api_client_for(video.inspector)
    assert api.get(REQUESTS).status_code == 200
    assert api.get(f"{REQUESTS}{request_id}/").status_code == 200
    assert api.get("/api/v1/video/cameras/").status_code == 200
    assert api.get("/api/v1/video/totals/").status_code == 200
    web = signed_in(video.inspector)
    assert web.get("/video/registre/").status_code == 200
    assert web.get("/video/bilan/").status_code == 200
    today = timezone.localdate().isoformat()
    assert api.get("/api/v1/video/register.csv", {"start": today, "end": today}).status_code == 200
    actions = list(AuditEvent.objects.filter(actor_id=video.inspector.pk).values_list("action", flat=True))
    assert sorted(actions) == sorted(
        [
            "video.inspected.requests",
            "video.inspected.request",
            "video.inspected.cameras",
            "video.inspected.totals",
            "video.inspected.register",
            "video.inspected.totals",
            "video.register_exported",
        ]
    )
    read = AuditEvent.objects.get(actor_id=video.inspector.pk, action="video.inspected.request")
    assert read.object_id == str(request_id)
    # The inspection only reads.
    assert api.post(f"{REQUESTS}{request_id}/refuse/", {"reason": "x"}, format="json").status_code == 403
    # Nobody else's reads are logged as inspections.
    api_client_for(video.csu).get(f"{REQUESTS}{request_id}/")
    assert not AuditEvent.objects.filter(actor_id=video.csu.pk, action__startswith="video.inspected").exists()


# --- the console: « images demandées » ------------------------------------------------------------


def test_the_console_learns_that_footage_was_requested_never_more(video: Video) -> None:
    nf.ready_commune(video.commune)
    referent = nf.referent(video.commune).user
    observation = alert_factories.observation(referent)
    moderator = alert_factories.moderator(video.commune)
    url = f"/api/v1/video/observations/{observation.pk}/"
    assert api_client_for(moderator).get(url).json() == {"observation": observation.pk, "requests": 0}
    created = api_client_for(video.csu).post(
        REQUESTS, request_body(video, observation=observation.pk), format="json"
    )
    assert created.status_code == 201, created.json()
    assert api_client_for(moderator).get(url).json() == {"observation": observation.pk, "requests": 1}
    # No view of the observation, nothing learnt (an operator it was not dispatched to, another commune).
    assert api_client_for(video.operator).get(url).status_code == 404
    assert api_client_for(video.csu).get(url).status_code == 403
    # An operator links only an observation dispatched to them.
    linked = _create(video, observation=observation.pk)
    assert linked.status_code == 400
    assert "observation" in linked.json()["errors"]


def test_the_register_is_kept_six_years_then_purged(video: Video) -> None:
    """…and the town's statistics keep its month's counts (frozen by the purge's hook, never recomputed)."""
    _extracted(video)
    month = timezone.localdate().replace(day=1)
    retention_purge(now=timezone.now() + timedelta(days=2191))
    assert Extraction.objects.count() == 1
    retention_purge(now=timezone.now() + timedelta(days=2193))
    assert not FootageRequest.objects.exists()
    assert not Extraction.objects.exists()
    statistics_refresh(commune=video.commune, months=[month])
    counters = statistics_counters(commune_id=video.commune.pk, month_from=month, month_to=month)
    assert {row["key"]: row["value"] for row in counters if row["key"].startswith("video")} == {
        "video_extractions": 1,
        "video_requests": 1,
    }
