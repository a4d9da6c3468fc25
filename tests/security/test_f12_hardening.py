"""Finding 12 of issue 12 (its hardening part): a JPEG comment survived re-encoding; a chunked request body
bypassed the size limit; the websocket Origin check ignored scheme and port; deeply nested JSON gave a
500; bidi control characters were stored and shown as is; no Content-Security-Policy on the HTML pages;
a publish after commit waited forever on a stopped server loop (a plain daphne never exited)."""

import asyncio
import http.client
import io
import json
import os
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import SyncToAsync, sync_to_async
from channels.layers import InMemoryChannelLayer
from channels.testing import WebsocketCommunicator
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from PIL import Image

from alerts import events
from alerts.broadcasts.models import Broadcast
from alerts.models import Observation, ObservationPhoto
from backend.accounts.models import Role
from commerces.models import InboundMessage
from tests import factories
from tests.alerts import factories as af
from tests.commerces import factories as cf
from tests.helpers import api_client_for, staff_login
from tests.live import start_daphne, token_for
from tests.neighbours import factories as nf

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "…\u202eeuqirfA" reads "Afrique…" on screen
SECRET = "Camille Durand 06 12 34 56 78"


@pytest.fixture
def referent_client(commune: Any) -> Any:
    nf.ready_commune(commune)
    client = api_client_for(nf.referent(commune).user)
    client.raise_request_exception = False  # a crash is a 500 here, as a client sees it
    return client


# --- JPEG comment ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_jpeg_comment_does_not_survive_reencoding(referent_client):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG", comment=SECRET.encode())
    assert SECRET.encode() in buffer.getvalue()
    photo = io.BytesIO(buffer.getvalue())
    photo.name = "photo.jpg"
    response = referent_client.post(
        "/api/v1/observations/", {**af.submission(), "photos": [photo]}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    stored = ObservationPhoto.objects.get()
    with stored.file.open("rb") as handle:
        data = handle.read()
    assert SECRET.encode() not in data
    with Image.open(io.BytesIO(data)) as image:
        assert "comment" not in image.info


# --- chunked body ---------------------------------------------------------------------------------

LIMIT = 4096


@pytest.fixture(scope="module")
def small_daphne(tmp_path_factory: pytest.TempPathFactory, django_db_setup, django_db_blocker) -> Iterator:
    server = start_daphne(tmp_path_factory.mktemp("f12"), {"REQUEST_BODY_MAX_BYTES": str(LIMIT)})
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_a_chunked_body_over_the_limit_is_refused_like_a_sized_one(small_daphne):
    body = json.dumps({"phone": "0612345678", "padding": "x" * (4 * LIMIT)}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", small_daphne.port, timeout=30)
    try:
        connection.request(
            "POST",
            "/api/v1/auth/otp/",
            body=iter([body[start : start + 1024] for start in range(0, len(body), 1024)]),
            headers={"Content-Type": "application/json"},  # no Content-Length: chunked
            encode_chunked=True,
        )
        response = connection.getresponse()
        answer = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 413
    assert set(answer) == {"detail", "errors"}


# --- websocket Origin -----------------------------------------------------------------------------


async def socket_opens(host: bytes, origin: bytes, *extra: tuple[bytes, bytes]) -> bool:
    user = await sync_to_async(factories.user)(role=Role.REFERENT)
    token = await sync_to_async(token_for)(user)
    from backend.asgi import application

    communicator = WebsocketCommunicator(
        application, f"/ws/ping/?token={token}", headers=[(b"host", host), (b"origin", origin), *extra]
    )
    connected, _code = await communicator.connect()
    await communicator.disconnect()
    return bool(connected)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("host", "origin", "extra", "opens"),
    [
        (b"localhost:8000", b"http://localhost:8000", (), True),
        (b"localhost:8000", b"http://localhost:9999", (), False),  # another port
        (b"localhost:8443", b"http://localhost", ((b"x-forwarded-proto", b"https"),), False),  # scheme
        (b"localhost:8443", b"https://localhost:8443", ((b"x-forwarded-proto", b"https"),), True),
    ],
)
async def test_the_socket_origin_is_compared_on_scheme_host_and_port(host, origin, extra, opens):
    assert await socket_opens(host, origin, *extra) is opens


# --- nested JSON ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_is_a_400_not_a_500(referent_client, depth):
    body = "[" * depth + "]" * depth
    response = referent_client.post("/api/v1/observations/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


@pytest.mark.django_db(transaction=True)
async def test_a_deeply_nested_socket_message_gets_an_answer():
    user = await sync_to_async(factories.user)(role=Role.REFERENT)
    token = await sync_to_async(token_for)(user)
    from backend.asgi import application

    communicator = WebsocketCommunicator(application, f"/ws/ping/?token={token}")
    assert (await communicator.connect())[0]
    try:
        await communicator.receive_json_from()  # hello
        await communicator.send_to(text_data="[" * 100_000 + "]" * 100_000)
        assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
    finally:
        await communicator.disconnect()


# --- bidi and control characters ------------------------------------------------------------------


@pytest.mark.django_db
def test_bidi_characters_are_not_stored_from_the_api(referent_client):
    response = referent_client.post(
        "/api/v1/observations/",
        af.submission(description=f"Voiture suspecte {RLO}321-BA-CD{RLO} devant le n° 4"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    description = Observation.objects.get().description
    assert RLO not in description
    assert description == "Voiture suspecte 321-BA-CD devant le n° 4"


@pytest.mark.django_db
def test_bidi_characters_are_not_stored_from_a_broadcast(commune):
    nf.ready_commune(commune)
    moderator = factories.user(role=Role.MODERATOR, commune=commune)
    response = api_client_for(moderator).post(
        "/api/v1/broadcasts/",
        {
            "kind": "prevention",
            "title": f"Conseil {RLO}du jour",
            "body": f"Fermez vos portes{RLO}\u2066 la nuit.",
            "audiences": ["referents"],
            "channels": ["push"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    broadcast = Broadcast.objects.get()
    assert (broadcast.title, broadcast.body) == ("Conseil du jour", "Fermez vos portes la nuit.")


@pytest.fixture
def twilio(settings: Any) -> None:
    settings.TWILIO_AUTH_TOKEN = cf.TWILIO_TOKEN
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    settings.TWILIO_FROM_NUMBER = "+33700000001"
    settings.SMS_WEBHOOK_BASE_URL = ""


@pytest.mark.django_db
def test_bidi_characters_are_not_stored_from_an_sms(client, commune, twilio):
    shop = cf.shop(commune, name="Boulangerie du Centre", siret=cf.SIRETS[0])
    cf.shopkeeper(shop, phone="+33612000031")
    body = f"VOL deux jeunes {RLO}erag al srev{RLO} partis"
    response = cf.signed_post(client, cf.INBOUND_URL, cf.sms_params(sender="+33612000031", body=body))
    assert response.status_code == 200
    assert InboundMessage.objects.get().body == "VOL deux jeunes erag al srev partis"
    assert RLO not in Observation.objects.get().description


@pytest.mark.django_db
def test_bidi_characters_are_not_stored_from_a_web_form(client, commune):
    shop = cf.shop(commune, name="Boulangerie du Centre", siret=cf.SIRETS[0])
    shopkeeper = cf.shopkeeper(shop, phone="+33612000031")
    client.force_login(shopkeeper.user)
    response = client.post(
        "/commerces/signaler/",
        {
            "category": "escroquerie",
            "description": f"Faux billet {RLO}05{RLO} rendu à la caisse",
            "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Observation.objects.get().description == "Faux billet 05 rendu à la caisse"


# --- Content-Security-Policy ----------------------------------------------------------------------


def page_routes() -> list[str]:
    """Every parameterless route of the URL conf outside the API, and each admin model's list and form."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if not isinstance(pattern.pattern, RoutePattern):
                continue
            route = prefix + str(pattern.pattern)
            if "<" in route or route.startswith("api/v1/"):
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                found.append("/" + route)

    walk(get_resolver().url_patterns, "")
    for model in admin.site._registry:
        meta = model._meta
        found.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        found.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    return sorted(set(found))


def assert_csp(response: Any, path: str) -> None:
    policy = response.get("Content-Security-Policy", "")
    assert policy, f"{path} ({response.status_code}) has no Content-Security-Policy"
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert "'unsafe-inline'" not in directives["script-src"], path
    assert "'unsafe-eval'" not in directives["script-src"], path
    assert directives["object-src"] == ["'none'"], path
    assert directives["frame-ancestors"] == ["'none'"], path
    assert directives["base-uri"] == ["'self'"], path
    assert directives["form-action"] == ["'self'"], path


@pytest.mark.django_db
def test_every_html_page_has_a_content_security_policy(commune):
    user, device = factories.staff(role=Role.ADMIN, commune=commune)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    superuser = Client(raise_request_exception=False)
    staff_login(superuser, user, device)
    checked: set[str] = set()
    for client in (Client(raise_request_exception=False), superuser):
        for path in page_routes():
            response = client.get(path)
            if response.get("Content-Type", "").startswith("text/html"):
                assert_csp(response, path)
                if response.status_code == 200:
                    checked.add(path)
    pages = {"/", "/connexion/", "/console/", "/admin/", "/api/docs/", "/commerces/", "/commerces/connexion/"}
    assert pages <= checked
    assert len([path for path in checked if path.startswith("/admin/")]) > 30


# --- publish on a stopped server loop -------------------------------------------------------------


def test_publish_returns_at_once_when_the_server_loop_has_stopped(monkeypatch):
    monkeypatch.setattr(events, "get_channel_layer", lambda: InMemoryChannelLayer())
    stopped = asyncio.new_event_loop()  # a daphne's loop after SIGTERM: not running, not closed
    returned = threading.Event()

    def request_thread() -> None:  # as asgiref marks a thread running a sync view for that loop
        SyncToAsync.threadlocal.main_event_loop = stopped
        SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()
        payload = {"id": 1, "type": "observation.pending", "at": "2026-11-27T08:00:00+01:00", "data": {}}
        events.publish(payload, ["moderation.1"])
        returned.set()

    threading.Thread(target=request_thread, daemon=True).start()  # daemon: a stuck one ends with pytest
    try:
        assert returned.wait(timeout=20), "publish() waits forever for a loop that has stopped"
    finally:
        stopped.close()
