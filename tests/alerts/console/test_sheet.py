"""The incident sheet: /console/fiche/<dispatch>/ (HTML, print CSS) and its PDF, police view only."""

import io

import pytest
from pypdf import PdfReader

from alerts import services
from alerts.models import Dispatch, ObservationRead
from tests import factories
from tests.alerts import factories as f
from tests.alerts.console.helpers import Town, town
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db

ORIGINAL = "Camille Témoin du 12 chemin des Amandiers voit deux hommes forcer le portail du voisin."
REDACTED = "Deux hommes forcent un portail, chemin des Amandiers."


def dispatched(place: Town, **fields: object) -> Dispatch:
    place.referent.display_name = "Camille Témoin"
    place.referent.save(update_fields=["display_name"])
    observation = f.observation(place.referent, description=ORIGINAL, **fields)
    services.observation_approve(
        observation=observation, actor=place.moderator, redacted_description=REDACTED, agencies=[place.pm.pk]
    )
    dispatch = Dispatch.objects.get(observation=observation)
    services.dispatch_acknowledge(dispatch=dispatch, actor=place.pm_operator)
    services.dispatch_add_note(dispatch=dispatch, actor=place.pm_operator, text="Équipage en route.")
    return dispatch


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def test_the_sheet_page_prints_the_police_view_and_its_timeline() -> None:
    place = town()
    dispatch = dispatched(place)
    reference = dispatch.observation.reference

    response = signed_in(place.pm_operator).get(f"/console/fiche/{dispatch.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert reference in html
    assert REDACTED in html
    assert "@page" in html
    assert "A4" in html
    assert "Équipage en route." in html
    assert f"pris en compte, attribué à {place.pm_operator}" in html
    assert f"Imprimée par {place.pm_operator}" in html
    assert 'class="secteur"' in html  # the map extract: the sector's outline and the point
    assert 'class="point"' in html
    assert f'href="/console/fiche/{dispatch.pk}.pdf"' in html
    for secret in ("Camille", "Témoin", str(place.referent.phone), ORIGINAL[:30]):
        assert secret not in html
    assert 'id="liste"' not in html  # no console chrome


def test_the_pdf_is_a_pdf_with_the_reference_and_the_redacted_text_and_no_reporter() -> None:
    place = town()
    dispatch = dispatched(place)
    response = signed_in(place.pm_operator).get(f"/console/fiche/{dispatch.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert dispatch.observation.reference in text
    assert "Deux hommes forcent un portail" in " ".join(text.split())
    for secret in ("Camille", "Témoin", str(place.referent.phone), str(place.referent.phone)[-8:]):
        assert secret not in text
    assert ObservationRead.objects.filter(
        actor=place.pm_operator, door=ObservationRead.Door.SHEET, observation_id=dispatch.observation_id
    ).exists()


def test_no_map_without_coordinates() -> None:
    place = town()
    dispatch = dispatched(place, latitude=None, longitude=None, sector="nord")
    html = signed_in(place.pm_operator).get(f"/console/fiche/{dispatch.pk}/").content.decode()
    assert "<svg" not in html
    assert "Nord" in html or "nord" in html


def test_who_may_print_whoever_may_see_the_dispatch() -> None:
    place = town()
    dispatch = dispatched(place)
    url = f"/console/fiche/{dispatch.pk}/"
    moderator_copy = signed_in(place.moderator).get(url)
    assert moderator_copy.status_code == 200
    assert REDACTED in moderator_copy.content.decode()  # the police view, whoever prints
    assert "Camille" not in moderator_copy.content.decode()
    assert signed_in(place.pn_operator).get(url).status_code == 404  # another agency
    assert signed_in(place.pn_operator).get(f"/console/fiche/{dispatch.pk}.pdf").status_code == 404
    elsewhere = factories.commune(name="Gignac", slug="gignac", prefix="GIG", lon_offset=1.0)
    assert signed_in(f.moderator(elsewhere)).get(url).status_code == 404
    assert signed_in(place.pm_operator, verified=False).get(url).status_code == 302
    assert signed_in(place.referent, verified=False).get(url).status_code == 302
