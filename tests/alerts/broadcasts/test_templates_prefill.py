"""Templates per kind (the commune admin's, in the admin; Vigie's defaults otherwise) and the prefilled
texts: an alert from one observation or a series, in French, without personal data."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from alerts import services as alerts_services
from alerts.broadcasts import demo
from alerts.broadcasts.models import BroadcastTemplate
from alerts.broadcasts.services import broadcast_prefill
from alerts.models import Observation
from backend.accounts.models import Role
from backend.core.emergency import emergency_call
from tests import factories
from tests.alerts import factories as af
from tests.alerts.broadcasts.conftest import referent
from tests.helpers import api_client_for, staff_login

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# Friday 4 December 2026, 9:00 in Paris.
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=PARIS)


def _approved(author: Any, moderator: Any, when: datetime, **fields: Any) -> Observation:
    observation = af.observation(author, **fields)
    alerts_services.observation_approve(observation=observation, actor=moderator)
    Observation.objects.filter(pk=observation.pk).update(occurred_at=when)
    observation.refresh_from_db()
    return observation


@pytest.fixture
def dispatched(commune3: Any) -> None:
    af.fallback(commune3, af.agency(commune=commune3))


def test_one_observation_reads_well(commune3: Any, moderator: Any, dispatched: None) -> None:
    author = referent(commune3, "nord", display_name="Jeanne Martin")
    observation = _approved(author, moderator, datetime(2026, 12, 1, 11, 10, tzinfo=PARIS))

    prefill = broadcast_prefill(commune=commune3, kind="burglary_alert", observations=[observation], now=NOW)

    assert prefill["title"] == "Alerte cambriolage : secteur Nord"
    assert prefill["body"] == (
        "Cambriolage signalé ce mardi 1er décembre en fin de matinée, secteur Nord. Fermez portes et "
        "fenêtres, même pour une courte absence, ne laissez pas d'objets de valeur en vue et signalez tout "
        f"comportement suspect. {emergency_call()}"
    )
    assert prefill["sectors"] == ["nord"]


def test_a_series_reads_well_over_the_union_of_its_sectors(
    commune3: Any, moderator: Any, dispatched: None
) -> None:
    author = referent(commune3, "nord", display_name="Jeanne Martin")
    south = {"latitude": 43.405, "longitude": 5.31}
    series = [
        _approved(author, moderator, datetime(2026, 11, 28, 22, 30, tzinfo=PARIS)),  # Saturday night
        _approved(author, moderator, datetime(2026, 12, 2, 15, 0, tzinfo=PARIS), **south),
        _approved(author, moderator, datetime(2026, 12, 3, 10, 0, tzinfo=PARIS)),
    ]

    prefill = broadcast_prefill(commune=commune3, kind="burglary_alert", observations=series, now=NOW)

    assert prefill["title"] == "Alerte cambriolage : secteurs Nord et Sud"
    assert prefill["body"].startswith("3 cambriolages signalés depuis samedi, secteurs Nord et Sud. Fermez")
    assert prefill["sectors"] == ["nord", "sud"]


def test_prefill_api_takes_a_series_and_never_names_the_author_or_the_place(
    commune3: Any, moderator: Any, dispatched: None
) -> None:
    author = referent(commune3, "nord", display_name="Jeanne Martin")
    described = "Jeanne Martin, 06 12 34 56 78 : deux hommes au 12 chemin des Amandiers."
    first = _approved(author, moderator, datetime(2026, 12, 3, 10, 0, tzinfo=PARIS), description=described)
    second = _approved(author, moderator, datetime(2026, 12, 3, 20, 0, tzinfo=PARIS), description=described)
    client = api_client_for(moderator)

    response = client.get(f"/api/v1/broadcasts/prefill/?observation={first.pk}&observation={second.pk}")

    assert response.status_code == 200, response.json()
    prefill = response.json()
    assert prefill["body"].startswith("2 cambriolages signalés ")
    assert prefill["sectors"] == ["nord"]
    text = prefill["title"] + prefill["body"]
    for personal in (
        "Jeanne",
        "Martin",
        "06 12",
        "Amandiers",
        "12 chemin",
        str(author.phone),
        first.reference,
    ):
        assert personal not in text
    # One of the series not approved, or of another commune: the whole request is refused.
    pending = af.observation(author)
    assert (
        client.get(f"/api/v1/broadcasts/prefill/?observation={first.pk}&observation={pending.pk}").status_code
        == 400
    )
    assert (
        client.get(f"/api/v1/broadcasts/prefill/?observation={first.pk}&observation=999999").status_code
        == 404
    )
    assert client.get("/api/v1/broadcasts/prefill/?observation=abc").status_code == 400


def test_prefill_of_a_kind_uses_the_communes_template_else_the_default(commune3: Any, moderator: Any) -> None:
    client = api_client_for(moderator)
    default = client.get("/api/v1/broadcasts/prefill/?kind=prevention").json()
    assert default["title"] == "Conseil de prévention"
    assert default["body"].startswith(f"La commune de {commune3.name} vous conseille : fermez portes")
    BroadcastTemplate.objects.create(
        commune=commune3, kind="prevention", title="Vacances à {commune}", body="Partez tranquilles, {date}."
    )
    custom = client.get("/api/v1/broadcasts/prefill/?kind=prevention").json()
    assert custom["title"] == f"Vacances à {commune3.name}"
    assert custom["body"].startswith("Partez tranquilles, ce ")
    assert client.get("/api/v1/broadcasts/prefill/?kind=rumeur").status_code == 400
    alert = client.get("/api/v1/broadcasts/prefill/?kind=burglary_alert").json()
    assert alert["title"] == f"Alerte cambriolage : {commune3.name}"
    assert alert["body"].startswith(f"Cambriolages signalés récemment, {commune3.name}. Fermez portes")
    assert alert["sectors"] == []


@pytest.fixture
def admin_client(client: Any, commune3: Any) -> Any:
    user, device = factories.staff(role=Role.ADMIN, commune=commune3)
    staff_login(client, user, device)
    return client


def test_commune_admin_edits_their_communes_templates_only(
    admin_client: Any, commune3: Any, other_commune: Any
) -> None:
    mine = BroadcastTemplate.objects.create(commune=commune3, kind="prevention", title="A", body="B")
    theirs = BroadcastTemplate.objects.create(commune=other_commune, kind="prevention", title="C", body="D")

    listing = admin_client.get("/admin/broadcasts/broadcasttemplate/")
    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [mine]
    assert admin_client.get(f"/admin/broadcasts/broadcasttemplate/{theirs.pk}/change/").status_code == 302
    form = admin_client.get("/admin/broadcasts/broadcasttemplate/add/").context["adminform"].form
    assert list(form.fields["commune"].queryset) == [commune3]

    changed = admin_client.post(
        f"/admin/broadcasts/broadcasttemplate/{mine.pk}/change/",
        {
            "commune": commune3.pk,
            "kind": "prevention",
            "title": "Conseil {secteurs}",
            "body": "Texte {date}.",
        },
    )
    assert changed.status_code == 302
    mine.refresh_from_db()
    assert mine.title == "Conseil {secteurs}"
    refused = admin_client.post(
        f"/admin/broadcasts/broadcasttemplate/{mine.pk}/change/",
        {"commune": commune3.pk, "kind": "prevention", "title": "Conseil", "body": "Bonjour {nom}."},
    )
    assert refused.status_code == 200
    assert "Espace réservé inconnu : {nom}" in refused.content.decode()
    stolen = admin_client.post(
        "/admin/broadcasts/broadcasttemplate/add/",
        {"commune": other_commune.pk, "kind": "burglary_alert", "title": "X", "body": "Y"},
    )
    assert stolen.status_code == 200  # the other commune is not a choice
    assert not BroadcastTemplate.objects.filter(commune=other_commune, kind="burglary_alert").exists()
    theirs.refresh_from_db()
    assert theirs.title == "C"


def test_demo_seeds_the_default_templates(commune3: Any) -> None:
    demo.seed(commune3, lambda _text: None)
    demo.seed(commune3, lambda _text: None)
    assert sorted(BroadcastTemplate.objects.filter(commune=commune3).values_list("kind", flat=True)) == [
        "burglary_alert",
        "prevention",
        "shop_alert",
    ]
