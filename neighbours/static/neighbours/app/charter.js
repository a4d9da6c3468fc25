/* The charter screen: the version in force (GET /api/v1/referents/me/), and « J'accepte »
 * (POST /api/v1/referents/me/charter/ with that version). Shown before anything else while the API says
 * `must_accept_charter`. */
(function () {
  "use strict";
  var app = window.vigieApp;
  var gettext = app.gettext;
  var text = document.getElementById("charte");
  var form = document.getElementById("accepter-charte");
  var intro = document.getElementById("charte-intro");
  var version = null;

  function show(profile) {
    text.textContent = "";
    if (!profile || !profile.charter) {
      text.textContent = gettext("Aucune charte n'est publiée pour le moment.");
      return;
    }
    if (!profile.must_accept_charter) { location.replace(app.next()); return; }
    version = profile.charter.version;
    intro.textContent = app.interpolate(
      gettext("Version %(version)s de la charte du référent : lisez-la, puis acceptez-la pour continuer."),
      { version: version }, true
    );
    intro.hidden = false;
    profile.charter.text.split(/\n\s*\n/).forEach(function (paragraph) {
      var p = document.createElement("p");
      p.textContent = paragraph.trim();
      text.appendChild(p);
    });
    form.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    app.api("POST", "/api/v1/referents/me/charter/", { version: version }).then(function () {
      location.assign(app.next());
    }, function (error) {
      app.showErrors(form, error);
      // A newer version came into force meanwhile: show it.
      if (error.status === 409) { app.me().then(show); }
    }).finally(function () { button.disabled = false; });
  });

  if (!app.signedIn()) { location.replace("/app/connexion/"); return; }
  app.me().then(show, function (error) { app.showErrors(form, error); });
}());
