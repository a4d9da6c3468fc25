/* Vigie — where an item happened, in the console's detail pane: the nearest address, the author's « lieu »
 * (the police read the moderated one), the coordinates with a copy button and their uncertainty, and two
 * map links (geo: for the device's map application, the web map of CONSOLE_WEB_MAP_URL).
 * console.js calls window.vigieConsole.renderLocation(observation) and inserts what it returns.
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (attrs[key] !== null && attrs[key] !== undefined) node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function copyButton(text, status) {
    var button = el("button", { type: "button", id: "copier-coordonnees", class: "secondary", text: gettext("Copier") });
    button.addEventListener("click", function () {
      var done = function () { status.textContent = gettext("Coordonnées copiées."); };
      var failed = function () { status.textContent = gettext("Copie impossible : sélectionnez les coordonnées."); };
      if (!navigator.clipboard) { failed(); return; }
      navigator.clipboard.writeText(text).then(done, failed);
    });
    return button;
  }

  function renderLocation(obs) {
    var section = el("section", { id: "detail-lieu", class: "lieu", "aria-labelledby": "titre-lieu" });
    section.appendChild(el("h3", { id: "titre-lieu", text: gettext("Localisation") }));
    var address = obs.address
      ? (obs.address_distance !== null && obs.address_distance !== undefined
        ? interpolate(gettext("%(address)s (à %(distance)s m)"), { address: obs.address, distance: obs.address_distance }, true)
        : obs.address)
      : gettext("Adresse inconnue");
    section.appendChild(el("p", { id: "detail-adresse", text: address }));
    if (obs.place) {
      section.appendChild(el("p", { id: "detail-lieu-texte", text: interpolate(gettext("Lieu : %(place)s"), { place: obs.place }, true) }));
    }
    if (obs.latitude === null || obs.latitude === undefined || obs.longitude === null || obs.longitude === undefined) {
      section.appendChild(el("p", { id: "detail-coordonnees", text: gettext("Pas de coordonnées.") }));
      return section;
    }
    var coordinates = obs.latitude.toFixed(6) + ", " + obs.longitude.toFixed(6);
    var status = el("span", { class: "copie", role: "status" });
    var line = el("p", { id: "detail-coordonnees" }, [el("span", { class: "coordonnees", text: coordinates })]);
    if (obs.accuracy !== null && obs.accuracy !== undefined) {
      line.appendChild(el("span", { id: "detail-precision", text: " " + interpolate(gettext("± %(metres)s m"), { metres: obs.accuracy }, true) }));
    }
    line.appendChild(document.createTextNode(" "));
    line.appendChild(copyButton(coordinates, status));
    line.appendChild(document.createTextNode(" "));
    line.appendChild(status);
    section.appendChild(line);
    var links = el("p", { class: "liens-carte" });
    if (obs.geo_uri) links.appendChild(el("a", { id: "lien-geo", href: obs.geo_uri, text: gettext("Ouvrir dans une carte") }));
    if (obs.map_url) {
      if (links.childNodes.length) links.appendChild(document.createTextNode(" · "));
      links.appendChild(el("a", { id: "lien-carte-web", href: obs.map_url, target: "_blank", rel: "noopener noreferrer", text: gettext("Carte web") }));
    }
    section.appendChild(links);
    return section;
  }

  if (window.vigieConsole) window.vigieConsole.renderLocation = renderLocation;
})();
