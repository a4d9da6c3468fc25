"""The console in headless Chromium against a real daphne (issue 5's acceptance).

Four staff pages at 1366×768, each signed in through /connexion/ with password + TOTP: two moderators, a
police municipale operator and a colleague of the same agency. An observation submitted through the API
appears on the moderator's page and is approved there with clicks; it appears on the operator's page
without a reload. The operator's socket is cut while more observations are approved, and comes back
with every event and none twice. Then every console action is done with the keyboard alone, each
resulting event asserted on another page. Screenshots go to test-artifacts/.
"""

import json
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from alerts import events as events_module
from alerts import services
from alerts.console.models import ConsoleConnection
from alerts.events import agency_group
from alerts.models import Dispatch, Event, Observation
from backend.accounts.models import User
from tests.alerts.console.helpers import Town, token_for, town
from tests.live import CHROMIUM, screenshot, start_daphne, until

pytestmark = pytest.mark.browser

PASSWORD = "motdepasse-solide-42"


def staff_login_ready(user: User) -> TOTPDevice:
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return TOTPDevice.objects.create(user=user, name="console", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return str(totp.token()).zfill(device.digits)


def open_console(browser: Any, base: str, user: User, device: TOTPDevice) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{base}/console/")
    assert "/connexion/" in page.url  # not signed in: the staff login
    page.get_by_label("Téléphone").fill(str(user.phone))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Code de l'application d'authentification").fill(totp_code(device))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/console/")
    page.wait_for_selector("#connexion[data-state=open]", timeout=15000)
    page.evaluate("window.__loadedOnce = true")  # gone if the page ever reloads
    return page


def submit(base: str, referent: User, *, description: str, in_progress: bool = True) -> Observation:
    payload = {
        "category": "cambriolage",
        "description": description,
        "occurred_at": (timezone.now() - timedelta(minutes=2)).isoformat(),
        "latitude": 43.415,
        "longitude": 5.31,
        "in_progress": in_progress,
    }
    request = urllib.request.Request(  # noqa: S310  (local daphne)
        f"{base}/api/v1/observations/",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token_for(referent)}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 201
        created = json.load(response)
    return Observation.objects.get(pk=created["id"])


def in_thread(function: Any, **kwargs: Any) -> Any:
    """Runs a service outside Playwright's event loop (its after-commit publish needs a loop of its own;
    it reaches nobody in this process: the consoles on daphne must get the event from the replay)."""

    def run() -> Any:
        try:
            return function(**kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def item(page: Any, reference: str) -> Any:
    return page.locator(f'#liste li[data-reference="{reference}"]')


def wait_event(page: Any, type_: str, predicate: str = "true", timeout: float = 15000) -> dict[str, Any]:
    """Waits until the page's console received an event of this type matching `predicate` (JS on e)."""
    script = f"() => window.vigieConsole.log.find(e => e.type === {json.dumps(type_)} && ({predicate}))"
    page.wait_for_function(script, timeout=timeout)
    return dict(page.evaluate(script))


def tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Presses Tab (as a keyboard user does) until the focus is on `selector`."""
    for _ in range(limit):
        if page.evaluate(f"document.activeElement && document.activeElement.matches({json.dumps(selector)})"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def arrow_down_until(page: Any, done: Callable[[], bool], limit: int) -> None:
    """Presses ArrowDown (in a list or a select) until `done()` holds, `limit` presses at most."""
    for _ in range(limit):
        if done():
            return
        page.keyboard.press("ArrowDown")
    if not done():
        raise AssertionError(f"ArrowDown pressed {limit} times, the wanted choice never came")


def selected_reference(page: Any) -> str | None:
    return page.locator('#liste li[aria-selected="true"]').get_attribute("data-reference")


def select_value(page: Any, select_id: str) -> str:
    return str(page.evaluate(f"document.getElementById({json.dumps(select_id)}).value"))


def focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def select_first(page: Any, reference: str) -> None:
    """Keyboard: to the list, first item, check it is the expected one, open its detail."""
    page.keyboard.press("l")
    page.keyboard.press("Home")
    assert selected_reference(page) == reference
    page.keyboard.press("Enter")


def choose_and_send(page: Any, key: str, select_id: str, value: str, limit: int) -> None:
    """Keyboard: opens the action's form (`key`), picks `value` in its select (`limit` presses at most),
    sends the form."""
    page.keyboard.press(key)
    assert focused_id(page) == select_id
    arrow_down_until(page, lambda: select_value(page, select_id) == value, limit)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")


def test_console_end_to_end(
    transactional_db: Any, daphne_server: Any, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CHROMIUM
    base = daphne_server.url
    place: Town = town()
    second_moderator = User.objects.create_user(
        "+33699000001", role="moderator", commune=place.commune, display_name="Modératrice Bis"
    )
    colleague = User.objects.create_user(
        "+33699000002", role="operator", commune=place.commune, display_name="Brigadière Collègue"
    )
    place.pm.members.add(colleague)
    User.objects.filter(pk=place.moderator.pk).update(display_name="Modérateur Principal")
    User.objects.filter(pk=place.pm_operator.pk).update(display_name="Brigadier Opérateur")
    for user in (place.moderator, place.pm_operator):
        user.refresh_from_db()
    devices = {
        user.pk: staff_login_ready(user)
        for user in (place.moderator, second_moderator, place.pm_operator, colleague)
    }

    moderator = open_console(browser, base, place.moderator, devices[place.moderator.pk])
    watcher = open_console(browser, base, second_moderator, devices[second_moderator.pk])
    operator = open_console(browser, base, place.pm_operator, devices[place.pm_operator.pk])
    mate = open_console(browser, base, colleague, devices[colleague.pk])

    # 1. Submitted through the API → on the moderator's page; approved there with clicks.
    first = submit(base, place.referent, description="Deux individus escaladent le portail du n°12.")
    item(moderator, first.reference).wait_for(timeout=15000)
    assert "en-cours" in (item(moderator, first.reference).get_attribute("class") or "")
    assert moderator.locator("#liste li").first.get_attribute("data-reference") == first.reference
    moderator.wait_for_selector("#carte path.secteur")
    assert moderator.locator("#carte .point").count() >= 1
    screenshot(moderator, "console-moderator-new-item")

    item(moderator, first.reference).click()
    moderator.get_by_role("button", name="Prendre en charge (c)").click()
    wait_event(watcher, "observation.claimed", f"e.data.id === {first.pk}")
    moderator.get_by_label("Texte transmis à la police (caviardé)").fill(
        "Deux individus escaladent un portail."
    )
    moderator.get_by_role("checkbox", name="Police municipale").check()
    moderator.get_by_role("button", name="Valider et transmettre (v)").click()
    item(operator, first.reference).wait_for(timeout=15000)
    assert operator.evaluate("window.__loadedOnce") is True  # no reload
    # The visual signal of a new item in progress, and the announcement for screen readers.
    assert "nouveau" in (item(operator, first.reference).get_attribute("class") or "")
    assert "en-cours" in (item(operator, first.reference).get_attribute("class") or "")
    operator.wait_for_function(
        f"() => document.getElementById('annonces').textContent.includes('{first.reference}')"
    )
    item(operator, first.reference).click()
    operator.wait_for_selector("#detail-texte")
    assert operator.locator("#detail-texte").inner_text() == "Deux individus escaladent un portail."
    operator.wait_for_selector("#detail-historique li")
    screenshot(operator, "console-operator-dispatch")

    # 2. The operator's socket is cut; two more approvals happen meanwhile; nothing is lost.
    newest_before = operator.evaluate("window.vigieConsole.lastEventId")
    operator.context.set_offline(True)
    operator.evaluate("window.vigieConsole.socket && window.vigieConsole.socket.close()")
    operator.wait_for_selector("#connexion[data-state=retry]")
    screenshot(operator, "console-operator-offline")
    missed = []
    # Never published (the channel layer is best-effort; with REDIS_URL this process shares daphne's):
    # the operator's page can only get these through the replay when its socket comes back.
    monkeypatch.setattr(events_module, "publish", lambda payload, groups, **kwargs: None)
    for text in ("Un homme fracture une fenêtre.", "Alarme et lumière dans une villa vide."):
        observation = submit(base, place.referent, description=text)
        in_thread(
            services.observation_approve,
            observation=observation,
            actor=place.moderator,
            agencies=[place.pm.pk],
        )
        missed.append(observation)
    monkeypatch.undo()
    operator.context.set_offline(False)
    operator.wait_for_selector("#connexion[data-state=open]", timeout=30000)
    for observation in missed:
        item(operator, observation.reference).wait_for(timeout=15000)
    assert operator.evaluate("window.__loadedOnce") is True
    expected = set(
        Event.objects.filter(pk__gt=newest_before, targets__group=agency_group(place.pm.pk)).values_list(
            "id", flat=True
        )
    )
    operator.wait_for_function(  # nothing lost
        "ids => ids.every(id => window.vigieConsole.log.some(e => e.id === id))", arg=sorted(expected)
    )
    received = [entry["id"] for entry in operator.evaluate("window.vigieConsole.log")]
    assert len(received) == len(set(received))  # nothing twice
    screenshot(operator, "console-operator-reconnected")

    # 3. Keyboard alone, at 1366×768: moderation actions, each seen on another page.
    kb = submit(base, place.referent, description="Trois personnes forcent la porte du garage du 8.")
    item(moderator, kb.reference).wait_for(timeout=15000)
    moderator.bring_to_front()
    select_first(moderator, kb.reference)
    assert focused_id(moderator) == "action-claim"
    moderator.keyboard.press("c")
    claimed = wait_event(watcher, "observation.claimed", f"e.data.id === {kb.pk}")
    assert claimed["data"]["claimed_by"]["id"] == place.moderator.pk
    moderator.keyboard.press("v")
    assert focused_id(moderator) == "approve-category"
    moderator.keyboard.press("Tab")
    assert focused_id(moderator) == "approve-text"
    moderator.keyboard.press("Control+A")
    moderator.keyboard.type("Trois personnes forcent une porte de garage.")
    tab_to(moderator, f'input[name=agencies][value="{place.pm.pk}"]')
    moderator.keyboard.press("Space")
    tab_to(moderator, "#form-approve button[type=submit]")
    moderator.keyboard.press("Enter")
    created = wait_event(operator, "dispatch.created", f"e.data.observation.id === {kb.pk}")
    assert created["data"]["observation"]["description"] == "Trois personnes forcent une porte de garage."
    wait_event(watcher, "observation.approved", f"e.data.id === {kb.pk}")
    screenshot(moderator, "console-keyboard-approved")

    refused = submit(base, place.referent, description="Mon voisin fait du bruit.", in_progress=False)
    item(moderator, refused.reference).wait_for(timeout=15000)
    moderator.keyboard.press("Escape")
    moderator.keyboard.press("l")
    arrow_down_until(moderator, lambda: selected_reference(moderator) == refused.reference, 40)
    moderator.keyboard.press("Enter")
    moderator.keyboard.press("x")
    assert focused_id(moderator) == "reject-reason"
    tab_to(moderator, "#reject-note")
    moderator.keyboard.type("Relève d'un litige de voisinage.")
    moderator.keyboard.press("Enter")
    rejected = wait_event(watcher, "observation.rejected", f"e.data.id === {refused.pk}")
    assert rejected["data"]["status"] == "rejected"

    duplicate = submit(base, place.referent, description="Même fait : la porte du garage du 8.")
    item(moderator, duplicate.reference).wait_for(timeout=15000)
    select_first(moderator, duplicate.reference)
    choose_and_send(moderator, "m", "merge-into", str(kb.pk), 20)
    merged = wait_event(watcher, "observation.merged", f"e.data.id === {duplicate.pk}")
    assert merged["data"]["into"]["id"] == kb.pk

    moderator.keyboard.press("u")
    assert moderator.locator("#panneau-urgence").is_visible()
    moderator.keyboard.press("Space")  # the first category
    tab_to(moderator, "#urgence-demandeur")
    moderator.keyboard.type("Monique Slissa")  # the mayor, first in the list of qualities
    tab_to(moderator, "#urgence-motif")
    moderator.keyboard.type("Série de cambriolages en cours.")
    tab_to(moderator, "#urgence-activer")
    moderator.keyboard.press("Enter")
    wait_event(operator, "emergency_mode.changed", "e.data.active === true")
    operator.wait_for_selector("#urgence:not([hidden])")
    assert "Série de cambriolages" in operator.locator("#urgence").inner_text()
    screenshot(operator, "console-emergency-banner")

    # Keyboard alone: the operator's actions, each seen on the colleague's page (or the moderators').
    operator.bring_to_front()
    operator.keyboard.press("Escape")
    select_first(operator, kb.reference)
    dispatch = Dispatch.objects.get(observation=kb, agency=place.pm)
    assert focused_id(operator) == "action-acknowledge"
    operator.keyboard.press("a")
    acknowledged = wait_event(mate, "dispatch.acknowledged", f"e.data.id === {dispatch.pk}")
    assert acknowledged["data"]["assignee"]["id"] == place.pm_operator.pk  # acknowledging takes it on
    choose_and_send(operator, "g", "assign-to", str(colleague.pk), 5)
    assigned = wait_event(mate, "dispatch.assigned", f"e.data.id === {dispatch.pk}")
    assert assigned["data"]["assignee"]["id"] == colleague.pk
    operator.keyboard.press("n")
    assert focused_id(operator) == "note-text"
    operator.keyboard.type("Équipage sur place dans 5 minutes.")
    operator.keyboard.press("Tab")
    operator.keyboard.press("Enter")
    noted = wait_event(mate, "dispatch.noted", f"e.data.id === {dispatch.pk}")
    assert noted["data"]["note"]["text"] == "Équipage sur place dans 5 minutes."
    operator.keyboard.press("f")
    assert focused_id(operator) == "close-outcome"
    operator.keyboard.press("ArrowDown")  # the second outcome
    operator.keyboard.press("Tab")
    operator.keyboard.press("Enter")
    closed = wait_event(watcher, "dispatch.closed", f"e.data.id === {dispatch.pk}")
    assert closed["data"]["outcome"] == Dispatch.Outcome.values[1]
    wait_event(mate, "dispatch.closed", f"e.data.id === {dispatch.pk}")
    screenshot(operator, "console-keyboard-closed")

    # Hand over the first observation's dispatch to the police nationale: the moderators see it.
    handed = Dispatch.objects.get(observation=first, agency=place.pm)
    operator.keyboard.press("l")
    arrow_down_until(operator, lambda: selected_reference(operator) == first.reference, 40)
    operator.keyboard.press("Enter")
    operator.keyboard.press("t")
    assert focused_id(operator) == "handover-agency"
    operator.keyboard.press("Tab")
    operator.keyboard.type("Relève de la police nationale (enquête en cours).")
    operator.keyboard.press("Enter")
    handover = wait_event(watcher, "dispatch.handed_over", f"e.data.id === {handed.pk}")
    assert handover["data"]["to_agency"]["id"] == place.pn.pk

    # Keyboard: a broadcast from the console, through alerts.broadcasts' service.
    operator.keyboard.press("Escape")
    operator.keyboard.press("b")
    assert focused_id(operator) == "diffusion-nature"
    operator.keyboard.press("Tab")
    operator.keyboard.type("Cambriolages dans le secteur Nord")
    operator.keyboard.press("Tab")
    operator.keyboard.type("Fermez portes et fenêtres, signalez tout comportement suspect au 17.")
    tab_to(operator, "#form-diffusion button[type=submit]")
    operator.keyboard.press("Enter")
    operator.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'diffusion-confirmer'"
    )
    operator.keyboard.press("Enter")  # the confirmation naming the counts
    sent = wait_event(mate, "broadcast.sent", "true")
    assert sent["data"]["title"] == "Cambriolages dans le secteur Nord"
    assert "Diffusion" in operator.locator("#retour").inner_text()
    for page in (moderator, watcher, operator, mate):
        assert page.evaluate("window.__loadedOnce") is True
        received = [entry["id"] for entry in page.evaluate("window.vigieConsole.log")]
        assert len(received) == len(set(received))  # nothing twice on any page
        assert page.evaluate("window.vigieConsole.resyncs") == 0
    screenshot(mate, "console-colleague-final")
    screenshot(moderator, "console-moderator-final")
    for page in (moderator, watcher, operator, mate):
        page.context.close()
    # A closing socket writes its read log and presence: done before the test's data is flushed.
    until(lambda: not ConsoleConnection.objects.exists(), what="the consoles' sockets to close")


def test_a_page_that_missed_live_events_catches_up_on_the_heartbeat(
    transactional_db: Any, browser: Any, live_tmp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layer is best-effort: events written but never published reach the page through the
    heartbeat's newest id and the replay it asks for, without a reconnection."""
    server = start_daphne(live_tmp, {"CONSOLE_HEARTBEAT_SECONDS": "1"})
    try:
        place = town()
        device = staff_login_ready(place.moderator)
        page = open_console(browser, server.url, place.moderator, device)
        page.evaluate(
            "() => { window.__hellos = 0; const ws = window.vigieConsole.socket;"
            " ws.addEventListener('message', m => { if (JSON.parse(m.data).type === 'hello') window.__hellos++; }); }"
        )
        socket_before = page.evaluate("window.vigieConsole.socket.url")
        # Written, never published (with REDIS_URL this process shares daphne's layer: cut it off).
        monkeypatch.setattr(events_module, "publish", lambda payload, groups, **kwargs: None)
        observation = in_thread(
            submit_in_process, referent=place.referent, description="Un individu rôde autour des voitures."
        )
        item(page, observation.reference).wait_for(timeout=15000)
        assert page.evaluate("window.__loadedOnce") is True
        assert page.evaluate("window.vigieConsole.socket.url") == socket_before
        assert page.evaluate("window.__hellos") == 0  # the same socket: a replay, not a reconnection
        assert page.evaluate("window.vigieConsole.resyncs") == 0  # nor a reload of the state
        page.context.close()
    finally:
        server.stop()


def submit_in_process(*, referent: User, description: str) -> Observation:
    from tests.alerts import factories as f

    return f.observation(referent, description=description)
