"""Broadcasts from the console in headless Chromium against a real daphne (issue 14's acceptance): the
preview's counts per channel as one composes, the SMS counter switching to UCS-2 and back with the
transliteration button, the confirmation naming the counts, then the receipts updating live in the list
as the outbox worker (a real `run_worker` process) sends. Then the two-person rule: an alert prefilled
from a series and a scheduled advice drafted by one moderator, approved and refused by another, updated
and cancelled from the list. Screenshots go to test-artifacts/."""

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from alerts import services as alerts_services
from alerts.broadcasts.models import Broadcast, BroadcastPolicy
from alerts.console.models import ConsoleConnection
from backend.accounts.models import User
from backend.messaging.models import Delivery, Device
from tests.alerts import factories as af
from tests.alerts.console.helpers import Town, town
from tests.alerts.console.test_browser import in_thread, open_console, staff_login_ready
from tests.live import Worker, screenshot, until
from tests.neighbours import factories as nf

pytestmark = pytest.mark.browser


def test_preview_counts_confirmation_and_live_receipts(
    transactional_db: Any, daphne_server: Any, browser: Any, live_tmp: Path
) -> None:
    place: Town = town()
    for index in range(2):  # in the app: a push each
        user = nf.referent(place.commune).user
        Device.objects.create(user=user, token=f"tok-console-{index}", platform="android")
    # town()'s referent has no app: an SMS.
    page = open_console(browser, daphne_server.url, place.moderator, staff_login_ready(place.moderator))

    page.get_by_role("button", name="Diffuser une alerte").click()
    # The kind brings its template.
    page.get_by_label("Nature").select_option("burglary_alert")
    page.wait_for_function(
        "() => document.getElementById('diffusion-titre').value.startsWith('Alerte cambriolage')"
    )
    page.locator("#diffusion-canaux input[value=sms]").check()
    page.get_by_label("Titre").fill("Cambriolages secteur Nord")
    page.get_by_label("Texte", exact=True).fill("Fermez portes et fenêtres – soyez vigilants.")

    # The preview, as one types: recipients per channel; the SMS in UCS-2 (« ê », « – »), highlighted.
    preview = page.locator("#diffusion-apercu")
    counter = page.locator("#diffusion-compteur")
    until(lambda: "UCS-2" in counter.inner_text(), what="the SMS counter in UCS-2", timeout=15)
    assert preview.inner_text().startswith(
        "3 destinataires : 2 notifications, 1 SMS, 0 boîte de réception seule."
    )
    assert re.match(r"^\d+/134 · UCS-2 · 2 SMS par personne — 2 SMS facturés$", counter.inner_text()), (
        counter.inner_text()
    )
    assert page.locator("#diffusion-marque mark.hors-gsm").all_inner_texts() == ["ê", "–"]
    screenshot(page, "console-broadcast-ucs2")

    # Back to GSM-7 with the button: the text transliterated, one SMS.
    page.get_by_role("button", name="Remplacer par des caractères GSM-7").click()
    until(
        lambda: counter.get_attribute("data-encoding") == "GSM-7",
        what="the counter back in GSM-7",
        timeout=15,
    )
    assert (
        page.get_by_label("Texte", exact=True).input_value() == "Fermez portes et fenetres - soyez vigilants."
    )
    assert re.match(r"^\d+/160 · GSM-7 · 1 SMS — 1 SMS facturé$", counter.inner_text()), counter.inner_text()
    assert page.locator("#diffusion-hors-gsm").is_hidden()

    # « Diffuser » asks first, naming the counts; « Annuler » sends nothing.
    page.get_by_role("button", name="Diffuser", exact=True).click()
    confirmation = page.locator("#diffusion-question")
    confirmation.wait_for(timeout=15000)
    assert confirmation.inner_text() == "Envoyer à 3 personnes : 2 notifications, 1 SMS (1 SMS facturé) ?"
    screenshot(page, "console-broadcast-confirmation")
    page.get_by_role("button", name="Annuler", exact=True).click()
    assert page.locator("#diffusion-confirmation").is_hidden()
    assert not Broadcast.objects.exists()
    page.get_by_role("button", name="Diffuser", exact=True).click()
    page.get_by_role("button", name="Confirmer").click()

    # Sent: in the list, its receipts waiting for the worker …
    until(lambda: Broadcast.objects.filter(state="sent").exists(), what="the broadcast", timeout=15)
    broadcast = Broadcast.objects.get()
    assert broadcast.title == "Cambriolages secteur Nord"
    receipts = page.locator(f'#diffusion-historique li[data-broadcast-id="{broadcast.pk}"] .accuses')
    until(lambda: "SMS : 0 envoyés, 1 en file" in receipts.inner_text(), what="queued receipts", timeout=15)
    assert "Notifications : 0 envoyées, 2 en file" in receipts.inner_text()
    sms = Delivery.objects.get(source=broadcast.source, channel="sms")
    assert (
        sms.body
        == "Les Pennes-Mirabeau - Cambriolages secteur Nord\nFermez portes et fenetres - soyez vigilants."
    )

    # … then updated live as the worker sends, without a reload.
    env = {
        "SMS_BACKEND": "file",
        "SMS_FILE_PATH": str(live_tmp / "sms"),
        "PUSH_BACKEND": "file",
        "PUSH_FILE_PATH": str(live_tmp / "push"),
    }
    worker = Worker(live_tmp, "console-broadcasts", env)
    try:
        worker.wait_started()
        until(
            lambda: (
                receipts.inner_text() == "Notifications : 2 envoyées, 0 en file ; SMS : 1 envoyé, 0 en file"
            ),
            what="the receipts updated in the page",
            timeout=30,
            watch=worker,
        )
    finally:
        worker.stop()
    assert page.evaluate("window.__loadedOnce") is True
    screenshot(page, "console-broadcast-receipts")
    page.context.close()
    # A closing socket writes its read log and presence: done before the test's data is flushed.
    until(lambda: not ConsoleConnection.objects.exists(), what="the console's socket to close")


def test_two_person_rule_series_prefill_schedule_update_and_cancel(
    transactional_db: Any, daphne_server: Any, browser: Any
) -> None:
    place: Town = town()
    BroadcastPolicy.objects.create(commune=place.commune, two_person_rule=True)
    second = User.objects.create_user("+33699000011", role="moderator", commune=place.commune)
    series = []
    first = af.recent(3)
    since = "aujourd'hui" if timezone.localtime(first).date() == timezone.localdate() else "depuis hier"
    for minutes in (3, 2, 1):
        observation = in_thread(af.observation, author=place.referent, occurred_at=af.recent(minutes))
        in_thread(alerts_services.observation_approve, observation=observation, actor=place.moderator)
        series.append(observation.pk)
    base = daphne_server.url
    writer = open_console(browser, base, place.moderator, staff_login_ready(place.moderator))
    checker = open_console(browser, base, second, staff_login_ready(second))

    # The « série » banner's call: the panel opens on a burglary alert summing up the series.
    writer.evaluate(
        f"window.vigieConsole.openBroadcast({{kind: 'burglary_alert', observationIds: {series}}})"
    )
    title = writer.get_by_label("Titre")
    until(lambda: title.input_value() == "Alerte cambriolage : secteur Nord", what="the prefill", timeout=15)
    body = writer.get_by_label("Texte", exact=True).input_value()
    assert body.startswith(f"3 cambriolages signalés {since}, secteur Nord. Fermez portes"), body
    assert writer.locator("#diffusion-secteurs input[value=nord]").is_checked()
    writer.get_by_role("button", name="Diffuser", exact=True).click()
    writer.get_by_role("button", name="Confirmer").click()
    until(lambda: Broadcast.objects.filter(state="draft").count() == 1, what="the alert's draft", timeout=15)
    alert = Broadcast.objects.get(state="draft")
    # The row is committed before the API's answer reaches the page: wait for the page's confirmation.
    until(
        lambda: "attend la validation" in writer.locator("#retour").inner_text(),
        what="the confirmation",
        timeout=15,
    )
    assert (
        "Rédigée par vous"
        in writer.locator(f'#diffusion-a-valider li[data-broadcast-id="{alert.pk}"]').inner_text()
    )

    # A scheduled advice: the confirmation says when (Paris time), the server reads it so.
    writer.get_by_label("Nature").select_option("prevention")
    until(lambda: title.input_value() == "Conseil de prévention", what="the advice's template", timeout=15)
    writer.get_by_label("Envoi programmé (heure de Paris ; vide : tout de suite)").fill("2030-01-15T10:30")
    writer.get_by_role("button", name="Diffuser", exact=True).click()
    question = writer.locator("#diffusion-question")
    question.wait_for(timeout=15000)
    assert question.inner_text().endswith("Envoi programmé le 15/01/2030 10:30 (heure de Paris).")
    writer.get_by_role("button", name="Confirmer").click()
    until(lambda: Broadcast.objects.filter(state="draft").count() == 2, what="the advice's draft", timeout=15)
    advice = Broadcast.objects.get(state="draft", kind="prevention")
    assert advice.send_at == datetime(2030, 1, 15, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))

    # The other moderator approves the alert and refuses the advice.
    checker.get_by_role("button", name="Diffuser une alerte").click()
    pending = checker.locator(f'#diffusion-a-valider li[data-broadcast-id="{alert.pk}"]')
    pending.get_by_role("button", name="Approuver").click()
    until(lambda: Broadcast.objects.get(pk=alert.pk).state == "sent", what="the approval", timeout=15)
    refused = checker.locator(f'#diffusion-a-valider li[data-broadcast-id="{advice.pk}"]')
    refused.get_by_role("button", name="Refuser").click()
    until(lambda: Broadcast.objects.get(pk=advice.pk).state == "cancelled", what="the refusal", timeout=15)
    assert Broadcast.objects.get(pk=advice.pk).recipients_count == 0
    screenshot(checker, "console-broadcast-approval")

    # From the list: an update, then a cancel, to the same people.
    sent = checker.locator(f'#diffusion-historique li[data-broadcast-id="{alert.pk}"]')
    sent.get_by_role("button", name="Mettre à jour").click()
    checker.get_by_label("Message de mise à jour (envoyé aux mêmes destinataires)").fill(
        "Individus interpellés."
    )
    checker.get_by_role("button", name="Envoyer la mise à jour").click()
    until(
        lambda: Broadcast.objects.filter(original=alert, msg_type="update").exists(),
        what="the update",
        timeout=15,
    )
    sent = checker.locator(f'#diffusion-historique li[data-broadcast-id="{alert.pk}"]')
    sent.get_by_role("button", name="Annuler la diffusion").click()
    checker.get_by_role("button", name="Confirmer l'annulation").click()
    until(lambda: Broadcast.objects.get(pk=alert.pk).state == "cancelled", what="the cancel", timeout=15)
    cancel = Broadcast.objects.get(original=alert, msg_type="cancel")
    assert cancel.recipients_count == Broadcast.objects.get(pk=alert.pk).recipients_count
    checker.locator(f'#diffusion-historique li[data-broadcast-id="{cancel.pk}"]').wait_for(timeout=15000)
    for page in (writer, checker):
        page.context.close()
    until(lambda: not ConsoleConnection.objects.exists(), what="the consoles' sockets to close")
