"""Who opens a watch cell meeting, its page and its pack: the roster's accounts and the commune's admins
(403 for the others of the commune, 404 for another commune's); who convenes; every download logged."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from alerts import access
from alerts.watch_cell import services
from alerts.watch_cell.models import Action, Meeting, RosterMember
from backend.audit.models import AuditEvent
from backend.core.errors import ApplicationError, Forbidden
from tests import factories
from tests.alerts.watch_cell.helpers import cell, meeting
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 5)


def test_a_user_not_on_the_roster_gets_403_on_the_meeting_and_its_pack() -> None:
    place = cell()
    held = meeting(place, DAY, place.csu)
    client = signed_in(place.moderator)
    for suffix in ("", "dossier/", "dossier.pdf"):
        assert client.get(f"/cellule-de-veille/{held.pk}/{suffix}").status_code == 403, suffix
    assert client.post(f"/cellule-de-veille/{held.pk}/actions/", {"action-title": "x"}).status_code == 403
    assert not AuditEvent.objects.filter(action="watch_cell.pack_downloaded").exists()


def test_the_roster_and_the_commune_admin_open_it_another_commune_gets_404() -> None:
    place = cell()
    held = meeting(place, DAY, place.csu)
    for user in (place.csu, place.coordinator, place.admin):
        assert signed_in(user).get(f"/cellule-de-veille/{held.pk}/").status_code == 200, user.role
    elsewhere = factories.commune(name="Septèmes", slug="septemes", prefix="SEP", lon_offset=0.1)
    stranger = factories.user(role="admin", commune=elsewhere)
    assert signed_in(stranger).get(f"/cellule-de-veille/{held.pk}/").status_code == 404
    assert signed_in(stranger).get(f"/cellule-de-veille/{held.pk}/dossier.pdf").status_code == 404
    assert held not in access.meetings_visible(stranger)


def test_without_the_second_factor_or_as_a_referent_the_pages_send_to_sign_in() -> None:
    place = cell()
    held = meeting(place, DAY, place.csu)
    assert signed_in(place.csu, verified=False).get(f"/cellule-de-veille/{held.pk}/").status_code == 302
    assert signed_in(place.referent, verified=False).get("/cellule-de-veille/").status_code == 302


def test_the_list_shows_only_the_meetings_one_sits_at() -> None:
    place = cell()
    mine = meeting(place, DAY, place.csu, title="Réunion de novembre")
    meeting(place, date(2026, 12, 3), title="Réunion de décembre")
    html = signed_in(place.csu).get("/cellule-de-veille/").content.decode()
    assert mine.title in html
    assert "Réunion de décembre" not in html
    assert "Convoquer une réunion" not in html
    everything = signed_in(place.admin).get("/cellule-de-veille/").content.decode()
    assert "Réunion de décembre" in everything
    assert "Convoquer une réunion" in everything


def test_the_coordinator_convenes_a_meeting_and_draws_its_roster() -> None:
    place = cell()
    client = signed_in(place.coordinator)
    response = client.post(
        "/cellule-de-veille/", {"meeting-held_on": "2026-12-03", "meeting-title": "Décembre"}
    )
    held = Meeting.objects.get(title="Décembre")
    assert response.status_code == 302
    assert response["Location"] == f"/cellule-de-veille/{held.pk}/"
    assert held.commune_id == place.commune.pk
    url = f"/cellule-de-veille/{held.pk}/membres/"
    assert client.post(url, {"member-user": place.csu.pk}).status_code == 302
    partner = {
        "member-full_name": "Nadia Bailleur",
        "member-email": "n@bailleur.example",
        "member-organisation": "13 Habitat",
    }
    assert client.post(url, partner).status_code == 302
    assert list(held.roster.values_list("user_id", "full_name")) == [
        (place.coordinator.pk, ""),
        (place.csu.pk, ""),
        (None, "Nadia Bailleur"),
    ]
    # A referent never sits with an account; the roster's partner has no access.
    assert client.post(url, {"member-user": place.referent.pk}).status_code == 400
    assert AuditEvent.objects.filter(action="watch_cell.roster_added", object_id=str(held.pk)).count() == 2


def test_roster_members_add_and_close_actions_but_do_not_convene() -> None:
    place = cell()
    held = meeting(place, DAY, place.csu)
    client = signed_in(place.csu)
    assert (
        client.post(
            "/cellule-de-veille/", {"meeting-held_on": "2026-12-03", "meeting-title": "x"}
        ).status_code
        == 403
    )
    assert client.post(f"/cellule-de-veille/{held.pk}/membres/", {"member-full_name": "X"}).status_code == 403
    seat = held.roster.get(user=place.csu)
    response = client.post(
        f"/cellule-de-veille/{held.pk}/actions/",
        {
            "action-title": "Éclairer le parking de la Gavotte",
            "action-owner_member": seat.pk,
            "action-due_on": "2026-12-31",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.owner == str(place.csu)
    assert action.created_by == place.csu
    response = client.post(f"/cellule-de-veille/{held.pk}/actions/{action.pk}/etat/", {"status": "done"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert action.closed_by == place.csu
    with pytest.raises(Forbidden):
        services.meeting_update(meeting=held, actor=place.csu, held_on=DAY, title="x", status="held")


def test_an_outside_partner_removed_from_the_roster_is_gone() -> None:
    place = cell()
    held = meeting(place, DAY)
    partner = RosterMember.objects.create(meeting=held, full_name="Éducation nationale")
    client = signed_in(place.admin)
    assert client.post(f"/cellule-de-veille/{held.pk}/membres/{partner.pk}/retirer/").status_code == 302
    assert not RosterMember.objects.filter(pk=partner.pk).exists()


def test_each_download_writes_an_audit_row_and_every_pdf_page_names_the_downloader() -> None:
    place = cell()
    held = meeting(place, DAY, place.csu)
    for number in range(60):  # enough actions for several pages
        Action.objects.create(
            meeting=held, title=f"Action numéro {number} de la cellule", owner_text="Mairie"
        )
    response = signed_in(place.csu).get(f"/cellule-de-veille/{held.pk}/dossier.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) > 1
    for page in pages:
        assert "téléchargé par Samuel CSU" in " ".join((page.extract_text() or "").split())
    signed_in(place.csu).get(f"/cellule-de-veille/{held.pk}/dossier/")
    rows = AuditEvent.objects.filter(action="watch_cell.pack_downloaded", object_id=str(held.pk))
    assert [(row.actor_id, row.extra["format"]) for row in rows.order_by("at", "id")] == [
        (place.csu.pk, "pdf"),
        (place.csu.pk, "html"),
    ]


def test_staff_home_links_to_the_watch_cell_for_those_who_use_it() -> None:
    place = cell()
    assert "/cellule-de-veille/" in signed_in(place.coordinator).get("/agents/").content.decode()
    assert "/cellule-de-veille/" not in signed_in(place.csu).get("/agents/").content.decode()
    meeting(place, DAY, place.csu)
    assert "/cellule-de-veille/" in signed_in(place.csu).get("/agents/").content.decode()


def test_a_moderator_on_a_roster_finds_the_watch_cell_from_the_home_page() -> None:
    place = cell()
    assert "/cellule-de-veille/" not in signed_in(place.moderator).get("/").content.decode()
    meeting(place, DAY, place.moderator)
    assert "/cellule-de-veille/" in signed_in(place.moderator).get("/").content.decode()


def test_the_convenor_edits_the_meeting_and_the_change_is_audited() -> None:
    place = cell()
    held = meeting(place, DAY)
    response = signed_in(place.admin).post(
        f"/cellule-de-veille/{held.pk}/modifier/",
        {"meeting-held_on": "2026-11-06", "meeting-title": "Cellule de veille", "meeting-status": "held"},
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.held_on, held.status) == (date(2026, 11, 6), Meeting.Status.HELD)
    row = AuditEvent.objects.get(action="watch_cell.meeting_changed", object_id=str(held.pk))
    assert row.changed_fields == ["held_on", "status"]
    assert row.actor_id == place.admin.pk


def test_an_account_of_another_commune_cannot_be_seated() -> None:
    place = cell()
    held = meeting(place, DAY)
    elsewhere = factories.commune(name="Septèmes", slug="septemes", prefix="SEP", lon_offset=0.1)
    stranger = factories.user(role="moderator", commune=elsewhere)
    with pytest.raises(ApplicationError):
        services.roster_member_add(meeting=held, actor=place.coordinator, user=stranger)
    assert not held.roster.filter(user=stranger).exists()
