"""Agency tokens (issue 14, build item 8): an agency's own system lists, reads, acknowledges, notes and closes
its agency's dispatches with a token that commune admins create (shown once, stored hashed) and revoke."""

import hashlib
from typing import Any

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from alerts.models import (
    AgencyToken,
    AgencyTokenPrincipal,
    Dispatch,
    DispatchNote,
    Observation,
    ObservationRead,
    ObservationTransition,
)
from backend.audit.models import AuditEvent
from backend.core.throttling import UserRateThrottle
from tests.helpers import api_client_for
from tests.security.conftest import Towns, signed_in, towns_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def towns(commune: Any, other_commune: Any) -> Towns:
    return towns_build(commune, other_commune)


def token_create(towns: Towns, agency: Any, who: str = "admin_a", label: str = "Main courante PM") -> Any:
    return api_client_for(towns.people[who]).post(
        f"/api/v1/agencies/{agency.pk}/tokens/", {"label": label}, format="json"
    )


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def secret(towns: Towns, agency: Any, who: str = "admin_a") -> str:
    response = token_create(towns, agency, who)
    assert response.status_code == 201, response.json()
    return str(response.json()["token"])


def test_a_created_token_is_shown_once_and_only_its_hash_is_stored(towns: Towns) -> None:
    response = token_create(towns, towns.pm_a)
    assert response.status_code == 201, response.json()
    body = response.json()
    raw = body["token"]
    assert raw.startswith("vga_")
    assert len(raw) > 40
    assert body["prefix"] == raw[:12]
    assert body["label"] == "Main courante PM"
    row = AgencyToken.objects.get(pk=body["id"])
    assert row.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {str(getattr(row, field.attname)) for field in AgencyToken._meta.concrete_fields}
    listed = api_client_for(towns.people["admin_a"]).get(f"/api/v1/agencies/{towns.pm_a.pk}/tokens/")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()] == [row.pk]
    assert "token" not in listed.json()[0]
    assert raw not in listed.content.decode()
    audit = AuditEvent.objects.get(action="agency_token.created")
    assert audit.actor_id == towns.people["admin_a"].pk
    assert audit.object_id == str(row.pk)
    assert raw not in str(audit.extra)


def test_the_token_lists_reads_acknowledges_notes_and_closes_its_agencys_dispatches(towns: Towns) -> None:
    client = bearer(secret(towns, towns.pm_a))
    own = towns.dispatch(towns.observation_a, towns.pm_a)
    listed = client.get("/api/v1/dispatches/")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["results"]] == [own.pk]
    assert client.get(f"/api/v1/dispatches/{own.pk}/").status_code == 200

    acknowledged = client.post(f"/api/v1/dispatches/{own.pk}/acknowledge/")
    assert acknowledged.status_code == 200, acknowledged.json()
    assert acknowledged.json()["status"] == Dispatch.Status.ACKNOWLEDGED
    towns.observation_a.refresh_from_db()
    assert towns.observation_a.status == Observation.Status.ACKNOWLEDGED

    noted = client.post(
        f"/api/v1/dispatches/{own.pk}/notes/", {"text": "Patrouille 12 envoyée."}, format="json"
    )
    assert noted.status_code == 201, noted.json()
    assert noted.json()["author"] is None
    assert noted.json()["agency_token"]["label"] == "Main courante PM"

    closed = client.post(f"/api/v1/dispatches/{own.pk}/close/", {"outcome": "no_trace"}, format="json")
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == Dispatch.Status.CLOSED
    own.refresh_from_db()
    assert own.outcome == "no_trace"
    assert own.closed_at is not None
    assert own.closed_by is None

    # The police nationale's own system closes the last open dispatch: the observation is closed.
    pn = bearer(secret(towns, towns.pn, who="superuser"))
    other = towns.dispatch(towns.observation_a, towns.pn)
    assert (
        pn.post(
            f"/api/v1/dispatches/{other.pk}/close/", {"outcome": "information"}, format="json"
        ).status_code
        == 200
    )
    towns.observation_a.refresh_from_db()
    assert towns.observation_a.status == Observation.Status.CLOSED


def test_the_token_is_recorded_as_the_actor(towns: Towns) -> None:
    raw = secret(towns, towns.pm_a)
    token = AgencyToken.objects.get(prefix=raw[:12])
    client = bearer(raw)
    own = towns.dispatch(towns.observation_a, towns.pm_a)
    client.post(f"/api/v1/dispatches/{own.pk}/acknowledge/")
    client.post(f"/api/v1/dispatches/{own.pk}/notes/", {"text": "Vu."}, format="json")
    transition = ObservationTransition.objects.get(
        observation=towns.observation_a, reason="dispatch_acknowledged"
    )
    assert transition.agency_token == token
    assert transition.actor is None
    assert DispatchNote.objects.get(dispatch=own).agency_token == token
    for action in ("dispatch.acknowledged", "dispatch.noted"):
        audit = AuditEvent.objects.get(action=action)
        assert audit.actor_id is None
        assert audit.actor_role == "agency_token"
        assert audit.extra["agency_token"] == token.pk
        assert audit.extra["agency_token_label"] == "Main courante PM"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_console_timeline_names_the_token_that_wrote_a_note(towns: Towns) -> None:
    raw = secret(towns, towns.pm_a)
    own = towns.dispatch(towns.observation_a, towns.pm_a)
    bearer(raw).post(f"/api/v1/dispatches/{own.pk}/notes/", {"text": "Patrouille 12 envoyée."}, format="json")
    operator = api_client_for(towns.people["operator_pm_a"])
    detail = operator.get(f"/api/v1/console/observations/{towns.observation_a.pk}/").json()
    notes = [entry for entry in detail["history"] if entry["kind"] == "note"]
    assert [(entry["label"], entry["note"]) for entry in notes] == [
        ("Police municipale A (Main courante PM)", "Patrouille 12 envoyée.")
    ]


def test_the_reporter_never_reaches_the_token(towns: Towns) -> None:
    client = bearer(secret(towns, towns.pm_a))
    own = towns.dispatch(towns.observation_a, towns.pm_a)
    author = towns.people["referent_a"]
    responses = [
        client.get("/api/v1/dispatches/"),
        client.get(f"/api/v1/dispatches/{own.pk}/"),
        client.post(f"/api/v1/dispatches/{own.pk}/acknowledge/"),
        client.post(f"/api/v1/dispatches/{own.pk}/close/", {"outcome": "no_trace"}, format="json"),
    ]
    for response in responses:
        assert response.status_code == 200
        text = response.content.decode()
        assert author.display_name not in text
        assert str(author.phone) not in text
        assert '"author"' not in text.replace('"author": null', "").replace('"author":null', "")


def test_another_agencys_dispatch_is_not_found(towns: Towns) -> None:
    client = bearer(secret(towns, towns.pm_a))
    for dispatch in (
        towns.dispatch(towns.observation_a, towns.pn),  # same observation, another agency
        towns.dispatch(towns.observation_b, towns.pm_b),  # another commune
    ):
        assert client.get(f"/api/v1/dispatches/{dispatch.pk}/").status_code == 404
        assert client.post(f"/api/v1/dispatches/{dispatch.pk}/acknowledge/").status_code == 404
        assert (
            client.post(f"/api/v1/dispatches/{dispatch.pk}/notes/", {"text": "x"}, format="json").status_code
            == 404
        )
        closed = client.post(
            f"/api/v1/dispatches/{dispatch.pk}/close/", {"outcome": "no_trace"}, format="json"
        )
        assert closed.status_code == 404
        dispatch.refresh_from_db()
        assert dispatch.status == Dispatch.Status.SENT


def test_a_revoked_or_unknown_token_is_401(towns: Towns) -> None:
    raw = secret(towns, towns.pm_a)
    token = AgencyToken.objects.get(prefix=raw[:12])
    client = bearer(raw)
    assert client.get("/api/v1/dispatches/").status_code == 200
    revoked = api_client_for(towns.people["admin_a"]).post(
        f"/api/v1/agencies/{towns.pm_a.pk}/tokens/{token.pk}/revoke/"
    )
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"]
    assert revoked.json()["revoked_by"]["id"] == towns.people["admin_a"].pk
    refused = client.get("/api/v1/dispatches/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Jeton de service inconnu ou révoqué."
    assert AuditEvent.objects.filter(action="agency_token.revoked", object_id=str(token.pk)).count() == 1
    assert AuditEvent.objects.get(action="agency_token.refused").extra == {
        "reason": "revoked",
        "prefix": raw[:12],
    }
    again = api_client_for(towns.people["admin_a"]).post(
        f"/api/v1/agencies/{towns.pm_a.pk}/tokens/{token.pk}/revoke/"
    )
    assert again.status_code == 409

    wrong_secret = raw[:12] + "A" * (len(raw) - 12)
    for wrong in (wrong_secret, "vga_inconnu", "vga_" + "x" * 43):
        response = bearer(wrong).get("/api/v1/dispatches/")
        assert response.status_code == 401, wrong
        assert response.json()["detail"] == "Jeton de service inconnu ou révoqué."
    assert AuditEvent.objects.filter(action="agency_token.refused", extra__reason="unknown").count() == 3


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/dispatches/{own}/assign/"),
        ("post", "/api/v1/dispatches/{own}/handover/"),
        ("get", "/api/v1/agencies/"),
        ("get", "/api/v1/agencies/{pm_a}/tokens/"),
        ("get", "/api/v1/moderation/queue/"),
        ("get", "/api/v1/broadcasts/"),
        ("get", "/api/v1/console/state/"),
        ("get", "/api/v1/observation-reads/export.csv"),
        ("get", "/api/v1/observations/"),
        ("get", "/api/v1/me/"),
    ],
)
def test_other_doors_refuse_the_token(towns: Towns, method: str, path: str) -> None:
    client = bearer(secret(towns, towns.pm_a))
    own = towns.dispatch(towns.observation_a, towns.pm_a)
    url = path.format(own=own.pk, pm_a=towns.pm_a.pk)
    assert getattr(client, method)(url, {}, format="json").status_code == 403


def test_commune_admins_manage_the_tokens_of_the_agencies_they_may_edit(towns: Towns) -> None:
    # Another commune's admin does not see A's police municipale.
    assert token_create(towns, towns.pm_a, who="admin_b").status_code == 404
    # The police nationale serves A and B: its token would read B's dispatches, so only a platform
    # superuser creates or revokes one; A's admin sees it listed.
    assert token_create(towns, towns.pn, who="admin_a").status_code == 403
    created = token_create(towns, towns.pn, who="superuser")
    assert created.status_code == 201
    pn_token = created.json()["id"]
    listed = api_client_for(towns.people["admin_a"]).get(f"/api/v1/agencies/{towns.pn.pk}/tokens/")
    assert [item["id"] for item in listed.json()] == [pn_token]
    revoke = f"/api/v1/agencies/{towns.pn.pk}/tokens/{pn_token}/revoke/"
    assert api_client_for(towns.people["admin_a"]).post(revoke).status_code == 403
    assert api_client_for(towns.people["admin_b"]).post(revoke).status_code == 403
    # Moderators and operators are not the agency's admins.
    for who in ("moderator_a", "operator_pm_a"):
        assert token_create(towns, towns.pm_a, who=who).status_code == 403
    own = token_create(towns, towns.pm_a).json()["id"]
    assert (
        api_client_for(towns.people["admin_b"])
        .post(f"/api/v1/agencies/{towns.pm_a.pk}/tokens/{own}/revoke/")
        .status_code
        == 404
    )
    # A token of one agency is not revoked through another's address.
    assert (
        api_client_for(towns.people["admin_a"])
        .post(f"/api/v1/agencies/{towns.pm_a.pk}/tokens/{pn_token}/revoke/")
        .status_code
        == 404
    )
    assert AgencyToken.objects.filter(revoked_at__isnull=False).count() == 0


def test_an_empty_label_is_a_field_error(towns: Towns) -> None:
    response = token_create(towns, towns.pm_a, label="   ")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"label"}


def test_each_token_has_its_own_throttle_bucket(towns: Towns) -> None:
    tokens = [
        AgencyToken.objects.get(prefix=secret(towns, towns.pm_a)[:12]),
        AgencyToken.objects.get(prefix=secret(towns, towns.pm_a)[:12]),
    ]
    throttle = UserRateThrottle()
    keys = set()
    for token in tokens:
        request = RequestFactory().get("/api/v1/dispatches/")
        request.user = AgencyTokenPrincipal(token)  # type: ignore[assignment]
        keys.add(throttle.get_cache_key(request, None))
    assert len(keys) == 2
    assert None not in keys


def test_the_admin_shows_the_secret_once_and_revokes(towns: Towns) -> None:
    browser = signed_in(towns, "admin_a")
    page = browser.post("/admin/alerts/agencytoken/add/", {"agency": towns.pm_a.pk, "label": "Logiciel PM"})
    assert page.status_code == 200, page.content.decode()[:500]
    assert "no-store" in page["Cache-Control"]
    token = AgencyToken.objects.get(label="Logiciel PM")
    text = page.content.decode()
    start = text.index('id="agency-token-secret">') + len('id="agency-token-secret">')
    raw = text[start : text.index("</code>", start)]
    assert raw.startswith(token.prefix)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert bearer(raw).get("/api/v1/dispatches/").status_code == 200
    change = browser.get(f"/admin/alerts/agencytoken/{token.pk}/change/")
    assert change.status_code == 200
    assert raw not in change.content.decode()
    # A shared agency is not offered to a commune admin.
    assert (
        browser.post("/admin/alerts/agencytoken/add/", {"agency": towns.pn.pk, "label": "PN"}).status_code
        == 200
    )
    assert not AgencyToken.objects.filter(label="PN").exists()
    browser.post("/admin/alerts/agencytoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == towns.people["admin_a"]
    assert bearer(raw).get("/api/v1/dispatches/").status_code == 401


def test_what_the_token_reads_is_in_the_officers_read_log(towns: Towns) -> None:
    client = bearer(secret(towns, towns.pm_a))
    token = AgencyToken.objects.get()
    own = towns.dispatch(towns.observation_a, towns.pm_a)
    assert client.get(f"/api/v1/dispatches/{own.pk}/").status_code == 200
    read = ObservationRead.objects.get()
    assert read.agency_token == token
    assert read.actor is None
    assert read.observation_id == towns.observation_a.pk
    admin = api_client_for(towns.people["admin_a"])
    listed = admin.get(f"/api/v1/observation-reads/?observation={towns.observation_a.pk}")
    assert listed.status_code == 200
    assert listed.json()["results"][0]["agency_token"] == {"id": token.pk, "label": "Main courante PM"}
    exported = admin.get(f"/api/v1/observation-reads/export.csv?observation={towns.observation_a.pk}")
    assert "Main courante PM;agency_token" in exported.content.decode()


def test_the_admin_lists_and_revokes_within_the_policy(towns: Towns) -> None:
    pm_a = AgencyToken.objects.get(prefix=secret(towns, towns.pm_a)[:12])
    pn = AgencyToken.objects.get(prefix=secret(towns, towns.pn, who="superuser")[:12])
    other = signed_in(towns, "admin_b")
    listed = other.get("/admin/alerts/agencytoken/")
    assert listed.status_code == 200
    assert pm_a.prefix not in listed.content.decode()
    assert pn.prefix in listed.content.decode()  # the police nationale serves B too
    assert other.get(f"/admin/alerts/agencytoken/{pm_a.pk}/change/").status_code == 302  # not found
    # A's admin sees the police nationale's token but may not revoke it.
    browser = signed_in(towns, "admin_a")
    browser.post("/admin/alerts/agencytoken/", {"action": "revoke", "_selected_action": [pn.pk, pm_a.pk]})
    pn.refresh_from_db()
    pm_a.refresh_from_db()
    assert pn.revoked_at is None
    assert pm_a.revoked_at is not None
