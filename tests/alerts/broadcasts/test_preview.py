"""POST /api/v1/broadcasts/preview/: the same body and checks as sending, the same recipients (counted per
audience and channel), the SMS's length, encoding and parts, its GSM-7 transliteration; nothing written."""

from typing import Any

import pytest

from alerts.broadcasts.models import Broadcast, BroadcastRecipient
from alerts.models import Event, Notification
from backend.audit.models import AuditEvent
from backend.messaging.models import Delivery
from neighbours.models import Preferences
from tests import factories
from tests.alerts.broadcasts.conftest import BODY, referent
from tests.commerces import factories as cf
from tests.helpers import api_client_for
from tests.neighbours import factories as nf

pytestmark = pytest.mark.django_db

PREVIEW = "/api/v1/broadcasts/preview/"


def _rows() -> list[int]:
    return [
        model.objects.count()
        for model in (Broadcast, BroadcastRecipient, Notification, Delivery, Event, AuditEvent)
    ]


def test_preview_counts_what_sending_then_creates(commune3: Any, other_commune: Any, moderator: Any) -> None:
    referent(commune3, "nord", devices=2)
    referent(commune3, "sud")
    referent(commune3, "nord", devices=0)  # no app: an SMS
    referent(commune3, "sud", devices=0)
    opted_out = referent(commune3, "nord")
    Preferences.objects.create(user=opted_out, push_opt_outs=["prevention"])
    referent(commune3, "est")  # not adjacent: nobody
    cf.shopkeeper(cf.shop(commune3, sector="nord"))  # no app: an SMS
    nf.ready_commune(other_commune)
    referent(other_commune, "nord")  # another commune: nobody
    body = {
        **BODY,
        "kind": "prevention",
        "body": "Fermez portes et fenêtres – même pour une courte absence.",
        "audiences": ["referents", "shopkeepers"],
    }
    client = api_client_for(moderator)
    before = _rows()

    response = client.post(PREVIEW, body, format="json")

    assert response.status_code == 200, response.json()
    assert _rows() == before  # nothing written: no broadcast, recipient, inbox row, delivery, event, audit
    preview = response.json()
    assert preview["recipients"] == {"total": 6, "push": 2, "sms": 3, "inbox_only": 1}
    assert preview["audiences"] == [
        {"audience": "referents", "total": 5, "push": 2, "sms": 2, "inbox_only": 1},
        {"audience": "shopkeepers", "total": 1, "push": 0, "sms": 1, "inbox_only": 0},
    ]
    sms = preview["sms"]
    assert sms["text"] == f"{commune3.name} - Alerte cambriolage\n{body['body']}"
    assert sms["encoding"] == "UCS-2"
    assert sms["non_gsm7_characters"] == ["ê", "–"]
    assert (sms["characters"], sms["segments"], sms["capacity"]) == (len(sms["text"]), 2, 134)
    assert sms["total_sms"] == 2 * 3
    folded = sms["transliteration"]
    assert folded["body"] == "Fermez portes et fenetres - meme pour une courte absence."
    assert folded["title"] == "Alerte cambriolage"
    assert (folded["encoding"], folded["segments"], folded["capacity"], folded["total_sms"]) == (
        "GSM-7",
        1,
        160,
        3,
    )

    created = client.post("/api/v1/broadcasts/", body, format="json")
    assert created.status_code == 201, created.json()
    broadcast = Broadcast.objects.get(pk=created.json()["id"])
    channels = list(BroadcastRecipient.objects.filter(broadcast=broadcast).values_list("channel", flat=True))
    assert len(channels) == preview["recipients"]["total"]
    assert channels.count("push") == preview["recipients"]["push"]
    assert channels.count("sms") == preview["recipients"]["sms"]
    assert channels.count("none") == preview["recipients"]["inbox_only"]
    sent_sms = Delivery.objects.filter(source=broadcast.source, channel="sms")
    assert {delivery.body for delivery in sent_sms} == {sms["text"]}  # the preview counted the SMS sent


def test_preview_refuses_what_sending_refuses(commune3: Any, moderator: Any) -> None:
    client = api_client_for(moderator)
    before = _rows()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"audiences": ["martians"]}, "audiences"),
        ({"channels": []}, "channels"),
        ({"sectors": ["atlantide"]}, "sectors"),
        ({"body": ""}, "body"),
        ({"kind": "rumeur"}, "kind"),
    ]
    for changes, field in cases:
        preview = client.post(PREVIEW, {**BODY, **changes}, format="json")
        created = client.post("/api/v1/broadcasts/", {**BODY, **changes}, format="json")
        assert preview.status_code == created.status_code == 400, (changes, preview.json())
        assert preview.json() == created.json()
        assert list(preview.json()["errors"]) == [field]
    assert _rows() == before
    # Who may not send may not preview either.
    assert api_client_for(referent(commune3, "nord")).post(PREVIEW, BODY, format="json").status_code == 403


def test_preview_counts_only_the_callers_commune(commune3: Any, other_commune: Any, moderator: Any) -> None:
    nf.ready_commune(other_commune)
    for _ in range(3):
        referent(other_commune, "nord")
    referent(commune3, "nord")
    theirs = factories.user(role="moderator", commune=other_commune)
    mine = api_client_for(moderator).post(PREVIEW, BODY, format="json").json()
    assert mine["recipients"]["total"] == 1
    assert api_client_for(theirs).post(PREVIEW, BODY, format="json").json()["recipients"]["total"] == 3
