"""Agency webhooks end to end: every dispatch event reaches the webhook of the agency that owns the
dispatch, signed with its key (verified by the snippet of docs/webhooks.md), without the reporter;
retries, dead letters in the admin and the console, the secret in the admin, manage.py webhook_test."""

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from alerts import services
from alerts.models import Agency, Dispatch, Event, ObservationDelivery
from alerts.webhooks import WEBHOOK_EVENTS, agency_webhook_secret
from backend.accounts.models import Role
from backend.audit.models import AuditEvent
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, delivery_enqueue
from backend.messaging.webhook import SIGNATURE_HEADER
from backend.messaging.worker import drain
from tests import factories
from tests.alerts import factories as f
from tests.fakes.webhook_receiver import FakeWebhookReceiver, Received, documented_verify
from tests.helpers import admin_form_post, signed_in, staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings: Any) -> Any:
    settings.WEBHOOK_INSECURE_HOSTS = ["127.0.0.1"]
    with FakeWebhookReceiver() as fake:
        yield fake


def hook(receiver: FakeWebhookReceiver, name: str) -> str:
    return f"http://127.0.0.1:{receiver.port}/{name}"


def by_path(receiver: FakeWebhookReceiver, path: str) -> list[Received]:
    return [request for request in receiver.received if request.path == path]


def payload_of(request: Received) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(request.body)
    return result


def dispatched(commune: Any, author: Any, moderator: Any) -> Dispatch:
    observation = f.observation(author)
    services.observation_claim(observation=observation, actor=moderator)
    services.observation_approve(observation=observation, actor=moderator, redacted_description="Caviardé.")
    return Dispatch.objects.select_related("agency", "observation").get(observation=observation)


def sent_once(commune: Any, receiver: FakeWebhookReceiver, *answers: str) -> tuple[Agency, Delivery]:
    """An agency whose receiver gives `answers`, and the webhook of a dispatch to it after one attempt."""
    pm = f.agency(commune=commune, webhook_url=hook(receiver, "pm"))
    f.routing(commune, pm)
    receiver.script(*answers)
    dispatched(commune, f.referent(commune), f.moderator(commune))
    drain()
    return pm, Delivery.objects.get(channel=Delivery.Channel.WEBHOOK)


def make_due() -> None:
    Delivery.objects.filter(status=Delivery.Status.QUEUED).update(not_before=timezone.now())


def test_every_dispatch_event_reaches_the_owning_agency_signed_and_without_the_reporter(
    commune: Any, receiver: FakeWebhookReceiver
) -> None:
    moderator = f.moderator(commune)
    officer, colleague, officer_pn = f.operator(commune), f.operator(commune), f.operator(commune)
    pm = f.agency(commune=commune, members=(officer, colleague), webhook_url=hook(receiver, "pm"))
    pn = f.agency(
        commune=commune,
        name="Police nationale",
        kind=Agency.Kind.POLICE_NATIONALE,
        members=(officer_pn,),
        webhook_url=hook(receiver, "pn"),
    )
    gendarmerie = f.agency(
        commune=commune, name="Gendarmerie", kind=Agency.Kind.GENDARMERIE, webhook_url=hook(receiver, "gd")
    )
    f.routing(commune, pm)
    f.fallback(commune, gendarmerie)
    author = f.referent(commune, display_name="Camille Témoin")

    first = dispatched(commune, author, moderator)
    services.dispatch_acknowledge(dispatch=first, actor=officer)
    services.dispatch_assign(dispatch=first, actor=officer, assignee=colleague)
    services.dispatch_add_note(dispatch=first, actor=officer, text="Patrouille envoyée.")
    handed = services.dispatch_handover(dispatch=first, actor=officer, agency=pn, note="Relève PN.")
    services.dispatch_close(dispatch=handed, actor=officer_pn, outcome="no_trace")
    dispatched(commune, author, moderator)  # never acknowledged: escalated to the fallback
    assert services.dispatches_escalate(now=timezone.now() + timedelta(hours=3)) == 1
    drain()

    types = {path: [payload_of(r)["type"] for r in by_path(receiver, path)] for path in ("/pm", "/pn", "/gd")}
    assert types == {
        "/pm": [
            "dispatch.created",
            "dispatch.acknowledged",
            "dispatch.assigned",
            "dispatch.noted",
            "dispatch.handed_over",
            "dispatch.created",
            "dispatch.escalated",
        ],
        "/pn": ["dispatch.created", "dispatch.closed"],
        "/gd": ["dispatch.created"],
    }
    assert {t for path_types in types.values() for t in path_types} == set(WEBHOOK_EVENTS)
    verify = documented_verify()
    secrets = {"/pm": pm, "/pn": pn, "/gd": gendarmerie}
    delivery_ids = set()
    for request in receiver.received:
        agency = secrets[request.path]
        agency.refresh_from_db()
        assert verify(agency.webhook_secret, request.headers[SIGNATURE_HEADER], request.body)
        for other in secrets.values():
            if other.pk != agency.pk:
                assert not verify(other.webhook_secret, request.headers[SIGNATURE_HEADER], request.body)
        payload = payload_of(request)
        delivery_ids.add(payload["delivery_id"])
        event = Event.objects.get(pk=payload["event_id"])
        assert event.type == payload["type"] == request.headers["X-Vigie-Event"]
        assert payload["data"] == event.data  # what the agency's console got: the police view
        assert payload["data"]["agency"]["id"] == agency.pk
        text = request.body.decode()
        assert "Camille" not in text
        assert str(author.phone) not in text
        assert "author" not in payload["data"]["observation"]
        assert "Deux personnes forcent" not in text  # the original text stays with the moderators
        assert payload["data"]["observation"]["description"] == "Caviardé."
    assert len(delivery_ids) == len(receiver.received)
    # Every delivery is tied to its observation and agency (retention, dead letters).
    webhooks = Delivery.objects.filter(channel=Delivery.Channel.WEBHOOK)
    assert webhooks.count() == 10
    assert set(webhooks.values_list("status", flat=True)) == {Delivery.Status.SENT}
    links = ObservationDelivery.objects.filter(delivery__in=webhooks)
    assert links.count() == 10
    assert {link.agency_id for link in links} == {pm.pk, pn.pk, gendarmerie.pk}


def test_agencies_without_a_webhook_get_no_delivery(commune: Any) -> None:
    pm = f.agency(commune=commune)
    f.routing(commune, pm)
    dispatched(commune, f.referent(commune), f.moderator(commune))
    assert not Delivery.objects.filter(channel=Delivery.Channel.WEBHOOK).exists()
    pm.refresh_from_db()
    assert pm.webhook_secret == ""


def test_a_500_is_retried_with_the_same_delivery_id_and_a_fresh_signature(
    commune: Any, receiver: FakeWebhookReceiver
) -> None:
    pm, delivery = sent_once(commune, receiver, "500")
    assert delivery.status == Delivery.Status.QUEUED
    assert delivery.attempts == 1
    assert "HTTP 500" in delivery.last_error
    old_secret = agency_webhook_secret(pm)
    new_secret = services_rotate(pm)
    make_due()
    drain()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 2
    first, second = receiver.received
    assert first.body == second.body
    assert payload_of(first)["delivery_id"] == payload_of(second)["delivery_id"]
    verify = documented_verify()
    assert verify(old_secret, first.headers[SIGNATURE_HEADER], first.body)
    # The retry is signed at send time with the key the agency has now.
    assert verify(new_secret, second.headers[SIGNATURE_HEADER], second.body)
    assert not verify(old_secret, second.headers[SIGNATURE_HEADER], second.body)


def services_rotate(agency: Agency) -> str:
    from alerts.webhooks import agency_webhook_secret_rotate

    return agency_webhook_secret_rotate(agency=agency, actor=factories.user(role=Role.ADMIN))


def test_a_429_waits_as_long_as_the_receiver_asks(settings: Any, commune: Any, receiver: Any) -> None:
    settings.DELIVERY_BACKOFF_BASE_SECONDS = 30
    _pm, delivery = sent_once(commune, receiver, "429:900")
    assert delivery.status == Delivery.Status.QUEUED
    assert (delivery.not_before - timezone.now()).total_seconds() > 800


def test_a_webhook_delivery_without_an_agency_key_is_never_sent_unsigned(receiver: Any) -> None:
    delivery = delivery_enqueue(
        Outgoing(channel=Delivery.Channel.WEBHOOK, kind="t", body="x", address=hook(receiver, "x"))
    )
    drain()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "clé de signature" in delivery.last_error
    assert receiver.received == []


def test_dead_letters_show_in_the_admin_and_in_the_members_consoles(
    settings: Any, commune: Any, receiver: FakeWebhookReceiver
) -> None:
    settings.DELIVERY_MAX_ATTEMPTS = 2
    officer, outsider = f.operator(commune), f.operator(commune)
    pm = f.agency(commune=commune, members=(officer,), webhook_url=hook(receiver, "pm"))
    f.agency(commune=commune, name="Police nationale", members=(outsider,))
    f.routing(commune, pm)
    receiver.script("500", "503")
    dispatch = dispatched(commune, f.referent(commune), f.moderator(commune))
    drain()
    make_due()
    drain()
    delivery = Delivery.objects.get(channel=Delivery.Channel.WEBHOOK)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 2
    assert delivery.last_error == "Le webhook a répondu HTTP 503 : réponse du récepteur"

    admin, device = factories.staff(role=Role.ADMIN, commune=commune)
    client = Client()
    staff_login(client, admin, device)
    page = client.get(f"/admin/alerts/agency/{pm.pk}/change/").content.decode()
    assert "webhooks en échec définitif" in page.lower()
    assert "Le webhook a répondu HTTP 503 : réponse du récepteur" in page
    assert "dispatch.created" in page
    assert f"<td>{dispatch.pk}</td>" in page

    state = signed_in(officer).get("/api/v1/console/state/").json()
    (failure,) = state["webhook_failures"]
    assert failure["agency"] == {"id": pm.pk, "name": pm.name}
    assert failure["count"] == 1
    assert failure["last_error"] == delivery.last_error
    assert failure["last_at"] is not None
    assert signed_in(outsider).get("/api/v1/console/state/").json()["webhook_failures"] == []
    # Older than a day: no longer a warning (still listed in the admin).
    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now() - timedelta(hours=25))
    assert signed_in(officer).get("/api/v1/console/state/").json()["webhook_failures"] == []
    html = signed_in(officer).get("/console/").content.decode()
    assert 'id="webhooks-en-echec"' in html


def test_the_secret_is_shown_to_the_agency_editor_and_regenerated_by_an_action(
    settings: Any, commune: Any
) -> None:
    settings.WEBHOOK_INSECURE_HOSTS = ["127.0.0.1"]
    pm = f.agency(commune=commune)
    admin, device = factories.staff(role=Role.ADMIN, commune=commune)
    client = Client()
    staff_login(client, admin, device)
    url = f"/admin/alerts/agency/{pm.pk}/change/"
    response = admin_form_post(client, url, webhook_url="http://127.0.0.1:9/hook")
    assert response.status_code == 302
    pm.refresh_from_db()
    assert len(pm.webhook_secret) >= 40
    assert pm.webhook_secret in client.get(url).content.decode()
    before = pm.webhook_secret
    response = client.post(
        "/admin/alerts/agency/",
        {"action": "webhook_secret_regenerate", "_selected_action": [pm.pk]},
    )
    assert response.status_code == 302
    pm.refresh_from_db()
    assert pm.webhook_secret != before
    assert AuditEvent.objects.filter(action="agency.webhook_secret_rotated", object_id=str(pm.pk)).exists()


def test_webhook_test_sends_a_signed_ping_and_says_what_happened(commune: Any, receiver: Any) -> None:
    pm = f.agency(commune=commune, name="PM des Pennes", webhook_url=hook(receiver, "pm"))
    out = StringIO()
    call_command("webhook_test", str(pm.pk), stdout=out)
    text = out.getvalue()
    assert hook(receiver, "pm") in text
    assert "HTTP 200" in text
    assert " ms " in text
    (request,) = receiver.received
    pm.refresh_from_db()
    assert documented_verify()(pm.webhook_secret, request.headers[SIGNATURE_HEADER], request.body)
    payload = payload_of(request)
    assert payload["type"] == "ping"
    assert payload["data"]["agency"]["id"] == pm.pk
    call_command("webhook_test", "pm des pennes", stdout=StringIO())  # by name, any case
    assert len(receiver.received) == 2

    receiver.script("500")
    out = StringIO()
    with pytest.raises(CommandError, match="HTTP 500"):
        call_command("webhook_test", str(pm.pk), stdout=out)
    assert "HTTP 500" in out.getvalue()
    with pytest.raises(CommandError, match="introuvable"):
        call_command("webhook_test", "Brigade fantôme", stdout=StringIO())


def test_webhook_test_reports_a_refused_address(settings: Any, commune: Any, receiver: Any) -> None:
    pm = f.agency(commune=commune, webhook_url=hook(receiver, "pm"))
    settings.WEBHOOK_INSECURE_HOSTS = []
    with pytest.raises(CommandError, match="https"):
        call_command("webhook_test", str(pm.pk), stdout=StringIO())
    Agency.objects.filter(pk=pm.pk).update(webhook_url=f"https://127.0.0.1:{receiver.port}/pm")
    with pytest.raises(CommandError, match="bouclage"):
        call_command("webhook_test", str(pm.pk), stdout=StringIO())
    assert receiver.received == []
