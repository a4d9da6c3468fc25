"""The register's pages in Debian's Chromium against a real daphne: the CSU's register of the month with
its extraction's fingerprint, and the ethics committee's totals; each signed in through /connexion/ with
password + TOTP, each without serious or critical accessibility violations (axe-core)."""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice

from alerts.video import services
from alerts.video.models import FootageRequest
from backend.accounts.models import User
from tests.alerts.video.conftest import Video, video_of, window
from tests.helpers import PASSWORD, totp_now
from tests.live import screenshot

pytestmark = pytest.mark.browser

FINGERPRINT = "5e" * 32


def _ready(user: User) -> TOTPDevice:
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return TOTPDevice.objects.create(user=user, name="navigateur", confirmed=True)


def _sign_in(browser: Any, base: str, user: User, path: str) -> Any:
    device = _ready(user)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{base}{path}")
    assert "/connexion/" in page.url
    page.get_by_label("Téléphone").fill(str(user.phone))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Code de l'application d'authentification").fill(totp_now(device))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}{path}")
    return page


def _serious(page: Any) -> list[str]:
    result = Axe().run(page)
    return [v["id"] for v in result.response["violations"] if v["impact"] in ("serious", "critical")]


def _extracted(video: Video) -> FootageRequest:
    start, end = window()
    request = services.footage_request_create(
        actor=video.operator, agency_id=video.agency.pk, officer_name="Brigadier Dupont", officer_is_opj=True,
        kind=FootageRequest.Kind.JUDICIAL, requisition_reference="PV 2026/77", camera_ids=[video.cameras[0].pk],
        start=start, end=end,
    )  # fmt: skip
    services.extraction_record(
        actor=video.csu, request_id=request.pk, medium="usb", files=[{"name": "parvis.mp4", "sha256": FINGERPRINT}],
        recipient_name="Brigadier Dupont", handed_over_at=end,
    )  # fmt: skip
    return request


def test_the_csu_reads_the_register_and_the_committee_its_totals(
    transactional_db: Any, daphne_server: Any, browser: Any, commune: Any
) -> None:
    video = video_of(commune)
    request = _extracted(video)

    page = _sign_in(browser, daphne_server.url, video.csu, "/video/registre/")
    try:
        row = page.locator(f"#demande-{request.pk}")
        assert "PV 2026/77" in row.inner_text()
        assert FINGERPRINT in row.inner_text()
        assert page.locator("#lien-csv").get_attribute("href").startswith("/video/registre.csv?start=")
        screenshot(page, "video-register")
        assert not _serious(page), _serious(page)
    finally:
        page.context.close()

    page = _sign_in(browser, daphne_server.url, video.ethics, "/video/bilan/")
    try:
        assert page.locator("#total-demandes").inner_text() == "1"
        assert page.locator("#total-extractions").inner_text() == "1"
        assert "Dupont" not in page.content()
        screenshot(page, "video-totals")
        assert not _serious(page), _serious(page)
    finally:
        page.context.close()
