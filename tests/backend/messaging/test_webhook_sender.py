"""The kernel's webhook sender: which addresses it refuses (at validation and at send time), how it
connects (to the address it checked, TLS verified against the name), signs, and reads answers."""

import json
import time

import pytest
from django.core.exceptions import ValidationError

from backend.messaging import webhook
from backend.messaging.backends.base import PermanentError, TransientError
from backend.messaging.webhook import (
    SIGNATURE_HEADER,
    WebhookRefused,
    address_refusal,
    validate_webhook_url,
    webhook_post,
    webhook_raise_for_status,
    webhook_send,
    webhook_sign,
    webhook_target,
)
from tests.fakes.webhook_receiver import FakeDns, FakeWebhookReceiver, documented_verify

SECRET = "secret-de-test"
PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"


@pytest.fixture
def no_insecure_hosts(settings):
    settings.WEBHOOK_INSECURE_HOSTS = []
    return settings


@pytest.fixture
def receiver():
    with FakeWebhookReceiver() as fake:
        yield fake


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "0.0.0.0",  # noqa: S104 (an address to refuse, not a bind)
        "100.64.0.1",  # carrier-grade NAT
        "192.0.2.10",  # documentation
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "2001:db8::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::1",  # 6to4 around 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
    ],
)
def test_non_public_addresses_are_refused(address):
    assert address_refusal(address) is not None


@pytest.mark.parametrize("address", [PUBLIC_V4, PUBLIC_V6, f"::ffff:{PUBLIC_V4}", "64:ff9b::5db8:d822"])
def test_public_addresses_are_accepted(address):
    assert address_refusal(address) is None


def test_http_is_refused_unless_the_host_is_listed(settings, monkeypatch):
    FakeDns(monkeypatch, {"hooks.example.fr": [PUBLIC_V4], "staging.internal": ["10.0.0.5"]})
    settings.WEBHOOK_INSECURE_HOSTS = []
    with pytest.raises(ValidationError, match="https"):
        validate_webhook_url("http://hooks.example.fr/vigie")
    validate_webhook_url("https://hooks.example.fr/vigie")
    with pytest.raises(ValidationError, match="privée"):
        validate_webhook_url("https://staging.internal/vigie")
    settings.WEBHOOK_INSECURE_HOSTS = ["Staging.Internal"]
    validate_webhook_url("http://staging.internal/vigie")  # listed: http and a private address allowed


def test_names_are_judged_by_every_address_they_resolve_to(no_insecure_hosts, monkeypatch):
    FakeDns(
        monkeypatch,
        {
            "public.example.fr": [PUBLIC_V4, PUBLIC_V6],
            "mixed.example.fr": [PUBLIC_V4, "10.0.0.7"],
            "mapped.example.fr": ["::ffff:127.0.0.1"],
            "metadata.example.fr": ["169.254.169.254"],
        },
    )
    validate_webhook_url("https://public.example.fr/hook")
    for name, reason in [("mixed", "privée"), ("mapped", "bouclage"), ("metadata", "lien-local")]:
        with pytest.raises(ValidationError) as caught:
            validate_webhook_url(f"https://{name}.example.fr/hook")
        assert reason in caught.value.messages[0]
        assert "Adresse de webhook refusée" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/hook", "bouclage"),
        ("https://[::1]/hook", "bouclage"),
        ("https://[::ffff:7f00:1]/hook", "bouclage"),
        ("https://2130706433/hook", "bouclage"),  # 127.0.0.1 as one number
        ("https://inconnu.example.fr/hook", "introuvable"),
        ("https://agent:motdepasse@hooks.example.fr/hook", "identifiants"),
        ("ftp://hooks.example.fr/hook", "https://"),
    ],
)
def test_the_validator_says_why_in_french(no_insecure_hosts, monkeypatch, url, message):
    dns = FakeDns(monkeypatch, {"hooks.example.fr": [PUBLIC_V4]})
    dns.table["2130706433"] = ["127.0.0.1"]
    with pytest.raises(ValidationError) as caught:
        validate_webhook_url(url)
    assert message in caught.value.messages[0]


def test_a_private_address_is_refused_at_send_time_after_resolution(no_insecure_hosts, monkeypatch, receiver):
    """The name was public when saved; it now resolves to the loopback (DNS changed): nothing is sent."""
    FakeDns(monkeypatch, {"receiver.test": ["127.0.0.1"]})
    with pytest.raises(WebhookRefused, match="bouclage"):
        webhook_post(f"https://receiver.test:{receiver.port}/hook", b"{}", secret=SECRET)
    assert receiver.received == []


def test_the_request_goes_to_the_checked_address_with_one_lookup(settings, monkeypatch, receiver):
    settings.WEBHOOK_INSECURE_HOSTS = ["receiver.test"]
    dns = FakeDns(monkeypatch, {"receiver.test": ["127.0.0.1"]})
    response = webhook_post(receiver.url_for("receiver.test") + "?agence=2", b'{"a":1}', secret=SECRET)
    assert response.status == 200
    assert response.address == "127.0.0.1"
    assert dns.lookups == ["receiver.test"]  # resolved once: the connection used that answer
    (request,) = receiver.received
    assert request.headers["Host"] == f"receiver.test:{receiver.port}"
    assert request.path == "/hook?agence=2"
    assert request.body == b'{"a":1}'


def test_the_signature_is_the_documented_one_over_the_exact_body(settings, receiver):
    settings.WEBHOOK_INSECURE_HOSTS = ["127.0.0.1"]
    verify = documented_verify()
    payload = {"delivery_id": "d-1", "type": "ping", "data": {"texte": "Élément accentué"}}
    before = int(time.time())
    webhook_raise_for_status(webhook_send(receiver.url, payload, secret=SECRET))
    (request,) = receiver.received
    header = request.headers[SIGNATURE_HEADER]
    timestamp = int(header.split(",")[0].removeprefix("t="))
    assert before <= timestamp <= int(time.time())
    assert verify(SECRET, header, request.body)
    assert json.loads(request.body) == payload
    assert request.headers["X-Vigie-Event"] == "ping"
    assert request.headers["X-Vigie-Delivery"] == "d-1"
    assert not verify("un-autre-secret", header, request.body)
    assert not verify(SECRET, header, request.body + b" ")
    # A captured request replayed later: its timestamp is refused after five minutes.
    assert verify(SECRET, header, request.body, now=timestamp + 299)
    assert not verify(SECRET, header, request.body, now=timestamp + 301)
    old = webhook_sign(secret=SECRET, body=request.body, timestamp=timestamp - 600)
    assert not verify(SECRET, old, request.body)


def test_https_is_verified_against_the_host_name_not_the_address(settings, monkeypatch, tmp_path):
    settings.WEBHOOK_INSECURE_HOSTS = ["receiver.test", "autre.test"]  # the fake listens on the loopback
    FakeDns(monkeypatch, {"receiver.test": ["127.0.0.1"], "autre.test": ["127.0.0.1"]})
    with FakeWebhookReceiver(tls_dir=tmp_path, hostname="receiver.test") as tls_receiver:
        ok = webhook_post(
            tls_receiver.url_for("receiver.test"), b"{}", secret=SECRET, ca_certs=tls_receiver.ca_path
        )
        assert ok.status == 200
        with pytest.raises(TransientError, match=r"doesn't match 'receiver\.test'"):
            webhook_post(
                tls_receiver.url_for("autre.test"), b"{}", secret=SECRET, ca_certs=tls_receiver.ca_path
            )
        with pytest.raises(TransientError, match=r"(?i)certificate"):  # a CA we do not trust
            webhook_post(tls_receiver.url_for("receiver.test"), b"{}", secret=SECRET)
        assert len(tls_receiver.received) == 1


def test_redirects_are_not_followed(settings, receiver):
    settings.WEBHOOK_INSECURE_HOSTS = ["127.0.0.1"]
    receiver.script("302")
    response = webhook_post(receiver.url, b"{}", secret=SECRET)
    with pytest.raises(PermanentError, match="redirection"):
        webhook_raise_for_status(response)
    assert [request.path for request in receiver.received] == ["/hook"]


def test_answers_are_sorted_into_transient_and_permanent(settings, receiver):
    settings.WEBHOOK_INSECURE_HOSTS = ["127.0.0.1"]
    receiver.script("429:120", "503", "404", "204", "big500")
    with pytest.raises(TransientError) as throttled:
        webhook_raise_for_status(webhook_post(receiver.url, b"{}", secret=SECRET))
    assert throttled.value.retry_after == 120
    with pytest.raises(TransientError, match="HTTP 503"):
        webhook_raise_for_status(webhook_post(receiver.url, b"{}", secret=SECRET))
    with pytest.raises(PermanentError, match="HTTP 404"):
        webhook_raise_for_status(webhook_post(receiver.url, b"{}", secret=SECRET))
    webhook_raise_for_status(webhook_post(receiver.url, b"{}", secret=SECRET))
    big = webhook_post(receiver.url, b"{}", secret=SECRET)
    assert big.status == 500
    assert len(big.excerpt) <= webhook.ERROR_EXCERPT_CHARS  # the megabyte was not read


def test_a_slow_receiver_times_out_as_a_transient_error(settings, monkeypatch, receiver):
    settings.WEBHOOK_INSECURE_HOSTS = ["127.0.0.1"]
    monkeypatch.setattr(webhook, "READ_TIMEOUT_SECONDS", 0.2)
    receiver.slow_seconds = 2
    receiver.script("slow")
    with pytest.raises(TransientError, match="injoignable"):
        webhook_post(receiver.url, b"{}", secret=SECRET)


def test_nothing_listening_is_a_transient_error(settings):
    settings.WEBHOOK_INSECURE_HOSTS = ["127.0.0.1"]
    with FakeWebhookReceiver() as gone:
        url = gone.url
    with pytest.raises(TransientError, match="injoignable"):
        webhook_post(url, b"{}", secret=SECRET)


def test_the_target_keeps_the_host_header_and_path(settings, monkeypatch):
    settings.WEBHOOK_INSECURE_HOSTS = []
    FakeDns(monkeypatch, {"xn--prfecture-c4a.example.fr": [PUBLIC_V4]})
    target = webhook_target("https://PRÉFECTURE.example.fr/v1/hook?x=1")
    assert target.host == "xn--prfecture-c4a.example.fr"
    assert target.host_header == "xn--prfecture-c4a.example.fr"
    assert target.path == "/v1/hook?x=1"
    assert target.addresses == (PUBLIC_V4,)
