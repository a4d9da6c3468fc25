/* Vigie — the console's search and filters (loaded after console.js, which it reaches through
 * window.vigieConsole.api).
 *
 * Every filter is in the page's query string (restored on load, kept up to date with
 * history.replaceState), so a view can be bookmarked, shared or reloaded. State, sector and category alone
 * filter the live list as before; a search text, dates, a channel, an agency, « Attribués à moi » or
 * « Urgents seulement » make the list show the server's results (GET /api/v1/console/observations/),
 * one page at a time (« Plus de résultats »).
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (singular, plural, count) { return count === 1 ? singular : plural; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };

  var vc = window.vigieConsole;
  if (!vc || !vc.api) return;
  var api = vc.api;
  var $ = function (id) { return document.getElementById(id); };
  var searchUrl = document.body.dataset.searchUrl;

  // Query-string name (the API's) → the control that holds it.
  var CONTROLS = {
    q: "filtre-q", from: "filtre-du", to: "filtre-au", status: "filtre-etat", sector: "filtre-secteur",
    category: "filtre-categorie", channel: "filtre-canal", agency: "filtre-service", assigned: "filtre-moi", urgent: "filtre-urgents",
  };
  var CHECKED = { assigned: "me", urgent: "1" };
  // These need the server: the live list only knows the last 24 hours.
  var SERVER = ["q", "from", "to", "channel", "agency", "assigned", "urgent"];
  var DEFAULT_STATUS = "open";
  var generation = 0;
  var typingTimer = null;

  function read() {
    var params = {};
    Object.keys(CONTROLS).forEach(function (name) {
      var control = $(CONTROLS[name]);
      if (!control) return;
      var value = control.type === "checkbox" ? (control.checked ? CHECKED[name] : "") : control.value.trim();
      if (value && !(name === "status" && value === DEFAULT_STATUS)) params[name] = value;
    });
    return params;
  }

  function write(params) {
    Object.keys(CONTROLS).forEach(function (name) {
      var control = $(CONTROLS[name]);
      if (!control) return;
      if (control.type === "checkbox") control.checked = params[name] === CHECKED[name];
      else if (name === "status") control.value = params.status || DEFAULT_STATUS;
      else control.value = params[name] || "";
    });
  }

  function queryString(params) {
    var query = new URLSearchParams();
    Object.keys(params).forEach(function (name) { query.set(name, params[name]); });
    return query.toString();
  }

  function fromUrl() {
    var query = new URLSearchParams(window.location.search);
    var params = {};
    Object.keys(CONTROLS).forEach(function (name) { if (query.get(name)) params[name] = query.get(name); });
    return params;
  }

  function searching(params) {
    return SERVER.some(function (name) { return !!params[name]; });
  }

  // A result becomes a console item (so that selecting it opens its detail as any other), marked as
  // found-only unless the live list already had it.
  function itemOf(row) {
    var key = row.kind === "dispatch" ? "d:" + row.dispatch.id : "o:" + row.observation.id;
    var known = vc.items.get(key);
    var foundOnly = !known || known.found;
    var item = row.kind === "dispatch" ? api.upsertDispatch(row.dispatch, false) : api.upsertObservation(row.observation, false);
    item.found = foundOnly;
    return item;
  }

  function showCount(count) {
    var node = $("resultats");
    node.hidden = count === null;
    node.textContent = count === null ? "" : interpolate(ngettext("%(count)s résultat", "%(count)s résultats", count), { count: count }, true);
  }

  function load(url, mine, fresh) {
    return api.getJson(url).then(function (page) {
      if (mine !== generation) return; // a newer search replaced this one
      var keys = page.results.map(function (row) { return itemOf(row).key; });
      vc.search = { keys: (fresh ? [] : vc.search.keys).concat(keys), next: page.next, count: page.count };
      $("plus-de-resultats").hidden = !page.next;
      $("liste-vide").textContent = gettext("Aucun résultat pour ces critères.");
      showCount(page.count);
      api.renderList();
    }).catch(function (error) {
      if (error && error.message !== "auth") api.feedback(interpolate(gettext("Recherche impossible (%(error)s)."), { error: error.message }, true), true);
    });
  }

  function run() {
    var params = read();
    var query = queryString(params);
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    generation += 1;
    if (!searching(params)) {
      vc.search = null;
      $("plus-de-resultats").hidden = true;
      $("liste-vide").textContent = gettext("Rien à traiter pour le moment.");
      showCount(null);
      api.renderList();
      return Promise.resolve();
    }
    var serverParams = Object.assign({}, params);
    if (!params.status) serverParams.status = DEFAULT_STATUS;
    if (params.status === "all") delete serverParams.status;
    return load(searchUrl + "?" + queryString(serverParams), generation, true);
  }

  function more() {
    if (vc.search && vc.search.next) load(vc.search.next, generation, false);
  }

  function fillAgencies() {
    var select = $("filtre-service");
    ((vc.choices && vc.choices.agencies) || []).forEach(function (agency) { select.appendChild(api.option(String(agency.id), agency.name)); });
  }

  function init() {
    fillAgencies();
    write(fromUrl());
    Object.keys(CONTROLS).forEach(function (name) {
      var control = $(CONTROLS[name]);
      // The search box runs as one types (its "change" on leaving it would restart the search, dropping
      // the pages « Plus de résultats » brought).
      if (control && name !== "q") control.addEventListener("change", run);
    });
    $("filtre-q").addEventListener("input", function () {
      window.clearTimeout(typingTimer);
      typingTimer = window.setTimeout(run, 300);
    });
    $("filtres").addEventListener("submit", function (event) { event.preventDefault(); window.clearTimeout(typingTimer); run(); });
    $("plus-de-resultats").addEventListener("click", more);
    vc.searchRun = run;
    run();
    window.setInterval(markOverdue, 15000);
  }

  // A dispatch left unacknowledged past its deadline turns « en retard » without waiting for an event.
  function markOverdue() {
    var now = Date.now();
    var late = Array.from(vc.items.values()).some(function (item) {
      var dispatch = item.dispatch;
      if (!dispatch || dispatch.status !== "sent" || !dispatch.ack_deadline || Date.parse(dispatch.ack_deadline) >= now) return false;
      var node = document.getElementById("item-d-" + dispatch.id);
      return !!node && !node.querySelector(".badge.retard");
    });
    if (late) api.renderList();
  }

  function boot() {
    if (vc.ready) vc.ready.then(init).catch(function () { /* console.js says why the console did not load */ });
  }

  if (vc.ready) boot();
  else document.addEventListener("DOMContentLoaded", boot);
})();
