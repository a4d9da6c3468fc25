"""The permission matrix's world: commune A and commune B, an object of every kind in every scope, and
the path parameters and bodies of each operation (tests/security/test_permission_matrix.py)."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

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

# --- the world: commune A and commune B, an object of every kind in every scope ------------------------

COLUMNS = {  # role column -> who plays it (tests/security/conftest.py's names)
    "referent": "referent_a",
    "shopkeeper": "shopkeeper_a",
    "moderator": "moderator_a",
    "operator": "operator_pm_a",
    "admin": "admin_a",
    "coordinator": "coordinator_a",
    "csu": "csu_a",
    "ethics": "ethics_a",
    "inspector": "inspector_a",
    "dpo": "dpo_a",
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

    def agency_token(agency: Agency) -> Any:
        return services.agency_token_create(agency=agency, label="Main courante", actor=people["superuser"])[
            0
        ]

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
        "agency_token": (agency_token(towns.pm_a), agency_token(towns.pm_b), agency_token(towns.pn)),
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
    (r"^/api/v1/agencies/\{id\}/tokens/\{token_id\}", "agency_token"),
    (r"^/api/v1/agencies/\{id\}", "agency"),
    (r"^/api/v1/observations/\{id\}/photos/\{photo_id\}", "photo"),
    (r"^/api/v1/observations/\{id\}", "observation"),
    (r"^/api/v1/console/observations/\{observation_id\}", "observation"),
    (r"\?observation=\{observation\}", "observation"),
    (r"^/console/photos/\{photo_id\}", "photo"),
    (r"^/console/fiche/\{dispatch_id\}", "dispatch"),
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
    "dispatch_id",
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
    if kind == "agency_token":
        return {"id": subject.agency_id, "token_id": subject.pk}
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
    "POST /api/v1/broadcasts/preview/": lambda w, r, s: {
        "kind": "prevention",
        "title": "Conseil",
        "body": "Fermez vos portes à clé.",
        "audiences": ["referents"],
        "channels": ["push", "sms"],
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
    "POST /api/v1/agencies/{id}/tokens/": lambda w, r, s: {"label": "Main courante"},
    "POST /api/v1/sms/quarantine/{message_id}/attach/": lambda w, r, s: {"shop": w.scopes["shop"][0].pk},
}
