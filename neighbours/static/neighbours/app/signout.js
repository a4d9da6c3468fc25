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

  /* How many reports wait; 0 when the phone has never kept one (the database is then not created). */
  function waiting() {
    return new Promise(function (resolve) {
      var request = indexedDB.open(OUTBOX);
      request.onupgradeneeded = function () { request.transaction.abort(); };
      request.onerror = function () { resolve(0); };
      request.onsuccess = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(OUTBOX_STORE)) { db.close(); resolve(0); return; }
        var counted = db.transaction(OUTBOX_STORE).objectStore(OUTBOX_STORE).count();
        counted.onsuccess = function () { db.close(); resolve(counted.result); };
        counted.onerror = function () { db.close(); resolve(0); };
      };
    });
  }

  function discard() {
    return new Promise(function (resolve) {
      var request = indexedDB.deleteDatabase(OUTBOX);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    });
  }

  if (!app.signedIn()) location.assign("/app/connexion/");

  waiting().then(function (count) {
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
    // Without network the subscription stays with the server until the push service reports it gone.
    window.vigiePush.unsubscribe().catch(function () {}).then(function () {
      window.vigieInbox.clear();
      return pending ? discard() : null;
    }).then(function () { return app.signOut(); });
  });
}());
