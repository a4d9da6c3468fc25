"""A local fake of an agency's webhook receiver (HTTP, or HTTPS with a test CA), and a fake DNS.

- Every POST is recorded as a `Received` (path, headers, the exact body bytes) and answered with the
  next scripted outcome, "200" when none is left: "<status>" ("500", "404", "204"…), "429:<seconds>"
  (with Retry-After), "302" (a redirect to /ailleurs, which must not be followed), "big500" (a 500 with
  a 1 MB body, which must not be read), "slow" (answers 200 after `slow_seconds`).
- `tls(hostname)` makes a certificate authority and a certificate for `hostname`; the receiver then
  serves HTTPS with it (the sender needs `ca_certs=receiver.ca_path`).
- `FakeDns(monkeypatch, {"name": ["address", …]})` points the sender's resolver at chosen addresses
  (unknown names do not resolve) and counts the lookups.

In a test: `with FakeWebhookReceiver() as receiver: receiver.url …` (its own thread and event loop).
"""

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.threaded import ThreadedServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class FakeWebhookReceiver(ThreadedServer):
    """The receiver in a background thread with its own event loop, on 127.0.0.1 and a free port."""

    def __init__(self, *, tls_dir: Path | None = None, hostname: str = "receiver.test") -> None:
        self.received: list[Received] = []
        self.outcomes: list[str] = []
        self.slow_seconds = 2.0
        self.url = ""
        self.port = 0
        self.hostname = hostname
        self.ca_path = ""
        self._ssl: ssl.SSLContext | None = None
        if tls_dir is not None:
            self._ssl, self.ca_path = tls(tls_dir, hostname)
        super().__init__()
        self._lock = threading.Lock()

    def script(self, *outcomes: str) -> None:
        with self._lock:
            self.outcomes.extend(outcomes)

    def _next(self) -> str:
        with self._lock:
            return self.outcomes.pop(0) if self.outcomes else "200"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.received.append(Received(path=request.path_qs, headers=dict(request.headers), body=body))
        outcome = self._next()
        if outcome == "slow":
            await asyncio.sleep(self.slow_seconds)
            return web.json_response({"ok": True})
        if outcome == "302":
            return web.Response(status=302, headers={"Location": "/ailleurs"})
        if outcome == "big500":
            return web.Response(status=500, body=b"x" * 1_000_000)
        status, _, retry_after = outcome.partition(":")
        headers = {"Retry-After": retry_after} if retry_after else {}
        return web.Response(status=int(status), text="réponse du récepteur", headers=headers)

    def start(self) -> "FakeWebhookReceiver":
        self.port = self._serve(self._app, self._ssl)
        scheme = "https" if self._ssl else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}/hook"
        return self

    def url_for(self, host: str) -> str:
        """The receiver's URL under another host name (point it at 127.0.0.1 with FakeDns)."""
        scheme = "https" if self._ssl else "http"
        return f"{scheme}://{host}:{self.port}/hook"

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app


def tls(directory: Path, hostname: str) -> tuple[ssl.SSLContext, str]:
    """A CA and a server certificate for `hostname` (a name, not an address): the server's SSL context
    and the path of the CA certificate that clients must trust."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def build(
        subject: str, issuer_name: x509.Name, public: Any, signer: Any, *, ca: bool
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(issuer_name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            ).add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False
            ).add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Vigie test CA")])
    ca_cert = build("Vigie test CA", ca_name, ca_key.public_key(), ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = build(hostname, ca_name, key.public_key(), ca_key, ca=False)
    directory.mkdir(parents=True, exist_ok=True)
    ca_path = directory / "ca.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path = directory / "server.pem"
    cert_path.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path)
    return context, str(ca_path)


class FakeDns:
    """Points backend.messaging.webhook's resolver at chosen addresses for the test's duration. IP
    literals resolve to themselves (as getaddrinfo does); unknown names fail like NXDOMAIN."""

    def __init__(self, monkeypatch: Any, table: dict[str, list[str]] | None = None) -> None:
        from backend.messaging import webhook

        self.table = {name.lower(): list(addresses) for name, addresses in (table or {}).items()}
        self.lookups: list[str] = []
        monkeypatch.setattr(webhook, "resolve", self.resolve)

    def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        if host.lower() not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.table[host.lower()]


def documented_verify() -> Any:
    """The verification function of docs/webhooks.md, run as written there (the docs stay true)."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    after = text.split("<!-- verify-snippet", 1)[1]
    code = after.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "docs/webhooks.md", "exec"), namespace)  # noqa: S102 (our own documentation)
    return namespace["verify_vigie_signature"]
