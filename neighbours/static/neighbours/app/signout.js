/* « Se déconnecter »: stops this phone's notifications, forgets the offline copy of the messages, ends the
   session on the server and forgets the tokens (vigieApp.signOut). Reports written offline and not sent yet
   are the referent's own: the page says how many and they are discarded only by confirming. */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (singular, plural, count) { return count === 1 ? singular : plural; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };
  var app = window.vigieApp;
  // The reports waiting for the network: report.js keeps them in this IndexedDB database and store.
  var OUTBOX = "vigie-signalements";
  var OUTBOX_STORE = "envois";
  var form = document.getElementById("deconnexion");
  var warning = document.getElementById("en-attente");
  var button = form.querySelector("button[type=submit]");
  var pending = 0;

  /* Runs `work(store)` on report.js's store, if the phone has one (opening never creates it). */
  function onOutbox(mode, work) {
    return new Promise(function (resolve) {
      var request = indexedDB.open(OUTBOX);
      request.onupgradeneeded = function () { request.transaction.abort(); };
      request.onerror = function () { resolve(null); };
      request.onsuccess = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(OUTBOX_STORE)) { db.close(); resolve(null); return; }
        var tx = db.transaction(OUTBOX_STORE, mode);
        var result = work(tx.objectStore(OUTBOX_STORE));
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); resolve(null); };
      };
    });
  }

  /* This referent's waiting reports (a phone shared by two referents keeps each one's own, by `owner`). */
  function mine(store, owner, each) {
    var cursor = store.openCursor();
    cursor.onsuccess = function () {
      if (!cursor.result) return;
      if (cursor.result.value.owner === owner) each(cursor.result);
      cursor.result.continue();
    };
  }

  function waiting(owner) {
    var found = { count: 0 };
    return onOutbox("readonly", function (store) {
      mine(store, owner, function () { found.count += 1; });
      return found;
    }).then(function () { return found.count; });
  }

  function discard(owner) {
    return onOutbox("readwrite", function (store) {
      mine(store, owner, function (cursor) { cursor.delete(); });
    });
  }

  if (!app.signedIn()) {
    location.assign("/app/connexion/");
    return;
  }
  // Whose reports to count: without the profile (server unreachable, never read), none is discarded.
  var referent = app.me().then(function (profile) { return profile ? profile.id : null; }, function () { return null; });

  referent.then(waiting).then(function (count) {
    pending = count;
    if (!count) return;
    warning.textContent = interpolate(ngettext(
      "%(count)s signalement écrit hors ligne n'est pas encore parti : il sera perdu si vous vous déconnectez maintenant. Attendez le retour du réseau pour qu'il soit envoyé.",
      "%(count)s signalements écrits hors ligne ne sont pas encore partis : ils seront perdus si vous vous déconnectez maintenant. Attendez le retour du réseau pour qu'ils soient envoyés.",
      count
    ), { count: count }, true);
    warning.hidden = false;
    button.textContent = gettext("Se déconnecter et effacer ces signalements");
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    window.vigiePush.unsubscribe().catch(function () {}).then(function () {
      window.vigieInbox.clear();
      return pending ? referent.then(discard) : null;
    }).then(function () { return app.signOut(); });
  });
}());
