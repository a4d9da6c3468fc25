"""CAP 1.2 documents validated against the OASIS XSD (fixture), and alerts made from an observation."""

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from alerts import services as alerts_services
from alerts.models import Observation
from tests.alerts import factories as af
from tests.alerts.broadcasts.conftest import BODY, referent
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db

XSD = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "fixtures" / "CAP-v1.2.xsd")))
CAP = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}


def _cap(client: Any, broadcast_id: int) -> Any:
    response = client.get(f"/api/v1/broadcasts/{broadcast_id}/cap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    XSD.assertValid(document)
    return document


def test_cap_alert_update_cancel_are_valid_cap_1_2(commune3: Any, moderator: Any) -> None:
    referent(commune3, "nord")
    client = api_client_for(moderator)
    original = client.post("/api/v1/broadcasts/", {**BODY, "status": "exercise"}, format="json").json()

    alert = _cap(client, original["id"])
    assert alert.findtext("cap:status", namespaces=CAP) == "Exercise"
    assert alert.findtext("cap:msgType", namespaces=CAP) == "Alert"
    info = alert.find("cap:info", CAP)
    assert info.findtext("cap:category", namespaces=CAP) == "Security"
    assert info.findtext("cap:event", namespaces=CAP) == "Alerte cambriolage"
    assert info.findtext("cap:urgency", namespaces=CAP) == "Immediate"
    assert info.findtext("cap:headline", namespaces=CAP) == BODY["title"]
    assert info.findtext("cap:description", namespaces=CAP) == BODY["body"]
    assert "17" in info.findtext("cap:instruction", namespaces=CAP)
    area = info.find("cap:area", CAP)
    assert "Nord" in area.findtext("cap:areaDesc", namespaces=CAP)
    assert "Sud" in area.findtext("cap:areaDesc", namespaces=CAP)  # adjacent sector included
    polygons = area.findall("cap:polygon", CAP)
    assert len(polygons) == 2
    first_point = polygons[0].text.split()[0]
    assert first_point == polygons[0].text.split()[-1]
    latitude, longitude = map(float, first_point.split(","))
    assert 43.39 < latitude < 43.43
    assert 5.29 < longitude < 5.35

    update = client.post(
        f"/api/v1/broadcasts/{original['id']}/update/", {"body": "Suite."}, format="json"
    ).json()
    document = _cap(client, update["id"])
    assert document.findtext("cap:msgType", namespaces=CAP) == "Update"
    sender = alert.findtext("cap:sender", namespaces=CAP)
    identifier = alert.findtext("cap:identifier", namespaces=CAP)
    sent = alert.findtext("cap:sent", namespaces=CAP)
    assert document.findtext("cap:references", namespaces=CAP) == f"{sender},{identifier},{sent}"

    cancel = client.post(f"/api/v1/broadcasts/{original['id']}/cancel/", {}, format="json").json()
    document = _cap(client, cancel["id"])
    assert document.findtext("cap:msgType", namespaces=CAP) == "Cancel"
    assert document.findtext("cap:references", namespaces=CAP) == f"{sender},{identifier},{sent}"


def test_commune_wide_prevention_cap_uses_the_commune_boundary(commune3: Any, operator: Any) -> None:
    client = api_client_for(operator)
    created = client.post(
        "/api/v1/broadcasts/",
        {**BODY, "kind": "prevention", "sectors": [], "include_adjacent": False},
        format="json",
    ).json()
    document = _cap(client, created["id"])
    assert document.findtext("cap:status", namespaces=CAP) == "Actual"
    info = document.find("cap:info", CAP)
    assert info.findtext("cap:urgency", namespaces=CAP) == "Future"
    area = info.find("cap:area", CAP)
    assert area.findtext("cap:areaDesc", namespaces=CAP) == commune3.name
    assert len(area.findall("cap:polygon", CAP)) == 1


def test_burglary_alert_from_an_observation_is_prefilled_without_personal_data(
    commune3: Any, moderator: Any
) -> None:
    author = referent(commune3, "nord", display_name="Jeanne Martin")
    observation = af.observation(
        author, description="Jeanne Martin, 06 12 34 56 78 : deux hommes au 12 chemin des Amandiers."
    )
    client = api_client_for(moderator)
    assert client.get(f"/api/v1/broadcasts/prefill/?observation={observation.pk}").status_code == 400

    af.fallback(commune3, af.agency(commune=commune3))
    alerts_services.observation_approve(observation=observation, actor=moderator)
    observation.refresh_from_db()
    assert observation.status == Observation.Status.DISPATCHED
    prefill = client.get(f"/api/v1/broadcasts/prefill/?observation={observation.pk}").json()
    assert prefill["kind"] == "burglary_alert"
    assert prefill["sectors"] == ["nord"]
    text = prefill["title"] + prefill["body"]
    for personal in ("Jeanne", "Martin", "06 12", "Amandiers", str(author.phone), observation.reference):
        assert personal not in text
    assert "Nord" in text

    created = client.post(
        "/api/v1/broadcasts/",
        {
            "kind": "burglary_alert",
            "observation": observation.pk,
            "audiences": ["referents"],
            "channels": ["push"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["observation"] == observation.pk
    assert data["title"] == prefill["title"]
    assert data["body"] == prefill["body"]
    assert data["sectors"] == ["nord"]
    certainty = _cap(client, data["id"]).find("cap:info", CAP).findtext("cap:certainty", namespaces=CAP)
    assert certainty == "Observed"
