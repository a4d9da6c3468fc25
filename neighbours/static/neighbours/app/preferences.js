/* « Préférences »: the channels and quiet hours (GET/PATCH /api/v1/me/preferences/), and notifications on
   this phone (push.js). The API says which kinds cannot be turned off (push_locked) and refuses it anyway. */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var app = window.vigieApp;
  var push = window.vigiePush;
  var form = document.getElementById("preferences");
  var channels = document.getElementById("canaux");
  var saved = document.getElementById("preferences-etat");
  var pushState = document.getElementById("push-etat");
  var enable = document.getElementById("push-activer");
  var disable = document.getElementById("push-desactiver");
  var publicKey = "";

  function fill(preferences) {
    channels.querySelectorAll(".app-choice").forEach(function (node) { node.remove(); });
    Object.keys(preferences.push_kinds).forEach(function (kind) {
      var wrapper = document.createElement("p");
      wrapper.className = "app-choice";
      wrapper.dataset.field = "push." + kind;
      var box = document.createElement("input");
      box.type = "checkbox";
      box.id = "push-" + kind;
      box.name = "push";
      box.value = kind;
      box.checked = Boolean(preferences.push[kind]);
      var label = document.createElement("label");
      label.htmlFor = box.id;
      label.textContent = preferences.push_kinds[kind];
      wrapper.append(box, label);
      if (preferences.push_locked.indexOf(kind) !== -1) {
        box.disabled = true;
        var hint = document.createElement("span");
        hint.className = "app-hint";
        hint.textContent = " " + gettext("(toujours reçues par un référent actif)");
        label.append(hint);
      }
      channels.append(wrapper);
    });
    form.elements.quiet_hours_start.value = preferences.quiet_hours_start || "";
    form.elements.quiet_hours_end.value = preferences.quiet_hours_end || "";
    form.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    app.clearErrors(form);
    saved.textContent = "";
    var choices = {};
    channels.querySelectorAll("input[type=checkbox]:not(:disabled)").forEach(function (box) {
      choices[box.value] = box.checked;
    });
    app.api("PATCH", "/api/v1/me/preferences/", {
      push: choices,
      quiet_hours_start: form.elements.quiet_hours_start.value || null,
      quiet_hours_end: form.elements.quiet_hours_end.value || null,
    }).then(function (preferences) {
      fill(preferences);
      saved.textContent = gettext("Préférences enregistrées.");
    }, function (error) { app.showErrors(form, error); });
  });

  function showPush(subscription) {
    pushState.textContent = subscription
      ? gettext("Ce téléphone reçoit les alertes.")
      : gettext("Ce téléphone ne reçoit pas les alertes en notification ; elles restent dans « Messages ».");
    enable.hidden = Boolean(subscription);
    disable.hidden = !subscription;
  }

  function unavailable(text) {
    pushState.textContent = text;
    enable.hidden = true;
    disable.hidden = true;
  }

  function checkPush() {
    if (!push.supported()) {
      unavailable(gettext("Ce navigateur ne reçoit pas les notifications. Sur iPhone, ajoutez Vigie à l'écran d'accueil (Safari, Partager, « Sur l'écran d'accueil ») et ouvrez-la depuis son icône."));
      return Promise.resolve();
    }
    return push.server().then(function (settings) {
      if (!settings.enabled) {
        unavailable(gettext("Notifications indisponibles sur ce serveur"));
        return null;
      }
      publicKey = settings.public_key;
      return push.current().then(showPush);
    }, function (error) { unavailable(error.detail); });
  }

  enable.addEventListener("click", function () {
    enable.disabled = true;
    push.subscribe(publicKey).then(function (permission) {
      if (permission !== "granted") {
        app.message(gettext("Notifications refusées : autorisez-les pour Vigie dans les réglages du téléphone, puis réessayez."));
      }
      return push.current().then(showPush);
    }).catch(function (error) {
      app.message(error.detail || gettext("L'abonnement aux notifications a échoué : réessayez."));
    }).finally(function () { enable.disabled = false; });
  });

  disable.addEventListener("click", function () {
    disable.disabled = true;
    push.unsubscribe().then(function () { showPush(null); }, function (error) {
      app.message(error.detail || gettext("Le désabonnement a échoué : réessayez."));
    }).finally(function () { disable.disabled = false; });
  });

  app.ready().then(function () {
    return Promise.all([app.api("GET", "/api/v1/me/preferences/").then(fill), checkPush()]);
  }).catch(function (error) { app.message(error.detail); });
}());
