"""Agency webhooks: signed JSON POSTs to public https addresses only (docs/webhooks.md).

- Addresses: https only, no credentials in the URL, and the host must resolve to public (global unicast)
  addresses only: loopback, private, link-local, reserved, multicast and unspecified ones are refused,
  IPv4 and IPv6 alike (IPv4-mapped, 6to4 and NAT64 addresses are judged by the IPv4 address inside).
  Hosts listed in WEBHOOK_INSECURE_HOSTS (tests, staging) are exempt from both rules. The same check
  validates the URL when it is saved (`validate_webhook_url`) and again when a request goes out, after
  resolution: the request then connects to the very address that was checked (no second lookup that a
  rebinding DNS server could answer differently), TLS verified against the host name.
- No redirects followed, short timeouts, the response read no further than a few hundred bytes.
- Outcome: 2xx sent; 408, 429 and 5xx (Retry-After honoured), network and TLS errors transient (the
  worker retries with its backoff); any other answer, a refused address or no signing key permanent.
- Signature (Stripe's scheme): `X-Vigie-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
  computed at each attempt over the exact bytes sent, with the key of the delivery's owner. The kernel
  does not know who owns a delivery: the app that queues webhooks registers a resolver delivery → key
  (`register_webhook_key`, from its AppConfig.ready()), so keys are read at send time and a key that
  was regenerated meanwhile applies to retries too.
"""

import email.utils
import hashlib
import hmac
import ipaddress
import json
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from urllib3.exceptions import ConnectTimeoutError, HTTPError

from backend.messaging.backends.base import PermanentError, TransientError
from backend.messaging.models import Delivery

SIGNATURE_HEADER = "X-Vigie-Signature"
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 10.0
# What is read of an answer: enough for an error message, never a body the receiver chose to make huge.
RESPONSE_READ_BYTES = 1024
ERROR_EXCERPT_CHARS = 200
MAX_RETRY_AFTER_SECONDS = 3600.0
USER_AGENT = "Vigie-Webhooks/1"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) → the addresses it resolves to; tests substitute their own (see tests/fakes/webhook_receiver.py).
Resolver = Callable[[str, int], list[str]]
KeyResolver = Callable[[Delivery], str | None]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class WebhookRefused(PermanentError):
    """The URL or the address it resolves to is not allowed: never sent, never retried."""


# --- signing keys: filled by the app that owns webhook deliveries ------------------------------

_key_resolvers: dict[str, KeyResolver] = {}


def register_webhook_key(name: str, resolver: KeyResolver) -> None:
    """`resolver(delivery)` returns the key that signs this webhook delivery, or None if not its own."""
    _key_resolvers[name] = resolver


def webhook_key(delivery: Delivery) -> str | None:
    for resolver in _key_resolvers.values():
        key = resolver(delivery)
        if key:
            return key
    return None


def webhook_sign(*, secret: str, body: bytes, timestamp: int) -> str:
    """The X-Vigie-Signature value: t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_body(payload: Mapping[str, Any]) -> bytes:
    """The bytes sent for a payload (compact UTF-8 JSON, keys sorted: the same bytes at every attempt)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


# --- addresses ------------------------------------------------------------------------------------


def system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


# Looked up at call time, so that tests can point names at the addresses they choose.
resolve: Resolver = system_resolve


def insecure_hosts() -> frozenset[str]:
    return frozenset(host.strip().strip("[]").lower() for host in settings.WEBHOOK_INSECURE_HOSTS)


def address_refusal(address: str) -> str | None:
    """Why this address may not receive a webhook (French, for the error), or None if it is public."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return _("adresse invalide")
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_refusal(str(embedded))
    checks = (
        (ip.is_unspecified, _("adresse non spécifiée")),
        (ip.is_loopback, _("adresse de bouclage")),
        (ip.is_link_local, _("adresse lien-local")),
        (ip.is_multicast, _("adresse de multidiffusion")),
        (ip.is_private, _("adresse privée")),
        (ip.is_reserved, _("adresse réservée")),
        (not ip.is_global, _("adresse non publique")),
    )
    for refused, reason in checks:
        if refused:
            return reason
    return None


@dataclass(frozen=True)
class WebhookTarget:
    """A checked webhook URL: where to connect (`addresses`) and what to tell the server (host, path)."""

    url: str
    scheme: str
    host: str  # ASCII (IDNA), lowercase, without brackets
    port: int
    host_header: str
    path: str
    addresses: tuple[str, ...]
    insecure: bool


def _parse(url: str) -> tuple[str, str, int, str, str]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise WebhookRefused(_("Adresse de webhook invalide.")) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefused(_("Adresse de webhook invalide : une adresse https:// est attendue."))
    if parts.username is not None or parts.password is not None:
        raise WebhookRefused(
            _("L'adresse du webhook ne doit pas contenir d'identifiants : les requêtes sont signées.")
        )
    try:
        host = parts.hostname.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise WebhookRefused(_("Nom d'hôte invalide dans l'adresse du webhook.")) from exc
    default_port = 443 if scheme == "https" else 80
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port in (None, default_port) else f"{shown}:{port}"
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, host, port or default_port, host_header, path


def webhook_target(url: str) -> WebhookTarget:
    """Checks a webhook URL and resolves its host once. Raises WebhookRefused (not allowed) or
    TransientError (the name does not resolve now)."""
    scheme, host, port, host_header, path = _parse(url)
    insecure = host in insecure_hosts()
    if scheme != "https" and not insecure:
        raise WebhookRefused(
            _("Le webhook doit utiliser https:// (http n'est permis que pour les hôtes de test).")
        )
    try:
        addresses = tuple(resolve(host, port))
    except (OSError, UnicodeError) as exc:
        raise TransientError(
            _("Nom d'hôte introuvable : %(host)s (%(error)s).") % {"host": host, "error": exc}
        ) from exc
    if not addresses:
        raise TransientError(_("Nom d'hôte introuvable : %(host)s.") % {"host": host, "error": ""})
    if not insecure:
        for address in addresses:
            reason = address_refusal(address)
            if reason is not None:
                raise WebhookRefused(
                    _("Adresse de webhook refusée : %(host)s désigne %(address)s (%(reason)s).")
                    % {"host": host, "address": address, "reason": reason}
                )
    return WebhookTarget(
        url=url,
        scheme=scheme,
        host=host,
        port=port,
        host_header=host_header,
        path=path,
        addresses=addresses,
        insecure=insecure,
    )


def validate_webhook_url(value: str) -> None:
    """Model field validator: the admin form and every validated write refuse a URL the sender would."""
    if not value:
        return
    try:
        webhook_target(value)
    except (WebhookRefused, TransientError) as exc:
        raise ValidationError(str(exc), code="webhook_refused") from exc


# --- sending --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookResponse:
    status: int
    elapsed: float  # seconds, from the first connection attempt to the answer's first bytes read
    address: str  # the address that answered
    retry_after: float | None
    excerpt: str  # the first characters of the answer's body


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def _pool(target: WebhookTarget, address: str, ca_certs: str | None) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=READ_TIMEOUT_SECONDS)
    if target.scheme == "https":
        # The socket goes to the checked address; SNI and the certificate check use the host name.
        return urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=timeout,
            maxsize=1,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=ca_certs or certifi.where(),
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    return urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, maxsize=1, retries=False)


def webhook_post(
    url: str,
    body: bytes,
    *,
    secret: str,
    headers: Mapping[str, str] | None = None,
    ca_certs: str | None = None,
) -> WebhookResponse:
    """Checks the URL, resolves it once and POSTs the signed body to the checked address; returns the
    answer, whatever its status. Raises WebhookRefused, or TransientError when nothing answered."""
    target = webhook_target(url)
    timestamp = int(time.time())
    sent_headers = {
        "Host": target.host_header,
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "identity",
        **(headers or {}),
        SIGNATURE_HEADER: webhook_sign(secret=secret, body=body, timestamp=timestamp),
    }
    started = time.monotonic()
    last_error: Exception | None = None
    for address in target.addresses:
        pool = _pool(target, address, ca_certs)
        try:
            response = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers=sent_headers,
                redirect=False,
                retries=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
            )
            try:
                excerpt = response.read(RESPONSE_READ_BYTES, decode_content=False)
            except (HTTPError, OSError):
                excerpt = b""
            finally:
                response.close()
        except ConnectTimeoutError as exc:  # refused or unreachable: the next address, if any
            last_error = exc
            continue
        except (HTTPError, OSError) as exc:
            raise TransientError(_("Webhook injoignable : %(error)s") % {"error": exc}) from exc
        finally:
            pool.close()
        return WebhookResponse(
            status=response.status,
            elapsed=time.monotonic() - started,
            address=address,
            retry_after=_retry_after(response.headers.get("Retry-After")),
            excerpt=excerpt.decode("utf-8", "replace")[:ERROR_EXCERPT_CHARS],
        )
    raise TransientError(_("Webhook injoignable : %(error)s") % {"error": last_error})


def webhook_raise_for_status(response: WebhookResponse) -> None:
    """2xx: done. 408, 429, 5xx: transient. Anything else (redirects included): permanent."""
    status = response.status
    if 200 <= status < 300:
        return
    detail = f" : {response.excerpt.strip()}" if response.excerpt.strip() else ""
    if status in (408, 429) or status >= 500:
        raise TransientError(
            _("Le webhook a répondu HTTP %(status)s%(detail)s") % {"status": status, "detail": detail},
            retry_after=response.retry_after,
        )
    if 300 <= status < 400:
        raise PermanentError(
            _("Le webhook a répondu par une redirection (HTTP %(status)s), qui n'est pas suivie.")
            % {"status": status}
        )
    raise PermanentError(
        _("Le webhook a refusé l'envoi : HTTP %(status)s%(detail)s") % {"status": status, "detail": detail}
    )


def webhook_send(
    url: str, payload: Mapping[str, Any], *, secret: str, ca_certs: str | None = None
) -> WebhookResponse:
    """POSTs a payload ({"delivery_id", "type", …}) signed with `secret`; returns the answer."""
    headers = {
        "X-Vigie-Event": str(payload.get("type", "")),
        "X-Vigie-Delivery": str(payload.get("delivery_id", "")),
    }
    return webhook_post(url, webhook_body(payload), secret=secret, headers=headers, ca_certs=ca_certs)


def post_webhook(delivery: Delivery) -> None:
    """Sends one webhook delivery (the worker): its payload signed with its owner's current key."""
    secret = webhook_key(delivery)
    if not secret:
        raise PermanentError(_("Aucune clé de signature pour ce webhook (service supprimé ?)."))
    webhook_raise_for_status(webhook_send(delivery.address, delivery.data, secret=secret))
