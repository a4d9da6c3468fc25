"""The permission matrix (issue 12, build item 2): every operation of the URL configuration × every role ×
own / other commune / not theirs, against the expected answers of tests/security/permission_matrix.py.

- Coverage is computed, not listed: the OpenAPI schema's operations, the page routes, the admin (its
  index and the list of every registered model) and the sockets. An operation without a row fails, and so
  does a row whose operation is gone.
- Every cell is a real request, as that role, on an object of the scope, inside a savepoint rolled back
  afterwards; the world is built once (in a transaction rolled back at the end).
- `VIGIE_MATRIX_PRINT=1` prints what was observed in the table's own format (and exercises operations that
  have no row yet, where their path parameters are known), to review and paste.
"""

import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from rest_framework.test import APIClient

from alerts import services
from alerts.broadcasts.services import broadcast_create
from alerts.models import Agency, Dispatch, Notification, ObservationAddition, ObservationPhoto
from alerts.services import categories_seed_defaults
from backend.accounts.models import User
from backend.messaging.models import Device
from commerces.models import InboundMessage
from neighbours.models import Referent
from neighbours.services import invitation_create
from tests import factories
from tests.alerts import factories as f
from tests.commerces import factories as cf
from tests.helpers import access_token_for
from tests.neighbours import factories as nf
from tests.security import permission_matrix as matrix
from tests.security.conftest import towns_build

PRINT = os.environ.get("VIGIE_MATRIX_PRINT") == "1"
TABLE = matrix.parse()
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# --- coverage: the operations of the URL configuration ------------------------------------------------

# Routes that cannot be a door, so have no row.
EXCLUDED = {
    # Only mounted with VIGIE_BENCH=1 (benchmarks/): an authenticated echo, never in a deployment.
    "POST /api/v1/bench/ping/",
}


def schema_operations() -> set[str]:
    """Every operation of the OpenAPI schema, as `manage.py spectacular` generates it."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    } - EXCLUDED


def _route(pattern: Any) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern))


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if getattr(pattern, "app_name", None) == "admin":
                continue  # the admin's operations are its registry's (admin_operations)
            yield from _walk(pattern.url_patterns, prefix + _route(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + _route(pattern.pattern), pattern


def _shape(path: str) -> str:
    return re.sub(r"\{\w+\}", "{}", path)


def page_routes() -> set[str]:
    """Every route that is not the API (the schema has those) nor the admin: the pages and webhooks.
    A route under /api/v1/ that the schema lacks is returned too: an undocumented door needs a row."""
    documented = {_shape(operation.partition(" ")[2]) for operation in schema_operations()}
    excluded = {_shape(operation.partition(" ")[2]) for operation in EXCLUDED}
    routes = set()
    for route, _pattern in _walk(get_resolver().url_patterns):
        path = "/" + route
        if path.startswith("/api/v1/") and _shape(path) in documented | excluded:
            continue
        routes.add(path)
    return routes


def admin_operations() -> set[str]:
    """The admin's index and the list of every model registered on the admin site."""
    operations = {"GET /admin/"}
    for model in admin.site._registry:
        operations.add(f"GET /admin/{model._meta.app_label}/{model._meta.model_name}/")
    return operations


def socket_operations() -> set[str]:
    from backend.routing import websocket_urlpatterns

    return {f"WS /{route}" for route, _pattern in _walk(websocket_urlpatterns)}


def _admin_route_exists(path: str) -> bool:
    from django.urls import resolve

    try:
        match = resolve(re.sub(r"\{\w+\}", "1", path))
    except Resolver404:
        return False
    # Named: the admin's catch-all (which answers any other path under /admin/) has no name.
    return match.namespace == "admin" and match.url_name is not None


@dataclass(frozen=True)
class Coverage:
    missing: list[str]  # operations without a row ("METHOD /path")
    missing_pages: list[str]  # page routes without a row (of any method)
    stale: list[str]  # rows whose operation is gone


def coverage(table: matrix.Table = TABLE) -> Coverage:
    api = schema_operations()
    pages = page_routes()
    admin_ops = admin_operations()
    sockets = socket_operations()
    rows = table.rows
    row_operations = {row.operation for row in rows}
    row_page_paths = {row.path.partition("?")[0] for row in rows if row.method != "WS"}
    missing = sorted(operation for operation in api | admin_ops | sockets if operation not in row_operations)
    missing_pages = sorted(path for path in pages if path not in row_page_paths)
    stale = []
    for row in rows:
        path = row.path.partition("?")[0]
        known = (
            row.operation in api | admin_ops | sockets
            or (row.method != "WS" and path in pages)
            or (path.startswith("/admin/") and row.method in ("GET", "POST") and _admin_route_exists(path))
        )
        if not known:
            stale.append(row.key)
    return Coverage(missing, missing_pages, stale)


def test_every_operation_has_a_row_and_every_row_an_operation() -> None:
    found = coverage()
    missing = found.missing + [f"{path} (a page: a row of any method)" for path in found.missing_pages]
    assert not missing, (
        "Operations without a row in tests/security/permission_matrix.py (add one per operation; "
        "VIGIE_MATRIX_PRINT=1 shows what they answer):\n  " + "\n  ".join(missing)
    )
    assert not found.stale, "Rows whose operation no longer exists:\n  " + "\n  ".join(found.stale)


def test_docs_security_shows_the_matrix() -> None:
    text = (Path(settings.BASE_DIR) / "docs" / "security.md").read_text(encoding="utf-8")
    start, end = text.find(matrix.DOCS_START), text.find(matrix.DOCS_END)
    assert 0 <= start < end, "docs/security.md lacks the permission-matrix markers"
    assert text[start : end + len(matrix.DOCS_END)] == matrix.docs_section(), (
        "docs/security.md shows another matrix than tests/security/permission_matrix.py: regenerate it with "
        "`.venv/bin/python -m tests.security.permission_matrix --write docs/security.md`"
    )


# --- the world: commune A and commune B, an object of every kind in every scope ------------------------

COLUMNS = {  # role column -> who plays it (tests/security/conftest.py's names)
    "referent": "referent_a",
    "shopkeeper": "shopkeeper_a",
    "moderator": "moderator_a",
    "operator": "operator_pm_a",
    "admin": "admin_a",
    "superuser": "superuser",
}


def without_second_factor(role: str) -> str:
    """The key of a role's credentials that lack the staff's second factor (a plain token or session)."""
    return f"{role} without the second factor"


@dataclass
class World:
    people: dict[str, User]
    tokens: dict[str, str]  # role -> access token (staff: with the second factor; see without_second_factor)
    sessions: dict[str, str]  # role -> session key (staff: verified by TOTP)
    scopes: dict[str, tuple[Any, Any, Any]]  # kind -> (own, other commune, not theirs)
    own: dict[tuple[str, str], Any] = field(default_factory=dict)  # (kind, role) -> own, when it differs
    media: Path = Path()
    ids: dict[str, Any] = field(default_factory=dict)  # what bodies refer to

    def subject(self, kind: str, role: str, scope: str) -> Any:
        index = matrix.SCOPES.index(scope)
        if index == 0 and (kind, role) in self.own:
            return self.own[kind, role]
        return self.scopes[kind][index]


def _observe(author: User, description: str, **fields: Any) -> Any:
    return f.observation(author, description=description, photos=[f.upload()], **fields)


B_POINT = {"latitude": 43.415, "longitude": 5.51}


def session_for(user: User, device: Any) -> str:
    """A browser session of this user: as the staff login leaves it (verified with the TOTP device), or
    without the second factor when `device` is None."""
    client = Client()
    client.force_login(user)
    session = client.session
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return str(session.session_key)


def world_build(media: Path) -> World:
    categories_seed_defaults()
    towns = towns_build(
        factories.commune(),
        factories.commune(
            name="Septèmes-les-Vallons", slug="septemes-les-vallons", prefix="SLV", lon_offset=0.2
        ),
    )
    a, b = towns.a, towns.b
    people = dict(towns.people)
    # towns_build's shopkeeper has no shop: this world's has one (their own is what they reported).
    shop_a = cf.shop(a, name="Boulangerie de la Mairie", address="3 place de la Mairie")
    shopkeeper = cf.shopkeeper(shop_a).user
    people["shopkeeper_a"] = shopkeeper
    people["referent_a2"] = nf.referent(a, display_name="Alix Autre").user
    moderator, moderator_b = people["moderator_a"], people["moderator_b"]
    # Routed by hand: A's own to PM A, the other referent's of A to PN only, B's to PN and PM B.
    own = _observe(people["referent_a"], "Deux individus au 12 rue Haute.")
    services.observation_approve(observation=own, actor=moderator, agencies=[towns.pm_a.pk])
    shop_report = _observe(shopkeeper, "Vol à l'étalage ce matin.")
    services.observation_approve(observation=shop_report, actor=moderator, agencies=[towns.pm_a.pk])
    theirs = _observe(people["referent_a2"], "Un scooter tourne dans l'impasse.")
    services.observation_approve(observation=theirs, actor=moderator, agencies=[towns.pn.pk])
    other = _observe(people["referent_b"], "Voiture suspecte devant l'école.", **B_POINT)
    services.observation_approve(observation=other, actor=moderator_b)
    pending = f.observation(people["referent_a"], description="En attente de modération.")
    pending_shop = f.observation(shopkeeper, description="Un client menaçant, en attente.")
    pending_theirs = f.observation(people["referent_a2"], description="Autre, en attente.")
    pending_other = f.observation(people["referent_b"], description="B, en attente.", **B_POINT)

    def addition(observation: Any, author: User) -> ObservationAddition:
        return services.observation_add_text(
            observation=observation, author=author, text="Ils sont repartis vers la gare.", channel="app"
        )

    def photo(observation: Any) -> ObservationPhoto:
        return ObservationPhoto.objects.get(observation=observation)

    def dispatch(observation: Any, agency: Agency) -> Dispatch:
        return Dispatch.objects.get(observation=observation, agency=agency)

    def referent(user: User) -> Referent:
        return Referent.objects.get(user=user)

    def invitation(actor: User, phone: str) -> Any:
        return invitation_create(actor=actor, sector="nord", phone=phone)

    def quarantined(commune: Any, sender: str) -> InboundMessage:
        return InboundMessage.objects.create(
            provider="twilio",
            provider_id=f"SM{sender[1:]}",
            sender=sender,
            body="Bonjour, vol au magasin.",
            commune=commune,
            status=InboundMessage.Status.QUARANTINED,
        )

    def broadcast(actor: User) -> Any:
        return broadcast_create(
            actor=actor,
            kind="prevention",
            title="Vacances",
            body="Pensez à l'opération Tranquillité Vacances.",
            audiences=["referents"],
            channels=["push"],
            send_at=timezone.now() + timedelta(days=1),
        )

    roles = list(COLUMNS)
    # A staff member's own broadcast is one they wrote; "not theirs", one another agent of A wrote.
    broadcasts = {role: broadcast(people[COLUMNS[role]]) for role in ("moderator", "operator", "admin")}
    notifications = {
        name: Notification.objects.create(user=people[name], kind="info", title="Info", body="Bonjour.")
        for name in [*COLUMNS.values(), "referent_b", "referent_a2"]
    }
    devices = {
        name: Device.objects.create(user=people[name], token=f"tok-{name}", platform="android")
        for name in [*COLUMNS.values(), "referent_b", "referent_a2"]
    }
    scopes: dict[str, tuple[Any, Any, Any]] = {
        "observation": (own, other, theirs),
        "pending": (pending, pending_other, pending_theirs),
        "dispatch": (
            dispatch(own, towns.pm_a),
            dispatch(other, towns.pn),
            dispatch(theirs, towns.pn),
        ),
        "addition": (
            addition(own, people["referent_a"]),
            addition(other, people["referent_b"]),
            addition(theirs, people["referent_a2"]),
        ),
        "photo": (photo(own), photo(other), photo(theirs)),
        "referent": (
            referent(people["referent_a"]),
            referent(people["referent_b"]),
            referent(people["referent_a2"]),
        ),
        "person": (people["referent_a"], people["referent_b"], people["referent_a2"]),
        "invitation": (
            invitation(moderator, "+33612990001"),
            invitation(moderator_b, "+33612990002"),
            invitation(people["admin_a"], "+33612990003"),
        ),
        "shop": (shop_a, cf.shop(b), cf.shop(a)),
        "shop_application": (
            cf.application(a, phone="+33612990011"),
            cf.application(b, phone="+33612990012"),
            cf.application(a, phone="+33612990013", shop_name="Primeur"),
        ),
        "sms": (
            quarantined(a, "+33612990021"),
            quarantined(b, "+33612990022"),
            quarantined(a, "+33612990023"),
        ),
        "broadcast": (broadcasts["moderator"], broadcast(moderator_b), broadcast(people["operator_pn"])),
        "notification": (
            notifications["referent_a"],
            notifications["referent_b"],
            notifications["referent_a2"],
        ),
        "device": (devices["referent_a"], devices["referent_b"], devices["referent_a2"]),
        "agency": (towns.pm_a, towns.pm_b, towns.pn),
        "provider": ("twilio", "twilio", "twilio"),
    }
    own_by_role: dict[tuple[str, str], Any] = {
        ("observation", "shopkeeper"): shop_report,
        ("pending", "shopkeeper"): pending_shop,
        ("photo", "shopkeeper"): photo(shop_report),
        ("person", "shopkeeper"): shopkeeper,
    }
    for role, written in broadcasts.items():
        own_by_role["broadcast", role] = written
    for role in roles:
        own_by_role["notification", role] = notifications[COLUMNS[role]]
        own_by_role["device", role] = devices[COLUMNS[role]]
    columns = {role: people[name] for role, name in COLUMNS.items()}
    tokens = {role: access_token_for(user) for role, user in columns.items()}
    sessions = {}
    for role, user in columns.items():
        device = towns.devices[COLUMNS[role]] if user.is_staff else None
        sessions[role] = session_for(user, device)
        if user.is_staff:
            sessions[without_second_factor(role)] = session_for(user, None)
            tokens[without_second_factor(role)] = access_token_for(user, second_factor=False)
    ids = {"pm_a": towns.pm_a.pk, "pn": towns.pn.pk, "operator_pm_a": people["operator_pm_a"].pk}
    return World(people, tokens, sessions, scopes, own_by_role, media, ids)


# --- path parameters and bodies, per operation ---------------------------------------------------------

# Which kind of object a path's parameters name: the first pattern that matches the row's path.
KINDS: list[tuple[str, str]] = [
    (r"^/api/v1/moderation/additions/\{id\}", "addition"),
    (r"^/api/v1/moderation/\{id\}", "pending"),
    (r"^/api/v1/dispatches/\{id\}", "dispatch"),
    (r"^/api/v1/observations/\{id\}/photos/\{photo_id\}", "photo"),
    (r"^/api/v1/observations/\{id\}", "observation"),
    (r"^/api/v1/console/observations/\{observation_id\}", "observation"),
    (r"\?observation=\{observation\}", "observation"),
    (r"^/console/photos/\{photo_id\}", "photo"),
    (r"^/api/v1/referents/invitations/\{code\}", "invitation"),
    (r"^/api/v1/referents/\{id\}", "referent"),
    (r"^/api/v1/senders/\{user_id\}", "person"),
    (r"^/api/v1/shops/\{shop_id\}", "shop"),
    (r"^/api/v1/shop-applications/\{application_id\}", "shop_application"),
    (r"^/api/v1/sms/quarantine/\{message_id\}", "sms"),
    (r"^/api/v1/broadcasts/\{broadcast_id\}", "broadcast"),
    (r"^/api/v1/inbox/\{notification_id\}", "notification"),
    (r"^/api/v1/devices/\{token\}", "device"),
    (r"^/sms/\{provider\}", "provider"),
    (r"^/admin/alerts/observation/\{id\}", "observation"),
    (r"^/admin/alerts/dispatch/\{id\}", "dispatch"),
    (r"^/admin/alerts/agency/\{id\}", "agency"),
    (r"^/admin/neighbours/referent/\{id\}", "referent"),
    (r"^/admin/accounts/user/\{id\}", "person"),
    (r"^/admin/commerces/shop/\{id\}", "shop"),
    (r"^/admin/commerces/inboundmessage/\{id\}", "sms"),
    (r"^/admin/broadcasts/broadcast/\{id\}", "broadcast"),
]


def kind_of(path: str) -> str | None:
    for pattern, kind in KINDS:
        if re.search(pattern, path):
            return kind
    return None


# The names the routes give an object's primary key.
ID_PARAMETERS = (
    "id",
    "observation_id",
    "observation",
    "user_id",
    "shop_id",
    "application_id",
    "message_id",
    "broadcast_id",
    "notification_id",
)


def _value(kind: str, subject: Any) -> dict[str, Any]:
    """Every path parameter's value for this object."""
    if kind == "photo":
        return {"id": subject.observation_id, "photo_id": subject.pk}
    if kind == "invitation":
        return {"code": subject.code}
    if kind == "device":
        return {"token": subject.token}
    if kind == "provider":
        return {"provider": subject}
    return dict.fromkeys(ID_PARAMETERS, subject.pk)


def url_for(world: World, path: str, role: str, scope: str | None) -> str:
    if "{" not in path:
        return path
    kind = kind_of(path)
    if kind is None:
        raise LookupError(f"no kind of object known for the parameters of {path}: add one to KINDS")
    return path.format(**_value(kind, world.subject(kind, role, scope or matrix.SCOPES[0])))


Body = Callable[[World, str, str | None], dict[str, Any]]


def _csv(_world: World, _role: str, _scope: str | None) -> dict[str, Any]:
    content = "nom;type;adresse;secteur\nPrimeur du marché;alimentation;2 rue Neuve;nord\n".encode()
    return {"file": SimpleUploadedFile("commerces.csv", content, content_type="text/csv")}


def _agency_form(world: World, role: str, scope: str | None) -> dict[str, Any]:
    """The agency's change form as the admin shows it, its duty phone changed."""
    agency = world.subject("agency", role, scope or matrix.SCOPES[0])
    return {
        "name": agency.name,
        "kind": agency.kind,
        "communes": [commune.pk for commune in agency.communes.all()],
        "members": [member.pk for member in agency.members.all()],
        "duty_phone": "+33491000000",
        "ack_minutes_in_progress": agency.ack_minutes_in_progress,
        "ack_minutes": agency.ack_minutes,
        "webhook_url": agency.webhook_url,
        "is_active": "on",
    }


# Minimal bodies, valid where cheap (so that the object's scope is reached rather than a 400).
BODIES: dict[str, Body] = {
    "POST /api/v1/observations/": lambda w, r, s: {
        "category": "cambriolage",
        "description": "Une fenêtre forcée rue Basse.",
        "occurred_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
        "latitude": 43.415,
        "longitude": 5.31,
    },
    "POST /api/v1/observations/{id}/additions/": lambda w, r, s: {"text": "Ils sont partis."},
    "POST /api/v1/moderation/{id}/reject/": lambda w, r, s: {"reason": "insufficient"},
    "POST /api/v1/moderation/{id}/merge/": lambda w, r, s: {"into": w.scopes["observation"][0].pk},
    "POST /api/v1/dispatches/{id}/assign/": lambda w, r, s: {"assignee": w.ids["operator_pm_a"]},
    "POST /api/v1/dispatches/{id}/notes/": lambda w, r, s: {"text": "Patrouille passée."},
    "POST /api/v1/dispatches/{id}/handover/": lambda w, r, s: {"agency": w.ids["pn"], "note": "À vous."},
    "POST /api/v1/dispatches/{id}/close/": lambda w, r, s: {"outcome": "no_trace"},
    "PUT /api/v1/emergency-mode/": lambda w, r, s: {"active": False, "reason": "Essai."},
    "POST /api/v1/senders/{user_id}/block/": lambda w, r, s: {"reason": "Signalements abusifs."},
    "POST /api/v1/broadcasts/": lambda w, r, s: {
        "kind": "prevention",
        "title": "Conseil",
        "body": "Fermez vos portes à clé.",
        "audiences": ["referents"],
        "channels": ["push"],
    },
    "POST /api/v1/devices/": lambda w, r, s: {"token": "tok-new-device", "platform": "android"},
    "PATCH /api/v1/me/preferences/": lambda w, r, s: {"language": "fr"},
    "PATCH /api/v1/referents/{id}/": lambda w, r, s: {"trusted": True},
    "POST /api/v1/referents/{id}/refuse/": lambda w, r, s: {"reason": "Hors secteur."},
    "POST /api/v1/referents/{id}/suspend/": lambda w, r, s: {"reason": "Absence."},
    "POST /api/v1/referents/{id}/end/": lambda w, r, s: {"reason": "Déménagement."},
    "POST /api/v1/referents/invitations/": lambda w, r, s: {"phone": "+33612990099", "sector": "nord"},
    "POST /api/v1/referents/me/charter/": lambda w, r, s: {"version": 1},
    "PATCH /api/v1/shopkeepers/me/": lambda w, r, s: {"sms_opt_in": False},
    "POST /api/v1/shops/": lambda w, r, s: {"name": "Primeur", "trade": "alimentation", "sector": "nord"},
    "POST /api/v1/shops/{shop_id}/shopkeepers/": lambda w, r, s: {"phone": "+33612990098"},
    "POST /api/v1/shops/import/": _csv,
    "POST /admin/alerts/agency/{id}/change/": _agency_form,
    "POST /api/v1/sms/quarantine/{message_id}/attach/": lambda w, r, s: {"shop": w.scopes["shop"][0].pk},
}


# --- one cell: a request as a role on an object of a scope -------------------------------------------

LOGIN_PATHS = ("/connexion/", "/commerces/connexion/", "/admin/login/")


@dataclass(frozen=True)
class Seen:
    answer: str  # a token of the table when the status is one, else the status
    status: int

    def matches(self, expected: str) -> bool:
        if expected == "ok":
            return self.answer not in matrix.REFUSALS and self.status < 500 and self.status not in (405, 429)
        return self.answer == expected

    def shown(self, expected: str | None, *, page: bool) -> str:
        """How the printed matrix writes it: the expected token when it matches, else what it was."""
        if expected is not None and self.matches(expected):
            return expected
        if self.answer in matrix.REFUSALS or self.status >= 500 or self.status in (405, 429):
            return self.answer
        return "200" if page and self.status == 200 else "ok"


def _seen(url: str, response: HttpResponseBase) -> Seen:
    status = response.status_code
    if status in (301, 302, 303):
        location = response.get("Location", "").partition("?")[0]
        if location.endswith(LOGIN_PATHS):
            return Seen("302", status)
        if url.startswith("/admin/") and location == "/admin/" and url != "/admin/":
            # The admin's answer to a row it does not show this user: back to its index, "not found".
            return Seen("404", status)
        return Seen(f"{status} to {location}", status)  # a redirect elsewhere: let through
    return Seen(str(status), status)


# One client of each kind for every cell: a new one would load the middleware again (whitenoise's scan
# of the static files alone is ~80 ms). Their credentials and cookies are reset before each request.
_CLIENTS: dict[str, Client] = {}


# Requests come from an address of the Internet (TEST-NET-3), not from the loopback that some doors
# trust (/metrics in development).
REMOTE_ADDR = "203.0.113.7"


def _client(kind: str) -> Client:
    if kind not in _CLIENTS:
        client_class = APIClient if kind == "api" else Client
        _CLIENTS[kind] = client_class(raise_request_exception=False, REMOTE_ADDR=REMOTE_ADDR)
    client = _CLIENTS[kind]
    client.cookies.clear()
    return client


def _send(world: World, method: str, url: str, who: str, body: dict[str, Any]) -> HttpResponseBase:
    """The request with `who`'s credentials (a role, or a role without the second factor)."""
    if url.startswith("/api/v1/"):
        api = _client("api")
        assert isinstance(api, APIClient)
        api.credentials(
            **({"HTTP_AUTHORIZATION": f"Bearer {world.tokens[who]}"} if who != "anonymous" else {})
        )
        multipart = any(isinstance(value, SimpleUploadedFile) for value in body.values())
        return getattr(api, method.lower())(url, body, format="multipart" if multipart else "json")
    browser = _client("browser")
    if who != "anonymous":
        browser.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]
    response = browser.get(url) if method == "GET" else getattr(browser, method.lower())(url, body)
    if response.status_code == 302 and response["Location"].startswith("/admin/login/"):
        # The admin sends whoever it refuses to its login view, which answers for the role: a staff
        # sign-in page for strangers, a refusal (403) for staff that the policy keeps out.
        response = browser.get(response["Location"])
    return response


def exercise(
    world: World, method: str, path: str, role: str, scope: str | None, *, second_factor: bool = True
) -> Seen:
    url = url_for(world, path, role, scope)
    body = BODIES.get(f"{method} {path}", lambda w, r, s: {})(world, role, scope)
    who = role if second_factor else without_second_factor(role)
    with transaction.atomic():
        cache.clear()  # throttles and code limits start afresh in every cell
        response = _send(world, method, url, who, body)
        seen = _seen(url, response)
        if response.streaming:  # read to the end: the test client then closes it (a photo's file)
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
        transaction.set_rollback(True)
    return seen


@dataclass
class RowResult:
    cells: tuple[tuple[str, ...], ...]
    wrong: list[str]


def run_row(world: World, method: str, path: str, row: matrix.Row | None) -> RowResult:
    scopes: tuple[str | None, ...] = matrix.SCOPES if "{" in path else (None,)
    page = not path.startswith("/api/v1/")
    cells, wrong = [], []
    for role in matrix.ROLES:
        shown = []
        for scope in scopes:
            seen = exercise(world, method, path, role, scope)
            expected = row.expected(role, scope) if row is not None else None
            if expected is not None and not seen.matches(expected):
                where = f"{role} / {scope}" if scope else role
                wrong.append(f"{where}: expected {expected}, got {seen.status} ({seen.answer})")
            shown.append(seen.shown(expected, page=page))
        cells.append(tuple(shown) if len(set(shown)) > 1 else (shown[0],))
    if row is not None:
        wrong += second_factor_wrong(world, row)
    return RowResult(tuple(cells), wrong)


def second_factor_wrong(world: World, row: matrix.Row) -> list[str]:
    """A door that is not public and lets a staff role through must refuse that role's credentials
    without the second factor (on its own object), unless it is one of matrix.SIGNED_IN_DOORS."""
    if row.expected("anonymous", None) not in matrix.REFUSALS:
        return []
    scope = matrix.SCOPES[0] if row.scoped else None
    wrong = []
    for role in matrix.STAFF:
        if row.expected(role, scope) in matrix.REFUSALS:
            continue
        seen = exercise(world, row.method, row.path, role, scope, second_factor=False)
        passes = row.key in matrix.SIGNED_IN_DOORS
        if seen.matches("ok") != passes:
            wanted = "let through (a signed-in door)" if passes else "a refusal"
            wrong.append(
                f"{without_second_factor(role)}: expected {wanted}, got {seen.status} ({seen.answer})"
            )
    return wrong


# --- the matrix, row by row ----------------------------------------------------------------------------

HTTP_ROWS = [row for row in TABLE.rows if row.method != "WS"]
SOCKET_ROWS = [row for row in TABLE.rows if row.method == "WS"]
OBSERVED: dict[str, tuple[tuple[str, ...], ...]] = {}


def _unlisted() -> list[str]:
    """Operations without a row whose path parameters this module knows how to fill (print mode)."""
    if not PRINT:
        return []
    found = coverage()
    keys = set()
    for operation in found.missing + [f"GET {path}" for path in found.missing_pages]:
        method, _space, path = operation.partition(" ")
        if method == "WS" or ("{" in path and kind_of(path) is None):
            continue
        keys.add(operation)
    return sorted(keys)


UNLISTED = _unlisted()


@pytest.fixture(scope="class")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """Built once, in a transaction rolled back after the last row (each row's test is a savepoint in it,
    each cell a savepoint in that). Class-scoped: it must be gone before the socket test, whose threads
    need the database to themselves."""
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, SMS_BACKEND="locmem", PUSH_BACKEND="locmem"),
        transaction.atomic(),
    ):
        cache.clear()
        yield world_build(media)
        transaction.set_rollback(True)


@pytest.fixture(scope="module", autouse=True)
def _print_observed(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if PRINT and OBSERVED:
        text = matrix.render(TABLE, cells=OBSERVED)
        capture = request.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled():
            sys.stdout.write("\n--- the permission matrix as observed (VIGIE_MATRIX_PRINT=1) ---\n" + text)


@pytest.mark.django_db
class TestTheDoors:
    @pytest.mark.parametrize("row", HTTP_ROWS, ids=[row.key for row in HTTP_ROWS])
    def test_each_door_answers_each_role_as_the_matrix_says(
        self, world: World, row: matrix.Row, settings: Any
    ) -> None:
        settings.MEDIA_ROOT = world.media
        result = run_row(world, row.method, row.path, row)
        OBSERVED[row.key] = result.cells
        assert not result.wrong, f"{row.key}: cells that differ from the matrix:\n  " + "\n  ".join(
            result.wrong
        )

    if UNLISTED:

        @pytest.mark.parametrize("operation", UNLISTED)
        def test_operation_without_a_row_as_observed(
            self, world: World, operation: str, settings: Any
        ) -> None:
            """Print mode only: what an operation without a row answers, for the printed matrix."""
            settings.MEDIA_ROOT = world.media
            method, _space, path = operation.partition(" ")
            OBSERVED[operation] = run_row(world, method, path, None).cells


# --- the sockets ---------------------------------------------------------------------------------------


def _socket(path: str, token: str | None) -> str:
    """The socket's answer: ok (accepted, its first message came), or its close code."""

    async def run() -> str:
        query = f"?token={token}" if token else ""
        communicator = WebsocketCommunicator(_asgi(), f"{path}{query}")
        connected, code = await communicator.connect(timeout=10)
        if not connected:
            return str(code if code not in (None, 1000) else 403)
        message = await communicator.receive_output(timeout=10)
        await communicator.disconnect()
        return str(message.get("code")) if message["type"] == "websocket.close" else "ok"

    return async_to_sync(run)()


def _asgi() -> Any:
    from backend.asgi import application

    return application


@pytest.mark.django_db(transaction=True)
def test_the_sockets_answer_each_role_as_the_matrix_says(commune: Any, other_commune: Any) -> None:
    """Real threads (channels' database_sync_to_async): a world of its own, in a transactional test."""
    towns = towns_build(commune, other_commune)
    wrong = []
    for row in SOCKET_ROWS:
        shown = []
        for role in matrix.ROLES:
            user = None if role == "anonymous" else towns.people[COLUMNS[role]]
            got = _socket(row.path, access_token_for(user) if user is not None else None)
            expected = row.expected(role, None)
            if got != expected:
                wrong.append(f"{row.key} {role}: expected {expected}, got {got}")
            shown.append(got)
            if role in matrix.STAFF and expected not in matrix.REFUSALS:
                plain = _socket(row.path, access_token_for(user, second_factor=False))
                if (plain == "ok") != (row.key in matrix.SIGNED_IN_DOORS):
                    wrong.append(f"{row.key} {without_second_factor(role)}: got {plain}")
        OBSERVED[row.key] = tuple((answer,) for answer in shown)
    assert not wrong, "sockets that differ from the matrix:\n  " + "\n  ".join(wrong)
