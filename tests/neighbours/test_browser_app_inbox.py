"""The referents' web app's follow-up screens in headless Chromium at 390×844 (issue 18's acceptance:
reading the inbox, and the inbox readable offline).

The referent is signed in by putting the tokens the API issues into localStorage (the sign-in screen has
its own test). A burglary alert sent to their sector is in « Messages », marked read there; offline
(the browser context's offline mode), a reload shows the last copy with the offline notice. « Mes
signalements » shows a report with its status in words and takes a precision; « Préférences » saves the
channels and quiet hours; « Se déconnecter » ends the session and forgets the offline copy. Then push on
this phone: turned on and off from « Préférences », and the service worker showing what a push brings.
"""

import base64
import json
import re
import urllib.request
from datetime import time
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from alerts.models import Notification, Observation, ObservationAddition
from alerts.services import categories_seed_defaults
from alerts.services.notifications import author_tell
from backend.accounts.models import Role
from neighbours.models import Preferences
from tests import factories
from tests.live import screenshot, token_for, until
from tests.neighbours import factories as nf

pytestmark = pytest.mark.browser

ALERT = {
    "kind": "burglary_alert",
    "title": "Alerte cambriolage – Nord",
    "body": "Cambriolages signalés secteur Nord cet après-midi. Fermez portes et fenêtres.",
    "sectors": ["nord"],
    "include_adjacent": False,
    "audiences": ["referents"],
    "channels": ["push"],
}

# Reports waiting for the network, as report.js keeps them (IndexedDB "vigie-signalements", store "envois",
# each tagged with its author's referent id).
KEEP_WAITING_REPORTS = """(owners) => new Promise((resolve, reject) => {
  const request = indexedDB.open("vigie-signalements", 1);
  request.onupgradeneeded = () => request.result.createObjectStore("envois", { keyPath: "key" });
  request.onsuccess = () => {
    const tx = request.result.transaction("envois", "readwrite");
    owners.forEach((owner) => tx.objectStore("envois").put({ key: "k" + owner, owner, fields: {}, photos: [] }));
    tx.oncomplete = () => { request.result.close(); resolve(); };
    tx.onerror = () => reject(tx.error);
  };
})"""
SWAP_PROFILE_ID = """(shift) => {
  const me = JSON.parse(localStorage.getItem("vigie.me"));
  me.id += shift;
  localStorage.setItem("vigie.me", JSON.stringify(me));
}"""
WAITING_OWNERS = """() => new Promise((resolve) => {
  const request = indexedDB.open("vigie-signalements", 1);
  request.onsuccess = () => {
    const all = request.result.transaction("envois").objectStore("envois").getAll();
    all.onsuccess = () => { request.result.close(); resolve(all.result.map((row) => row.owner)); };
  };
})"""


def controlled(page: Any) -> bool:
    # page.evaluate, not wait_for_function: its polling evaluates a string, which the app's CSP forbids.
    return bool(page.evaluate("navigator.serviceWorker.controller !== null"))


def post(base: str, user: Any, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(  # noqa: S310  (local daphne)
        f"{base}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token_for(user)}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 201
        return json.load(response)


def signed_in_page(browser: Any, base: str, user: Any) -> tuple[Any, Any]:
    """A phone-sized page whose localStorage holds the referent's tokens, as the sign-in screen leaves it."""
    refresh = RefreshToken.for_user(user)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True)
    page = context.new_page()
    page.goto(f"{base}/app/connexion/")
    page.evaluate(
        "([access, refresh]) => { localStorage.setItem('vigie.access', access);"
        " localStorage.setItem('vigie.refresh', refresh); }",
        [str(refresh.access_token), str(refresh)],
    )
    return context, page


def test_a_referent_reads_their_inbox_online_and_offline_and_follows_their_report(
    transactional_db: Any, daphne_server: Any, browser: Any, commune: Any
) -> None:
    categories_seed_defaults()  # a transactional test before this one flushed the migration's rows
    nf.ready_commune(commune)
    referent = nf.referent(commune, sector_slug="nord").user
    moderator = factories.user(role=Role.MODERATOR, commune=commune)
    base = daphne_server.url
    # Through daphne, as the console and a phone would (the services' after-commit publish needs an event
    # loop of its own, and Playwright's runs in this thread).
    broadcast = post(base, moderator, "/api/v1/broadcasts/", ALERT)
    notification = Notification.objects.get(user=referent)
    assert notification.title == broadcast["title"]
    created = post(
        base,
        referent,
        "/api/v1/observations/",
        {
            "category": "cambriolage",
            "description": "Deux individus essaient les poignées des portails, chemin des Amandiers.",
            "occurred_at": timezone.now().isoformat(),
            "sector": "nord",
        },
    )
    report = Observation.objects.get(pk=created["id"])
    # What the author is told when the report goes to the police (the service dispatching calls this).
    author_tell(
        report,
        kind="alerts.observation.dispatched",
        body=f"Votre signalement {report.reference} a été transmis.",
    )

    context, page = signed_in_page(browser, base, referent)
    try:
        # « Messages »: the alert, unread, marked read with a tap.
        page.goto(f"{base}/app/messages/")
        item = page.locator("#messages > li", has_text=ALERT["title"])
        item.wait_for()
        assert "Alerte cambriolage" in item.locator(".app-kind").inner_text()
        assert ALERT["body"] in item.inner_text()
        assert "non-lu" in (item.get_attribute("class") or "")
        follow_up = page.locator("#messages > li", has_text="a été transmis")
        assert follow_up.locator(".app-kind").inner_text() == "Suivi de signalement"
        screenshot(page, "app-messages")
        item.get_by_role("button", name="Marquer comme lu").click()
        item.get_by_text("Lu", exact=True).wait_for()
        notification.refresh_from_db()
        assert notification.read_at is not None

        # The service worker controls the page before the network goes (it keeps the shell).
        until(lambda: controlled(page), what="the service worker controlling the page")
        context.set_offline(True)
        page.reload()
        notice = page.locator("#hors-ligne")
        notice.wait_for()
        assert re.fullmatch(r"Hors ligne — dernière mise à jour à \d\d:\d\d", notice.inner_text())
        kept = page.locator("#messages > li", has_text=ALERT["title"])
        assert kept.get_by_text("Lu", exact=True).is_visible()
        screenshot(page, "app-messages-offline")
        # Another referent on the same phone (the profile app.js keeps names them) is never shown this copy.
        page.evaluate(SWAP_PROFILE_ID, 1000)
        page.reload()
        page.get_by_text("Hors ligne, et aucun message n'a encore été reçu sur ce téléphone.").wait_for()
        assert page.locator("#messages > li").count() == 0
        page.evaluate(SWAP_PROFILE_ID, -1000)
        page.reload()
        kept.wait_for()
        # The network comes back: the page reloads the inbox by itself.
        context.set_offline(False)
        notice.wait_for(state="hidden")

        # « Mes signalements »: the report, its status in words, a precision added.
        page.goto(f"{base}/app/signalements/")
        mine = page.locator("#signalements > li", has_text=report.reference)
        mine.wait_for()
        assert mine.locator(".app-status").inner_text() == "en attente de modération"
        assert (
            f"Votre signalement {report.reference} a été transmis."
            in mine.locator(".app-follow").inner_text()
        )
        # The alert of the sector is not a follow-up of this report.
        assert ALERT["title"] not in mine.inner_text()
        mine.get_by_label("Ajouter une précision").fill("Ils sont repartis vers le rond-point en scooter.")
        mine.get_by_role("button", name="Envoyer la précision").click()
        page.get_by_text("Précision envoyée").wait_for()
        assert ObservationAddition.objects.get(observation=report).text.startswith("Ils sont repartis")
        screenshot(page, "app-reports-mine")

        # « Préférences »: advice turned off and quiet hours; burglary alerts cannot be turned off.
        page.goto(f"{base}/app/preferences/")
        page.get_by_label("conseils de prévention").wait_for()
        assert page.get_by_label("alertes cambriolage").is_disabled()
        page.get_by_label("conseils de prévention").uncheck()
        page.get_by_label("De", exact=True).fill("22:00")
        page.get_by_label("à", exact=True).fill("07:00")
        page.get_by_role("button", name="Enregistrer").click()
        page.get_by_text("Préférences enregistrées.").wait_for()
        preferences = Preferences.objects.get(user=referent)
        assert preferences.push_opt_outs == ["prevention"]
        assert (preferences.quiet_hours_start, preferences.quiet_hours_end) == (time(22, 0), time(7, 0))
        # No VAPID keys on this server: the button is not offered.
        until(lambda: page.locator("#push-etat").inner_text() != "Vérification…", what="the push state")
        assert page.locator("#push-etat").inner_text() == "Notifications indisponibles sur ce serveur"
        assert page.get_by_role("button", name="Recevoir les alertes sur ce téléphone").is_hidden()
        screenshot(page, "app-preferences")

        # « Protocole »: the protocol in force and its signatory.
        page.goto(f"{base}/app/protocole/")
        page.locator("#protocole").wait_for()
        assert page.locator("#protocole-commune").inner_text() == commune.name

        # « Se déconnecter »: a report written offline waits in report.js's store: said, and discarded only
        # by confirming; the session ends and the phone forgets the tokens and the messages.
        # Another referent's report on the same phone is theirs: neither counted nor discarded.
        page.evaluate(KEEP_WAITING_REPORTS, [referent.referent.pk, referent.referent.pk + 1000])
        page.goto(f"{base}/app/deconnexion/")
        warning = page.locator("#en-attente")
        warning.wait_for()
        assert warning.inner_text().startswith("1 signalement écrit hors ligne n'est pas encore parti")
        screenshot(page, "app-signout")
        page.get_by_role("button", name="Se déconnecter et effacer ces signalements").click()
        page.wait_for_url(f"{base}/app/connexion/")
        stored = page.evaluate(
            "['vigie.access', 'vigie.refresh', 'vigie.inbox'].map((k) => localStorage.getItem(k))"
        )
        assert stored == [None, None, None]
        assert page.evaluate(WAITING_OWNERS) == [referent.referent.pk + 1000]
        assert BlacklistedToken.objects.filter(token__user=referent).exists()
    finally:
        context.close()


# The browser's push service is out of reach of a test (Chromium would ask Google's): the page's
# PushManager is replaced by one that records what the app asks and returns a subscription.
FAKE_PUSH_MANAGER = """(() => {
  let current = null;
  window.pushCalls = [];
  PushManager.prototype.getSubscription = function () { return Promise.resolve(current); };
  PushManager.prototype.subscribe = function (options) {
    window.pushCalls.push({
      userVisibleOnly: options.userVisibleOnly,
      key: Array.from(new Uint8Array(options.applicationServerKey)),
    });
    current = {
      endpoint: "https://push.example.net/wp/abc/def?x=1",
      toJSON() { return { endpoint: this.endpoint, expirationTime: null, keys: { p256dh: "BKey", auth: "secret" } }; },
      unsubscribe() { current = null; window.pushCalls.push("unsubscribe"); return Promise.resolve(true); },
    };
    return Promise.resolve(current);
  };
})();"""
PUBLIC_KEY = bytes(range(1, 66))  # the 65 bytes of an uncompressed P-256 point, as the server would send


def test_a_referent_turns_alerts_on_and_off_on_this_phone(
    transactional_db: Any, daphne_server: Any, browser: Any, commune: Any
) -> None:
    """« Recevoir les alertes sur ce téléphone »: the notification permission, a subscription with the
    server's key, registered as a web device; « Ne plus recevoir »: unregistered by its endpoint and dropped.
    The server's side (GET /api/v1/push/web/, the web devices) is answered by the test here."""
    nf.ready_commune(commune)
    referent = nf.referent(commune).user
    base = daphne_server.url
    context, page = signed_in_page(browser, base, referent)
    context.grant_permissions(["notifications"], origin=base)
    context.add_init_script(FAKE_PUSH_MANAGER)
    requests: list[tuple[str, str, Any]] = []

    def push_config(route: Any) -> None:
        key = base64.urlsafe_b64encode(PUBLIC_KEY).decode().rstrip("=")
        route.fulfill(json={"enabled": True, "public_key": key})

    def devices(route: Any) -> None:
        request = route.request
        requests.append((request.method, request.url.removeprefix(base), request.post_data_json))
        route.fulfill(
            status=201 if request.method == "POST" else 204, json={} if request.method == "POST" else None
        )

    page.route(f"{base}/api/v1/push/web/", push_config)
    page.route(re.compile(re.escape(base) + r"/api/v1/devices/.*"), devices)
    try:
        page.goto(f"{base}/app/preferences/")
        enable = page.get_by_role("button", name="Recevoir les alertes sur ce téléphone")
        enable.click()
        page.get_by_text("Ce téléphone reçoit les alertes.").wait_for()
        assert page.evaluate("window.pushCalls") == [{"userVisibleOnly": True, "key": list(PUBLIC_KEY)}]
        endpoint = "https://push.example.net/wp/abc/def?x=1"
        subscription = {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": "BKey", "auth": "secret"},
        }
        assert requests == [("POST", "/api/v1/devices/", {"platform": "web", "subscription": subscription})]
        screenshot(page, "app-push-on")

        page.get_by_role("button", name="Ne plus recevoir").click()
        enable.wait_for()
        assert requests[1] == ("DELETE", f"/api/v1/devices/{quote(endpoint, safe='')}/", None)
        assert page.evaluate("window.pushCalls")[-1] == "unsubscribe"
    finally:
        context.close()


def test_the_service_worker_shows_a_pushed_alert_until_touched_and_advice_without_insisting(
    transactional_db: Any, daphne_server: Any, browser: Any
) -> None:
    """sw-push.js receives the payload the server's webpush channel sends (delivered here through the
    DevTools protocol, as a push service would) and shows it; a high priority stays until touched."""
    base = daphne_server.url
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True)
    context.grant_permissions(["notifications"], origin=base)
    page = context.new_page()
    try:
        page.goto(f"{base}/app/connexion/")
        until(lambda: controlled(page), what="the service worker controlling the page")
        cdp = context.new_cdp_session(page)
        registrations: list[dict[str, Any]] = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(event["registrations"]),
        )
        cdp.send("ServiceWorker.enable")
        # Playwright hands over CDP events only while it is called: wait through it.
        until(lambda: page.wait_for_timeout(50) or bool(registrations), what="the worker's registration")
        pushes = [
            {
                "title": "Alerte cambriolage – Nord",
                "body": "Fermez portes et fenêtres.",
                "kind": "burglary_alert",
                "priority": "high",
                "data": {"notification_id": 7},
                "url": "/app/",
            },
            {
                "title": "Conseil",
                "body": "Verrouillez votre voiture.",
                "kind": "prevention",
                "priority": "normal",
                "data": {"notification_id": 8},
                "url": "/app/",
            },
        ]
        shown = (
            "navigator.serviceWorker.ready.then((r) => r.getNotifications())"
            ".then((all) => all.map((n) => [n.title, n.body, n.tag, n.requireInteraction]))"
        )

        def delivered() -> bool:
            # Chromium may drop a push delivered while the registration is still settling: deliver again
            # until both show (their tags make a repeat replace a notification, never add one).
            live = [r for r in registrations if not r.get("isDeleted")]
            for push in pushes:
                cdp.send(
                    "ServiceWorker.deliverPushMessage",
                    {"origin": base, "registrationId": live[-1]["registrationId"], "data": json.dumps(push)},
                )
            page.wait_for_timeout(300)
            return len(page.evaluate(shown)) == 2

        until(delivered, what="both notifications")
        assert sorted(page.evaluate(shown)) == [
            ["Alerte cambriolage – Nord", "Fermez portes et fenêtres.", "vigie-7", True],
            ["Conseil", "Verrouillez votre voiture.", "vigie-8", False],
        ]
    finally:
        context.close()


def test_older_messages_come_a_page_at_a_time(
    transactional_db: Any, daphne_server: Any, browser: Any, commune: Any
) -> None:
    nf.ready_commune(commune)
    referent = nf.referent(commune).user
    Notification.objects.bulk_create(
        Notification(user=referent, kind="prevention", title=f"Conseil n°{number}", body="Fermez à clé.")
        for number in range(1, 28)
    )
    base = daphne_server.url
    context, page = signed_in_page(browser, base, referent)
    try:
        page.goto(f"{base}/app/messages/")
        items = page.locator("#messages > li")
        items.first.wait_for()
        assert items.count() == 25  # the API's page
        assert "Conseil n°27" in items.first.inner_text()
        older = page.get_by_role("button", name="Messages plus anciens")
        older.click()
        older.wait_for(state="hidden")  # no page after the second
        assert items.count() == 27
        assert "Conseil n°1" in items.last.inner_text()
    finally:
        context.close()
