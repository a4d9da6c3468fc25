"""Web Push on the API: the public key for the app, web subscriptions registered and unregistered through
the devices API (with their validation errors), and `manage.py webpush_keys`."""

import base64
import io
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command

from backend.messaging import worker
from backend.messaging.backends.webpush import vapid_keys_generate, vapid_public_key
from backend.messaging.checks import webpush_settings_check
from backend.messaging.models import Delivery, Device
from backend.messaging.services import Outgoing, deliveries_enqueue
from tests import factories
from tests.fakes.push_service import FakePushService
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db

ENDPOINT = "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bGexample-1"
P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"


def _body(**subscription: Any) -> dict[str, Any]:
    keys = {"p256dh": P256DH, "auth": AUTH, **subscription.pop("keys", {})}
    return {
        "platform": "web",
        "subscription": {"endpoint": ENDPOINT, "expirationTime": None, "keys": keys, **subscription},
    }


@pytest.fixture
def webpush_on(settings: Any) -> str:
    private, public = vapid_keys_generate()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = private
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:vigie@example.fr"
    return public


def test_the_public_key_for_the_app(settings: Any) -> None:
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    assert api_client_for().get("/api/v1/push/web/").json() == {"enabled": False, "public_key": ""}

    private, public = vapid_keys_generate()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = private
    answer = api_client_for(factories.user()).get("/api/v1/push/web/").json()

    assert answer == {"enabled": True, "public_key": public}
    raw = base64.urlsafe_b64decode(public + "=" * (-len(public) % 4))
    assert len(raw) == 65  # an uncompressed P-256 point: applicationServerKey
    assert raw[0] == 4


def test_a_web_subscription_registers_with_its_endpoint_as_token(webpush_on: str) -> None:
    user = factories.user()
    client = api_client_for(user)

    created = client.post("/api/v1/devices/", _body(), format="json")
    again = client.post("/api/v1/devices/", _body(keys={"auth": "AAAAAAAAAAAAAAAAAAAAAA"}), format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["token"] == ENDPOINT
    assert created.json()["platform"] == "web"
    assert again.status_code == 200
    device = Device.objects.get(token=ENDPOINT)
    assert (device.user, device.web_p256dh, device.web_auth) == (user, P256DH, "AAAAAAAAAAAAAAAAAAAAAA")


def test_web_subscriptions_are_refused_when_web_push_is_off(settings: Any) -> None:
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""

    response = api_client_for(factories.user()).post("/api/v1/devices/", _body(), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "platform": ["Les notifications web ne sont pas activées sur ce serveur."]
    }
    assert not Device.objects.exists()


_NOT_ON_CURVE = base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"platform": "web"}, "subscription", "obligatoire"),
        (_body(endpoint="http://push.example/abc"), "subscription.endpoint", "https://"),
        (_body(endpoint="pas une adresse"), "subscription.endpoint", "URL"),
        (_body(endpoint="https://push.example/" + "a" * 2100), "subscription.endpoint", "2048"),
        (_body(keys={"p256dh": P256DH[:-4]}), "subscription.keys.p256dh", "65 octets"),
        (_body(keys={"p256dh": _NOT_ON_CURVE}), "subscription.keys.p256dh", "65 octets"),
        (_body(keys={"p256dh": P256DH[:-1] + "+"}), "subscription.keys.p256dh", "base64url"),
        (_body(keys={"auth": "tBHItJI5svbpez7KI4CC"}), "subscription.keys.auth", "16 octets"),
        (_body(keys={"auth": ""}), "subscription.keys.auth", "vide"),
        ({"platform": "android"}, "token", "obligatoire"),
        ({**_body(), "platform": "android"}, "subscription", "web"),
        ({**_body(), "token": "fGx1c2VydG9rZW4:APA91bH7x"}, "token", "abonnement"),
    ],
)
def test_registration_errors_name_the_field_in_french(
    webpush_on: str, body: dict[str, Any], field: str, message: str
) -> None:
    response = api_client_for(factories.user()).post("/api/v1/devices/", body, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert not Device.objects.exists()


@pytest.mark.parametrize("encode", [lambda token: quote(token, safe=""), lambda token: token])
def test_unregister_by_endpoint_percent_encoded_or_not(webpush_on: str, encode: Any) -> None:
    user = factories.user()
    client = api_client_for(user)
    assert client.post("/api/v1/devices/", _body(), format="json").status_code == 201

    other = api_client_for(factories.user()).delete(f"/api/v1/devices/{encode(ENDPOINT)}/")
    assert other.status_code == 404  # not theirs
    response = client.delete(f"/api/v1/devices/{encode(ENDPOINT)}/")

    assert response.status_code == 204
    assert not Device.objects.exists()


def test_fcm_tokens_still_register_and_unregister(webpush_on: str) -> None:
    client = api_client_for(factories.user())
    token = "fGx1c2VydG9rZW4:APA91bH7x-Q3examplE_tokEn"
    created = client.post("/api/v1/devices/", {"token": token, "platform": "android"}, format="json")
    assert created.status_code == 201
    assert client.delete(f"/api/v1/devices/{token}/").status_code == 204
    assert client.delete(f"/api/v1/devices/{token}/").status_code == 404


def test_webpush_keys_prints_settings_that_work(settings: Any) -> None:
    out = io.StringIO()
    call_command("webpush_keys", "--subject", "mailto:mairie@example.fr", stdout=out)
    lines = out.getvalue().splitlines()
    values = dict(line.split("=", 1) for line in lines if not line.startswith("#"))
    printed_public = lines[-1].rsplit(" ", 1)[1]
    assert set(values) == {"WEBPUSH_VAPID_PRIVATE_KEY", "WEBPUSH_VAPID_SUBJECT"}
    assert vapid_public_key(values["WEBPUSH_VAPID_PRIVATE_KEY"]) == printed_public

    settings.WEBPUSH_VAPID_PRIVATE_KEY = values["WEBPUSH_VAPID_PRIVATE_KEY"]
    settings.WEBPUSH_VAPID_SUBJECT = values["WEBPUSH_VAPID_SUBJECT"]
    settings.PUSH_BACKEND = "fcm"  # web devices then go through Web Push (FCM is not asked: no app device)
    assert api_client_for().get("/api/v1/push/web/").json()["public_key"] == printed_public
    user = factories.user()
    with FakePushService() as fake:
        subscription = fake.subscribe()
        Device.objects.create(
            user=user,
            token=subscription["endpoint"],
            platform="web",
            web_p256dh=subscription["keys"]["p256dh"],
            web_auth=subscription["keys"]["auth"],
        )
        deliveries_enqueue(
            [Outgoing(channel=Delivery.Channel.PUSH, kind="test", body="Texte", recipient=user)]
        )
        worker.drain()
    (received,) = fake.received
    assert received.headers["authorization"].endswith(f"k={printed_public}")
    assert received.claims["sub"] == "mailto:mairie@example.fr"


def test_with_a_development_push_backend_web_pushes_go_there_too(
    webpush_on: str, push_outbox: list[Any]
) -> None:
    """PUSH_BACKEND=locmem (like console and file) takes web subscriptions too: nothing leaves."""
    user = factories.user()
    Device.objects.create(user=user, token=ENDPOINT, platform="web", web_p256dh=P256DH, web_auth=AUTH)
    deliveries_enqueue([Outgoing(channel=Delivery.Channel.PUSH, kind="test", body="Texte", recipient=user)])

    worker.drain()

    assert [message.token for message in push_outbox] == [ENDPOINT]
    assert Delivery.objects.get().status == Delivery.Status.SENT


@pytest.mark.parametrize(
    ("key", "subject", "problem"),
    [
        ("pas-une-cle", "mailto:vigie@example.fr", "WEBPUSH_VAPID_PRIVATE_KEY"),
        (None, "vigie@example.fr", "SUBJECT"),
    ],
)
def test_a_bad_key_or_subject_fails_the_system_check(
    settings: Any, key: str | None, subject: str, problem: str
) -> None:
    settings.WEBPUSH_VAPID_PRIVATE_KEY = key or vapid_keys_generate()[0]
    settings.WEBPUSH_VAPID_SUBJECT = subject

    (error,) = webpush_settings_check()

    assert error.id == "messaging.E001"
    assert problem in error.msg
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:vigie@example.fr"
    settings.WEBPUSH_VAPID_PRIVATE_KEY = vapid_keys_generate()[0]
    assert webpush_settings_check() == []
