"""A rights request from the public form to its decision: deadline, identity check, the reports found,
deferral with its ground, decision told by the chosen channel, every step audited; reminders."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from alerts.models import Observation
from alerts.privacy.models import RightsRequest
from alerts.privacy.services import add_months, rights_requests_remind
from backend.accounts.models import Role
from backend.audit.models import AuditEvent
from backend.messaging.models import Delivery
from tests import factories
from tests.alerts.factories import observation
from tests.helpers import signed_in
from tests.neighbours.factories import ready_commune, referent

pytestmark = pytest.mark.django_db

FORM = "/confidentialite/demande/"


def _form(commune, **changes):
    data = {
        "commune": commune.pk,
        "requester": "third_party",
        "kind": "access",
        "name": "Jean Martin",
        "details": "Je pense être décrit dans un signalement sur le parking de la gare.",
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
        "channel": "sms",
        "phone": "+33698000001",
        "identity_proof": "Carte nationale d'identité présentée en mairie",
        "identity_declared": "on",
    }
    data.update(changes)
    return data


def _change(client, row, **data):
    response = client.post(f"/admin/privacy/rightsrequest/{row.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    return row


def _actions(row):
    return list(
        AuditEvent.objects.filter(object_type="privacy.rightsrequest", object_id=str(row.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_third_party_request_flows_from_the_form_to_a_decision_told_by_sms(client, commune):
    author = referent(ready_commune(commune)).user
    named = observation(author)
    in_november = timezone.make_aware(datetime(2026, 11, 12, 10))
    Observation.objects.filter(pk=named.pk).update(occurred_at=in_november)
    outside = observation(author)  # occurred in December: outside the period

    response = client.post(FORM, _form(commune))
    assert response.status_code == 302
    row = RightsRequest.objects.get()
    assert row.requester == "third_party"
    assert row.status == RightsRequest.Status.RECEIVED
    assert row.due_at == add_months(row.received_at, 1)
    done = client.get(response["Location"]).content.decode()
    assert row.reference in done

    dpo, _device = factories.staff(role=Role.DPO, commune=commune)
    office = signed_in(dpo)
    page = office.get(f"/admin/privacy/rightsrequest/{row.pk}/change/").content.decode()
    assert named.reference in page  # the search by period finds it
    assert outside.reference not in page

    row = _change(office, row, step="identity", note="CNI vue au guichet le 3/12")
    assert row.status == RightsRequest.Status.IDENTITY_CHECKED
    assert row.identity_checked_by == dpo
    row = _change(office, row, step="match")
    assert row.matched_references == named.reference
    row = _change(
        office,
        row,
        step="defer",
        note="Enquête judiciaire en cours (RGPD art. 23, loi I&L art. 52)",
        until="2027-02-01",
    )
    assert row.status == RightsRequest.Status.DEFERRED
    assert "art. 23" in row.deferral_ground
    assert not Delivery.objects.filter(address="+33698000001").exists()  # a deferral is not told

    row = _change(
        office,
        row,
        step="decide",
        note="RGPD art. 15 ; loi I&L art. 52 : communication indirecte par la CNIL",
        decision_taken="partial",
        answer_text="Vous pouvez saisir la CNIL pour un accès indirect.",
    )
    assert row.status == RightsRequest.Status.DECIDED
    assert row.decided_by == dpo
    sms = Delivery.objects.get(address="+33698000001", kind="privacy.outcome")
    assert row.reference in sms.body
    assert "accordée en partie" in sms.body
    assert _actions(row) == [
        "privacy.request_received",
        "privacy.identity_checked",
        "privacy.reports_matched",
        "privacy.deferred",
        "privacy.decided",
        "privacy.requester_told",
    ]
    # Decided: no further step.
    _change(office, row, step="extend", note="trop tard")
    assert "privacy.deadline_extended" not in _actions(row)


def test_the_outcome_goes_by_email_when_chosen(client, commune):
    client.post(FORM, _form(commune, channel="email", email="jean.martin@example.org", phone=""))
    row = RightsRequest.objects.get()
    admin, _device = factories.staff(role=Role.ADMIN, commune=commune)
    assert not mail.outbox

    with TestCase.captureOnCommitCallbacks(execute=True):
        _change(
            signed_in(admin),
            row,
            step="decide",
            note="RGPD art. 15",
            decision_taken="nothing_held",
            answer_text="",
        )
    (message,) = mail.outbox
    assert message.to == ["jean.martin@example.org"]
    assert "aucune donnée trouvée" in message.body


def test_the_deadline_is_extended_once_with_a_reason(commune):
    from alerts.privacy.services import rights_request_extend, rights_request_submit
    from backend.core.errors import Conflict

    row = rights_request_submit(
        commune=commune,
        kind="erasure",
        requester="referent",
        name="Ana",
        channel="post",
        details="Effacez.",
        identity_proof="CNI",
        identity_declared=True,
        postal_address="1 rue Haute, 13170",
    )
    dpo, _device = factories.staff(role=Role.DPO, commune=commune)
    rights_request_extend(request=row, actor=dpo, reason="Recherche dans plusieurs services")
    row.refresh_from_db()
    assert row.due_at == add_months(row.received_at, 3)
    with pytest.raises(Conflict):
        rights_request_extend(request=row, actor=dpo, reason="encore")


def test_the_form_asks_for_the_contact_of_the_chosen_channel(client, commune):
    response = client.post(FORM, _form(commune, channel="email", email=""))
    assert response.status_code == 400
    assert "Indiquez où vous répondre" in response.content.decode()
    assert not RightsRequest.objects.exists()
    unsworn = _form(commune)
    del unsworn["identity_declared"]
    assert client.post(FORM, unsworn).status_code == 400


def test_reminders_go_to_the_commune_dpo_and_admins_once_a_day(client, commune, other_commune, settings):
    settings.PRIVACY_REMINDER_DAYS = 7
    client.post(FORM, _form(commune))
    row = RightsRequest.objects.get()
    dpo = factories.user(role=Role.DPO, commune=commune, email="dpo@pennes.fr")
    factories.user(role=Role.ADMIN, commune=commune, email="maire@pennes.fr")
    factories.user(role=Role.DPO, commune=other_commune, email="dpo@septemes.fr")
    assert dpo.email
    assert rights_requests_remind() == 0  # a month away
    later = row.due_at - timedelta(days=3)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert rights_requests_remind(now=later) == 1
    (message,) = mail.outbox
    assert sorted(message.to) == ["dpo@pennes.fr", "maire@pennes.fr"]
    assert row.reference in message.subject
    assert rights_requests_remind(now=later + timedelta(hours=2)) == 0
    assert rights_requests_remind(now=later + timedelta(days=1, minutes=1)) == 1
    assert AuditEvent.objects.filter(action="privacy.reminder").count() == 2


def test_the_public_form_takes_five_requests_an_hour_from_one_address(client, commune):
    for _ in range(5):
        assert client.post(FORM, _form(commune)).status_code == 302
    refused = client.post(FORM, _form(commune))
    assert refused.status_code == 400
    assert "Trop de demandes" in refused.content.decode()
    assert RightsRequest.objects.count() == 5
