"""The Content-Security-Policy in a real browser (headless Chromium against a real daphne): Swagger UI, the
admin and the public pages work under it without a single violation (tests/live.py fails a browser test
on any), and a script injected into a page does not run."""

import time
from typing import Any

import pytest
from django_otp.oath import TOTP

from backend.accounts.models import Role
from tests import factories
from tests.commerces import factories as shop_factories
from tests.live import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PASSWORD = "motdepasse-solide-42"


def totp_now(device: Any) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return str(totp.token()).zfill(device.digits)


def test_an_injected_script_does_not_run_and_is_reported(daphne_server, page, csp_violations):
    page.goto(f"{daphne_server.url}/connexion/")
    ran = page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__injected = true";
            document.body.appendChild(script);
            return window.__injected === true;
        }"""
    )
    assert ran is False
    page.wait_for_timeout(200)  # the violation report is asynchronous
    assert any("script" in violation for violation in csp_violations)
    csp_violations.clear()  # provoked on purpose


def test_public_pages_and_swagger_ui_work_under_the_policy(daphne_server, page):
    for path, visible in [("/", "body"), ("/connexion/", "#id_phone"), ("/commerces/", "main")]:
        page.goto(f"{daphne_server.url}{path}")
        page.wait_for_selector(visible)
    page.goto(f"{daphne_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)  # its start-up script ran
    assert "Vigie API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-tag").first.wait_for()
    screenshot(page, "swagger-ui-csp")


def test_the_admin_works_under_the_policy(daphne_server, page, commune):
    user, device = factories.staff(role=Role.ADMIN, commune=commune, password=PASSWORD)
    shop_factories.shop(commune, name="Boulangerie du Centre")
    base = daphne_server.url
    page.goto(f"{base}/admin/")
    assert "/connexion/" in page.url
    page.get_by_label("Téléphone").fill(str(user.phone))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Code de l'application d'authentification").fill(totp_now(device))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/admin/")
    # A list with actions (actions.js), an add form with its widgets, the sidebar's filter (nav_sidebar.js).
    page.goto(f"{base}/admin/commerces/shop/")
    page.locator("#action-toggle").check()  # actions.js: every row selected, the counter updated
    page.wait_for_function("() => document.querySelector('.action-counter').textContent.includes('1')")
    page.goto(f"{base}/admin/territory/sector/add/")
    page.wait_for_selector("form")
    page.goto(f"{base}/admin/alerts/agency/add/")
    page.wait_for_selector("form")
    screenshot(page, "admin-csp")
