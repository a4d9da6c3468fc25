"""Finding 4 (the webhook half): an agency's webhook could be set to a loopback address, and the next
dispatch (text and coordinates) was POSTed there, unsigned, over plain http (blind SSRF).

Now: loopback, private and link-local addresses are refused when saved through the admin (the form says
why) and again when sent; http is refused unless the host is listed in WEBHOOK_INSECURE_HOSTS; every
request carries X-Vigie-Signature, an HMAC-SHA256 of "<t>.<body>" with the agency's secret.

Self-contained (a stdlib receiver, the signature checked here), so that it runs on the code before the
issue too, where it fails.
"""

import hashlib
import hmac
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from alerts import registry, services
from alerts.models import Agency
from alerts.registry import SubmitterVerdict
from backend.accounts.models import Role
from backend.messaging.models import Delivery
from backend.messaging.worker import drain
from tests import factories
from tests.alerts import factories as f
from tests.helpers import admin_form_post, staff_login

pytestmark = [
    pytest.mark.django_db,
    # Before the fix, the agency form warned about URLField's default scheme (an error under pytest):
    # ignored, so that the old code fails these tests for what it does, not for the warning.
    pytest.mark.filterwarnings("ignore::django.utils.deprecation.RemovedInDjango60Warning"),
]


@pytest.fixture(autouse=True)
def _anyone_may_report() -> Iterator[None]:
    saved = dict(registry._submitter_rules)
    for role in (Role.REFERENT, Role.SHOPKEEPER):
        registry._submitter_rules[role] = lambda user: SubmitterVerdict(allowed=True, trusted=False)
    yield
    registry._submitter_rules.clear()
    registry._submitter_rules.update(saved)


@pytest.fixture
def receiver() -> Iterator[dict[str, Any]]:
    """A plain HTTP receiver on the loopback that records what it is sent."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append({"headers": dict(self.headers), "body": body})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_address[1]}/hook", "received": received}
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _admin_client(commune: Any) -> Client:
    admin, device = factories.staff(role=Role.ADMIN, commune=commune)
    client = Client()
    staff_login(client, admin, device)
    return client


def _save_through_admin(client: Client, agency: Agency, webhook_url: str) -> Any:
    return admin_form_post(client, f"/admin/alerts/agency/{agency.pk}/change/", webhook_url=webhook_url)


def _dispatch_one(commune: Any, agency: Agency) -> None:
    f.routing(commune, agency)
    moderator = f.moderator(commune)
    observation = f.observation(f.referent(commune))
    services.observation_claim(observation=observation, actor=moderator)
    services.observation_approve(observation=observation, actor=moderator, redacted_description="Caviardé.")


@pytest.mark.parametrize(
    "webhook_url",
    [
        "http://127.0.0.1:8080/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "https://192.168.1.20/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
    ],
)
def test_a_loopback_or_private_webhook_is_refused_when_saved_through_the_admin(
    settings: Any, commune: Any, webhook_url: str
) -> None:
    settings.WEBHOOK_INSECURE_HOSTS = []
    agency = f.agency(commune=commune)
    response = _save_through_admin(_admin_client(commune), agency, webhook_url)
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors
    assert "webhook_url" in errors
    assert "webhook" in errors["webhook_url"][0].lower()
    assert errors["webhook_url"][0] in response.content.decode().replace("&#x27;", "'")
    agency.refresh_from_db()
    assert agency.webhook_url == ""


def test_http_is_refused_unless_the_host_is_listed(settings: Any, commune: Any, receiver: Any) -> None:
    settings.WEBHOOK_INSECURE_HOSTS = []
    agency = f.agency(commune=commune)
    client = _admin_client(commune)
    response = _save_through_admin(client, agency, "http://hooks.example.fr/vigie")
    assert response.status_code == 200
    assert "https" in response.context["adminform"].form.errors["webhook_url"][0]
    settings.WEBHOOK_INSECURE_HOSTS = ["127.0.0.1"]  # a test or staging receiver
    assert _save_through_admin(client, agency, receiver["url"]).status_code == 302
    agency.refresh_from_db()
    assert agency.webhook_url == receiver["url"]


def test_a_loopback_webhook_saved_earlier_is_refused_at_send_time(
    settings: Any, commune: Any, receiver: Any
) -> None:
    settings.WEBHOOK_INSECURE_HOSTS = []
    agency = f.agency(commune=commune, webhook_url=receiver["url"])  # written before the rule existed
    _dispatch_one(commune, agency)
    drain()
    assert receiver["received"] == []
    delivery = Delivery.objects.get(channel=Delivery.Channel.WEBHOOK)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error


def test_deliveries_are_signed_with_the_agency_secret(settings: Any, commune: Any, receiver: Any) -> None:
    settings.WEBHOOK_INSECURE_HOSTS = ["127.0.0.1"]
    agency = f.agency(commune=commune, webhook_url=receiver["url"])
    _dispatch_one(commune, agency)
    drain()
    (request,) = receiver["received"]
    header = request["headers"].get("X-Vigie-Signature", "")
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    assert set(parts) == {"t", "v1"}
    agency.refresh_from_db()
    secret = agency.webhook_secret
    assert len(secret) >= 32
    signed = parts["t"].encode() + b"." + request["body"]
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
