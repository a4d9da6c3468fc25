/* « Protocole »: the commune's « Participation Citoyenne » protocol and who signed it, from the referent's
   profile (GET /api/v1/referents/me/); the emergency numbers are in the page itself. */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };
  var app = window.vigieApp;

  function day(iso) {
    return new Date(iso + "T12:00:00").toLocaleDateString("fr-FR", { timeZone: "Europe/Paris", day: "numeric", month: "long", year: "numeric" });
  }

  function set(id, text) {
    document.getElementById(id).textContent = text;
  }

  app.ready().then(function (profile) {
    if (!profile) {
      app.message(gettext("Pas de réseau : réessayez quand la connexion sera revenue."));
      return;
    }
    var protocol = profile.protocol;
    if (!protocol) {
      document.getElementById("protocole-absent").hidden = false;
      return;
    }
    set("protocole-commune", profile.commune.name);
    set("protocole-secteur", profile.sector ? profile.sector.name : gettext("aucun"));
    set("protocole-signe", day(protocol.signed_on));
    set("protocole-periode", interpolate(gettext("du %(start)s au %(end)s"), { start: day(protocol.starts_on), end: day(protocol.ends_on) }, true));
    set("protocole-force", protocol.police_unit ? protocol.police_force_label + " — " + protocol.police_unit : protocol.police_force_label);
    document.getElementById("protocole-hors-vigueur").hidden = protocol.in_force;
    document.getElementById("protocole").hidden = false;
  }).catch(function (error) { app.message(error.detail); });
}());
