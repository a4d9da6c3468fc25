"""Test data for the referents: protocol, charter, referents in any state, proven phones."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Role, User
from backend.territory.models import Commune, Sector
from neighbours.models import Charter, Protocol, Referent
from tests import factories
from tests.helpers import sms_code


def protocol(commune: Commune, *, starts_on: date | None = None, ends_on: date | None = None) -> Protocol:
    today = timezone.localdate()
    return Protocol.objects.create(
        commune=commune,
        signed_on=(starts_on or today - timedelta(days=30)) - timedelta(days=10),
        starts_on=starts_on or today - timedelta(days=30),
        ends_on=ends_on or today + timedelta(days=3 * 365),
        police_force="police_nationale",
        police_unit="Commissariat de test",
    )


def charter(commune: Commune, *, version: int = 1) -> Charter:
    return Charter.objects.create(
        commune=commune, version=version, text=f"Charte du référent, version {version}."
    )


def sector(commune: Commune, slug: str = "nord") -> Sector:
    return Sector.objects.get(commune=commune, slug=slug)


def referent(
    commune: Commune,
    *,
    status: str = Referent.Status.ACTIVE,
    sector_slug: str = "nord",
    charter_version: int | None = 1,
    trusted: bool = False,
    **user_fields: Any,
) -> Referent:
    user = factories.user(role=Role.REFERENT, commune=commune, **user_fields)
    return Referent.objects.create(
        user=user,
        commune=commune,
        sector=sector(commune, sector_slug),
        status=status,
        trusted=trusted,
        charter_version=charter_version,
        charter_accepted_at=timezone.now() if charter_version else None,
    )


def ready_commune(commune: Commune) -> Commune:
    """A protocol in force and a charter v1."""
    protocol(commune)
    charter(commune)
    return commune


def coordinator(commune: Commune, *, role: str = Role.MODERATOR) -> User:
    return factories.user(role=role, commune=commune)


def verification_token(phone: str) -> str:
    """Proves a phone through the real API: a code asked with purpose verify, read from the SMS outbox."""
    client = APIClient()
    response = client.post("/api/v1/auth/otp/", {"phone": phone, "purpose": "verify"}, format="json")
    assert response.status_code == 202, response.json()
    code = sms_code()  # the worker sends it first (codes leave through the outbox)
    response = client.post(
        "/api/v1/auth/token/", {"phone": phone, "code": code, "purpose": "verify"}, format="json"
    )
    assert response.status_code == 200, response.json()
    return str(response.json()["verification_token"])
