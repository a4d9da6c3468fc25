"""POST /api/v1/devices/ and DELETE /api/v1/devices/{token}/ (the kernel's push addresses)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.models import Role
from backend.audit.models import AuditEvent
from backend.messaging.backends.base import PushOutcome
from backend.messaging.backends.locmem import push_script
from backend.messaging.models import Delivery, Device, PushReceipt
from backend.messaging.services import Outgoing, delivery_enqueue
from backend.messaging.worker import drain
from tests import factories
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/devices/"
TOKEN = "fcm-token:APA91b-abc_DEF.123"


def _push(user, body="Conseil de prévention"):
    return delivery_enqueue(
        Outgoing(channel=Delivery.Channel.PUSH, kind="prevention", body=body, recipient=user)
    )


def test_register_then_refresh_is_idempotent(commune):
    user = factories.user(commune=commune)
    client = api_client_for(user)
    first = client.post(URL, {"token": TOKEN, "platform": "android", "app_version": "1.0.0"}, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["token"] == TOKEN
    device = Device.objects.get()
    Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now() - timedelta(days=3))
    again = client.post(URL, {"token": TOKEN, "platform": "android", "app_version": "1.1.0"}, format="json")
    assert again.status_code == 200
    assert Device.objects.count() == 1
    device.refresh_from_db()
    assert device.app_version == "1.1.0"
    assert device.last_seen_at > timezone.now() - timedelta(minutes=1)
    assert device.created_at < device.last_seen_at
    assert AuditEvent.objects.filter(action="device.registered").count() == 1


def test_token_of_another_user_moves_and_the_former_owner_gets_nothing_more(commune, push_outbox):
    former = factories.user(commune=commune)
    newest = factories.user(role=Role.SHOPKEEPER, commune=commune)
    assert (
        api_client_for(former).post(URL, {"token": TOKEN, "platform": "ios"}, format="json").status_code
        == 201
    )
    response = api_client_for(newest).post(URL, {"token": TOKEN, "platform": "ios"}, format="json")
    assert response.status_code == 200
    assert Device.objects.get().user == newest
    audit = AuditEvent.objects.get(action="device.moved")
    assert audit.extra == {"from_user": former.pk, "to_user": newest.pk}

    _push(former, "pour l'ancien titulaire")
    _push(newest, "pour le nouveau titulaire")
    drain()
    assert [(m.token, m.body) for m in push_outbox] == [(TOKEN, "pour le nouveau titulaire")]
    assert Delivery.objects.get(body="pour l'ancien titulaire").status == Delivery.Status.INVALID


def test_a_push_of_the_former_owner_being_retried_never_reaches_the_new_owner(commune, push_outbox):
    former = factories.user(commune=commune)
    newest = factories.user(commune=commune)
    api_client_for(former).post(URL, {"token": TOKEN, "platform": "android"}, format="json")
    push_script[TOKEN] = [PushOutcome.TRANSIENT]
    delivery = _push(former, "message privé de l'ancien titulaire")
    drain()
    assert PushReceipt.objects.get(delivery=delivery).status == PushReceipt.Status.PENDING
    api_client_for(newest).post(URL, {"token": TOKEN, "platform": "android"}, format="json")
    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now())
    drain()
    assert push_outbox == []
    assert PushReceipt.objects.get(delivery=delivery).status == PushReceipt.Status.FAILED


def test_an_invalidated_token_sent_again_is_reactivated(commune):
    user = factories.user(commune=commune)
    device = Device.objects.create(
        user=user, token=TOKEN, platform="android", is_active=False, deactivated_reason="UNREGISTERED"
    )
    response = api_client_for(user).post(URL, {"token": TOKEN, "platform": "android"}, format="json")
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.is_active is True
    assert device.deactivated_reason == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "android"}, "token"),
        ({"token": TOKEN}, "platform"),
        ({"token": TOKEN, "platform": "windows-phone"}, "platform"),
        ({"token": "avec des espaces dedans", "platform": "android"}, "token"),
        ({"token": "a/b/c/d/e/f", "platform": "android"}, "token"),
        ({"token": "court", "platform": "android"}, "token"),
        ({"token": "x" * 4097, "platform": "android"}, "token"),
        ({"token": TOKEN, "platform": "android", "app_version": "9" * 41}, "app_version"),
    ],
)
def test_bad_device_input(commune, body, field):
    response = api_client_for(factories.user(commune=commune)).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Device.objects.exists()


def test_unregister_own_token(commune):
    user = factories.user(commune=commune)
    client = api_client_for(user)
    client.post(URL, {"token": TOKEN, "platform": "web"}, format="json")
    assert client.delete(f"{URL}{TOKEN}/").status_code == 204
    assert not Device.objects.exists()
    assert AuditEvent.objects.filter(action="device.unregistered").exists()
    assert client.delete(f"{URL}{TOKEN}/").status_code == 404


def test_unregister_someone_elses_token_is_not_found(commune):
    owner = factories.user(commune=commune)
    Device.objects.create(user=owner, token=TOKEN, platform="android")
    response = api_client_for(factories.user(commune=commune)).delete(f"{URL}{TOKEN}/")
    assert response.status_code == 404
    assert response.json()["detail"] == "Appareil inconnu."
    assert Device.objects.filter(user=owner).exists()


def test_staff_and_anonymous_may_not_register(commune):
    operator = factories.user(role=Role.OPERATOR, commune=commune)
    assert (
        api_client_for(operator).post(URL, {"token": TOKEN, "platform": "ios"}, format="json").status_code
        == 403
    )
    assert api_client_for().post(URL, {"token": TOKEN, "platform": "ios"}, format="json").status_code == 401
    assert not Device.objects.exists()
