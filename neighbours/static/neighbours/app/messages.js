/* « Messages »: the inbox of advice, alerts and follow-ups (GET /api/v1/inbox/), marked read on request.
   The last copy received is kept on the phone and shown, with the time it was received, when the network
   is gone (issue 18: the inbox readable offline). */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };
  var app = window.vigieApp;
  var copyStore = window.vigieInbox;
  var list = document.getElementById("messages");
  var empty = document.getElementById("messages-vide");
  var offline = document.getElementById("hors-ligne");
  var more = document.getElementById("messages-plus");
  var next = null; // the API's link to older messages
  var owner = null; // the referent's id, whose copy this page keeps and shows
  var KINDS = {
    prevention: gettext("Conseil de prévention"),
    burglary_alert: gettext("Alerte cambriolage"),
    shop_alert: gettext("Alerte commerces"),
  };

  function when(iso) {
    return new Date(iso).toLocaleString("fr-FR", {
      timeZone: "Europe/Paris", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit",
    });
  }

  function item(message) {
    var li = document.createElement("li");
    li.className = "app-item" + (message.read_at ? "" : " non-lu");
    li.dataset.id = message.id;
    var kind = document.createElement("p");
    kind.className = "app-kind";
    kind.textContent = KINDS[message.kind] || (message.data && message.data.reference ? gettext("Suivi de signalement") : gettext("Message"));
    var title = document.createElement("h2");
    title.textContent = message.title;
    var date = document.createElement("p");
    date.className = "app-date";
    date.textContent = when(message.created_at);
    var body = document.createElement("p");
    body.className = "app-body";
    body.textContent = message.body;
    li.append(kind, title, date, body);
    if (message.read_at) {
      var read = document.createElement("p");
      read.className = "app-read";
      read.textContent = gettext("Lu");
      li.append(read);
    } else {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = gettext("Marquer comme lu");
      button.setAttribute("aria-label", interpolate(gettext("Marquer comme lu : %(title)s"), { title: message.title }, true));
      button.addEventListener("click", function () { markRead(message, button); });
      li.append(button);
    }
    return li;
  }

  function show(messages, nextLink) {
    list.replaceChildren.apply(list, messages.map(item));
    empty.hidden = messages.length > 0;
    next = nextLink;
    more.hidden = !next;
  }

  more.addEventListener("click", function () {
    more.disabled = true;
    app.api("GET", app.nextPath(next)).then(function (page) {
      list.append.apply(list, page.results.map(item));
      next = page.next;
      more.hidden = !next;
    }, function (error) { app.message(error.detail); }).finally(function () { more.disabled = false; });
  });

  function markRead(message, button) {
    button.disabled = true;
    app.api("POST", "/api/v1/inbox/" + message.id + "/read/").then(function (updated) {
      var copy = copyStore.load(owner);
      if (copy) {
        copy.items = copy.items.map(function (old) { return old.id === updated.id ? updated : old; });
        copyStore.keep(owner, copy.items, copy.saved_at);
      }
      list.querySelector('[data-id="' + message.id + '"]').replaceWith(item(updated));
    }).catch(function (error) {
      button.disabled = false;
      app.message(error.detail);
    });
  }

  function showCopy() {
    var copy = copyStore.load(owner);
    if (!copy) {
      app.message(gettext("Hors ligne, et aucun message n'a encore été reçu sur ce téléphone."));
      return;
    }
    var time = new Date(copy.saved_at).toLocaleTimeString("fr-FR", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit" });
    offline.textContent = interpolate(gettext("Hors ligne — dernière mise à jour à %(time)s"), { time: time }, true);
    offline.hidden = false;
    show(copy.items, null);
  }

  function load() {
    return app.api("GET", "/api/v1/inbox/").then(function (page) {
      offline.hidden = true;
      app.message("");
      copyStore.keep(owner, page.results, new Date().toISOString());
      show(page.results, page.next);
    }, function (error) {
      if (error.offline) showCopy();
      else app.message(error.detail);
    });
  }

  // Offline, ready() gives the profile last read on this phone (app.js): whose copy to show.
  app.ready().then(function (profile) {
    owner = profile ? profile.id : null;
    window.addEventListener("online", load);
    return load();
  }).catch(function (error) { app.message(error.detail); });
})();
