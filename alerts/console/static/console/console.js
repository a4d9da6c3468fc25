/* Vigie — live console (plain JavaScript, no build step).
 *
 * 1. GET the console state (items, presence, newest event id), then open /ws/console/?last_event_id=N:
 *    the server replays what changed in between, then sends live events.
 * 2. Every event id is remembered: an id seen twice is dropped. The heartbeat carries the newest id this
 *    console may see; when it is ahead of ours, we ask for a replay (a live event was lost).
 * 3. The socket reconnects by itself with backoff, from the newest id seen; `resync` reloads the state.
 */
(function () {
  "use strict";

  // Django's JavaScript catalogue (/console/jsi18n/, loaded before this file) defines gettext and
  // interpolate; French is the source language. Should it fail to load, the French text is shown as is.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (singular, plural, count) { return count === 1 ? singular : plural; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };

  var body = document.body;
  var config = {
    stateUrl: body.dataset.stateUrl,
    detailUrl: body.dataset.detailUrl,
    sectorsUrl: body.dataset.sectorsUrl,
    socketPath: body.dataset.socketPath,
    loginUrl: body.dataset.loginUrl,
    heartbeat: parseFloat(body.dataset.heartbeat || "30"),
  };

  var OPEN_OBSERVATION = ["pending", "dispatched", "acknowledged"];
  var OPEN_DISPATCH = ["sent", "acknowledged"];

  var state = {
    me: null,
    moderator: false,
    agencyIds: [],
    police: false, // works dispatches: an operator (their agencies') or a commune admin (the commune's)
    choices: {},
    items: new Map(), // "o:<id>" (moderation) or "d:<id>" (dispatch) → item
    selected: null,
    seen: new Set(),
    lastEventId: 0,
    socket: null,
    attempts: 0,
    reconnectTimer: null,
    heartbeatTimer: null,
    requests: new Map(),
    requestCounter: 0,
    sound: false,
    audio: null,
    sectors: null, // the sectors' GeoJSON features, once loaded (console-map.js draws them)
    log: [], // every event received, in order (tests and the curious read it)
    resyncs: 0,
    hooks: {}, // name → functions that other scripts of the page added with state.on(name, fn)
  };
  window.vigieConsole = state;
  // What console-search.js uses (the search box and the filters addressed by the URL).
  state.api = {
    getJson: getJson, el: el, option: option, feedback: feedback, renderList: renderList,
    upsertObservation: upsertObservation, upsertDispatch: upsertDispatch,
  };
  state.on = function (name, fn) { (state.hooks[name] = state.hooks[name] || []).push(fn); };

  function hook(name, value) {
    (state.hooks[name] || []).forEach(function (fn) { fn(value); });
  }

  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function getJson(url) {
    // fetch's own error ("Failed to fetch") is the browser's, in its language: replaced by a French one.
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).catch(function () {
      throw new Error(gettext("serveur injoignable"));
    }).then(function (response) {
      if (response.status === 401 || response.status === 403) {
        window.location.assign(config.loginUrl);
        throw new Error("auth");
      }
      if (!response.ok) throw new Error(interpolate(gettext("le serveur a répondu %(status)s"), { status: response.status }, true));
      return response.json();
    });
  }

  // --- feedback -----------------------------------------------------------------------------------

  function announce(text) {
    var region = $("annonces");
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function feedback(text, isError) {
    var node = $("retour");
    node.textContent = text;
    node.classList.toggle("erreur", !!isError);
  }

  function setConnection(kind, text) {
    var node = $("connexion");
    node.dataset.state = kind;
    node.textContent = text;
  }

  function beep() {
    if (!state.sound) return;
    try {
      var ctx = state.audio || (state.audio = new (window.AudioContext || window.webkitAudioContext)());
      [0, 0.25].forEach(function (offset) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.type = "square";
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.15, ctx.currentTime + offset);
        gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + offset + 0.18);
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + offset);
        osc.stop(ctx.currentTime + offset + 0.2);
      });
    } catch (error) { /* no audio device: the visual signal remains */ }
  }

  function setSound(on) {
    state.sound = on;
    var button = $("son");
    button.setAttribute("aria-pressed", String(state.sound));
    button.textContent = state.sound ? gettext("Son : activé") : gettext("Son : désactivé");
  }

  function toggleSound() {
    setSound(!state.sound);
    if (state.sound && !state.audio) {
      try { state.audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (error) { state.audio = null; }
    }
    if (state.sound) beep();
    hook("soundChanged", state.sound);
  }

  // --- items --------------------------------------------------------------------------------------

  function observationOf(item) { return item.kind === "d" ? item.dispatch.observation : item.observation; }

  // What really waits for this console: a moderator's undecided reports and follow-ups to review, the
  // police's dispatches not yet acknowledged (the « à traiter » counter and the tab title count these).
  function isWaiting(item) {
    if (item.kind === "d") return item.dispatch.status === "sent";
    return item.observation.status === "pending" || !!item.observation.pending_additions;
  }

  function isOpen(item) {
    if (isWaiting(item)) return true; // a follow-up to review reopens a finished report for moderators
    return item.kind === "d" ? OPEN_DISPATCH.indexOf(item.dispatch.status) >= 0 : OPEN_OBSERVATION.indexOf(item.observation.status) >= 0;
  }

  function statusLabel(item) {
    return item.kind === "d" ? item.dispatch.status_label : item.observation.status_label;
  }

  function upsertObservation(data, isNew) {
    var key = "o:" + data.id;
    var item = state.items.get(key);
    if (!item) {
      item = { key: key, kind: "o", id: data.id, observation: data, dispatches: [], fresh: isNew };
      state.items.set(key, item);
    } else {
      item.observation = Object.assign({}, item.observation, data);
    }
    item.found = false; // live; console-search.js marks the items only a search brought
    return item;
  }

  function upsertDispatch(data, isNew) {
    var key = "d:" + data.id;
    var item = state.items.get(key);
    if (!item) {
      item = { key: key, kind: "d", id: data.id, dispatch: data, fresh: isNew };
      state.items.set(key, item);
    } else {
      item.dispatch = Object.assign({}, item.dispatch, data);
    }
    item.found = false;
    return item;
  }

  // Every date and time shown in Europe/Paris (the commune's), whatever the browser's own time zone.
  var PARIS = {
    dateTime: new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "medium" }),
    time: new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", timeStyle: "medium" }),
    minute: new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "short" }),
  };

  // style: true for the time alone, "minute" for the date and time to the minute, else to the second.
  function formatTime(iso, style) {
    if (!iso) return "";
    return (style === "minute" ? PARIS.minute : style ? PARIS.time : PARIS.dateTime).format(new Date(iso));
  }
  state.formatTime = formatTime; // for the console's other scripts

  function ageText(iso) {
    if (!iso) return "";
    var seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (seconds < 60) return interpolate(gettext("%(seconds)s s"), { seconds: seconds }, true);
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return interpolate(gettext("%(minutes)s min"), { minutes: minutes }, true);
    var hours = Math.floor(minutes / 60);
    if (hours < 48) return interpolate(gettext("%(hours)s h %(minutes)s"), { hours: hours, minutes: String(minutes % 60).padStart(2, "0") }, true);
    return interpolate(gettext("%(days)s j"), { days: Math.floor(hours / 24) }, true);
  }

  function sortKey(item) {
    var obs = observationOf(item);
    return [isOpen(item) ? 0 : 1, obs.in_progress ? 0 : 1, obs.urgent ? 0 : 1, -Date.parse(obs.created_at || 0)];
  }

  function compare(a, b) {
    var ka = sortKey(a), kb = sortKey(b);
    for (var i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return b.id - a.id;
  }

  function passesFilters(item) {
    if (item.found) return false;
    var obs = observationOf(item);
    var status = $("filtre-etat").value;
    if (status === "open" && !isOpen(item)) return false;
    if (status === "done" && isOpen(item)) return false;
    var sector = $("filtre-secteur").value;
    if (sector && (!obs.sector || String(obs.sector.id) !== sector)) return false;
    var category = $("filtre-categorie").value;
    if (category && (!obs.category || obs.category.slug !== category)) return false;
    return true;
  }

  function visibleItems() {
    // Searching (console-search.js): the server's results, in its order.
    if (state.search) return state.search.keys.map(function (key) { return state.items.get(key); }).filter(Boolean);
    return Array.from(state.items.values()).filter(passesFilters).sort(compare);
  }

  function overdue(dispatch) {
    return dispatch.status === "sent" && !!dispatch.ack_deadline && Date.parse(dispatch.ack_deadline) < Date.now();
  }

  function itemLabel(item) {
    var obs = observationOf(item);
    var parts = [obs.reference, obs.category ? obs.category.label : ""];
    if (obs.in_progress) parts.push(gettext("faits en cours"));
    else if (obs.urgent) parts.push(gettext("urgent"));
    if (obs.sector) parts.push(interpolate(gettext("secteur %(name)s"), { name: obs.sector.name }, true));
    if (item.kind === "d") parts.push(item.dispatch.agency.name);
    parts.push(statusLabel(item));
    if (item.kind === "d" && item.dispatch.escalated) parts.push(gettext("relancé"));
    if (item.kind === "d" && overdue(item.dispatch)) parts.push(gettext("en retard"));
    if (item.kind === "o" && obs.pending_additions) parts.push(interpolate(ngettext("%(count)s complément à relire", "%(count)s compléments à relire", obs.pending_additions), { count: obs.pending_additions }, true));
    return parts.join(", ");
  }

  function renderList() {
    var list = $("liste");
    var items = visibleItems();
    var focusedKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key : null;
    list.textContent = "";
    items.forEach(function (item) {
      var obs = observationOf(item);
      var classes = [obs.in_progress ? "en-cours" : "", obs.urgent ? "urgent" : "", isOpen(item) ? "" : "termine", item.fresh ? "nouveau" : ""].join(" ").trim();
      var node = el("li", {
        role: "option",
        id: "item-" + item.key.replace(":", "-"),
        "data-key": item.key,
        "data-reference": obs.reference,
        "data-status": item.kind === "d" ? item.dispatch.status : obs.status,
        class: classes,
        tabindex: state.selected === item.key ? "0" : "-1",
        "aria-selected": String(state.selected === item.key),
        "aria-label": itemLabel(item),
        onclick: function () { select(item.key, true); },
      }, [
        el("div", { class: "ligne1" }, [
          el("strong", { text: obs.reference }),
          el("span", {}, [
            obs.in_progress ? el("span", { class: "badge en-cours", text: gettext("en cours") }) : null,
            !obs.in_progress && obs.urgent ? el("span", { class: "badge urgent", text: gettext("urgent") }) : null,
            " ",
            el("span", { class: "badge", text: statusLabel(item) }),
            item.kind === "d" && item.dispatch.escalated ? el("span", { class: "badge relance", text: gettext("relancé") }) : null,
            item.kind === "d" && overdue(item.dispatch) ? el("span", { class: "badge retard", text: gettext("en retard") }) : null,
          ]),
        ]),
        el("div", { class: "ligne2" }, [
          el("span", { text: (obs.category ? obs.category.label : "") + (obs.sector ? " · " + obs.sector.name : "") }),
          el("span", { class: "age", "data-since": obs.created_at, text: ageText(obs.created_at) }),
        ]),
      ]);
      list.appendChild(node);
    });
    if (!state.selected && items.length) list.firstChild.setAttribute("tabindex", "0");
    $("liste-vide").hidden = items.length > 0;
    var waiting = Array.from(state.items.values()).filter(isWaiting).length;
    $("compteur").textContent = interpolate(gettext("(%(count)s à traiter)"), { count: waiting }, true);
    if (focusedKey) {
      var again = list.querySelector('[data-key="' + focusedKey + '"]');
      if (again) again.focus();
    }
    renderMapPoints();
    hook("listRendered", waiting);
  }

  function tickAges() {
    document.querySelectorAll(".age[data-since]").forEach(function (node) {
      node.textContent = ageText(node.dataset.since);
    });
  }

  // --- detail and actions -------------------------------------------------------------------------

  function select(key, focusDetail) {
    state.selected = key;
    body.classList.add("detail-ouvert"); // narrow screens: the detail becomes a full-screen sheet (layout.js)
    var item = state.items.get(key);
    if (item) item.fresh = false;
    renderList();
    renderDetail();
    if (focusDetail) {
      var first = $("detail").querySelector(".actions button:not([disabled]), .actions select, .actions textarea");
      ($("detail").querySelector("h2") || $("detail")).focus();
      if (first) first.focus();
    }
    loadDetail(key);
  }

  function loadDetail(key) {
    var item = state.items.get(key);
    if (!item) return;
    var obsId = observationOf(item).id;
    getJson(config.detailUrl + obsId + "/").then(function (detail) {
      if (state.selected !== key) return;
      item.detail = detail;
      renderDetailExtras(item);
      hook("detailRendered", item);
    }).catch(function () { /* the pane keeps what the events gave */ });
  }

  function capitalize(text) { return text.charAt(0).toUpperCase() + text.slice(1); }

  function option(value, label, selected) {
    return el("option", { value: value, selected: selected ? "selected" : null, text: label });
  }

  function field(id, label, control) {
    control.id = id;
    return el("p", {}, [el("label", { for: id, text: label }), control]);
  }

  function actionForm(id, title, fields, submitLabel, build) {
    var form = el("form", { id: id, "aria-label": title }, fields.concat([
      el("p", {}, [el("button", { type: "submit", id: id + "-submit", text: submitLabel })]),
    ]));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var payload = build(form);
      if (payload) send(payload, form);
    });
    return form;
  }

  function moderationActions(item) {
    var obs = item.observation;
    var container = el("div", { class: "actions", role: "group", "aria-label": gettext("Actions de modération") });
    if (obs.status !== "pending") {
      container.appendChild(el("p", { class: "vide", text: interpolate(gettext("Décision prise : %(status)s."), { status: obs.status_label }, true) }));
      return container;
    }
    var heldByMe = obs.claimed_by && state.me && obs.claimed_by.id === state.me.id;
    container.appendChild(el("p", {}, [
      el("button", { type: "button", id: "action-claim", onclick: function () { send({ action: "claim", observation: obs.id }); }, text: heldByMe ? gettext("Prolonger la prise en charge (c)") : gettext("Prendre en charge (c)") }),
      " ",
      el("button", { type: "button", id: "action-release", class: "secondary", disabled: !heldByMe, onclick: function () { send({ action: "release", observation: obs.id }); }, text: gettext("Libérer (r)") }),
    ]));
    var categories = el("select", { name: "category" }, (state.choices.categories || []).map(function (category) {
      return option(category.slug, category.label, obs.category && obs.category.slug === category.slug);
    }));
    var redaction = el("textarea", { name: "redacted_description", rows: "3", maxlength: "2000" });
    redaction.value = obs.redacted_description || obs.description || "";
    var placeRedaction = obs.place ? el("input", { name: "redacted_place", maxlength: "200" }) : null;
    if (placeRedaction) placeRedaction.value = obs.redacted_place || obs.place;
    var agencies = el("fieldset", {}, [el("legend", { text: gettext("Services (aucun coché : selon les règles d'orientation)") })].concat(
      (state.choices.agencies || []).map(function (agency) {
        return el("label", {}, [el("input", { type: "checkbox", name: "agencies", value: String(agency.id) }), " " + agency.name + " "]);
      })
    ));
    container.appendChild(actionForm("form-approve", gettext("Valider et transmettre"), [
      field("approve-category", gettext("Catégorie"), categories),
      field("approve-text", gettext("Texte transmis à la police (caviardé)"), redaction),
    ].concat(placeRedaction ? [field("approve-place", gettext("Lieu transmis à la police (caviardé)"), placeRedaction)] : []).concat([
      agencies,
    ]), gettext("Valider et transmettre (v)"), function (form) {
      var chosen = Array.from(form.querySelectorAll("input[name=agencies]:checked")).map(function (input) { return parseInt(input.value, 10); });
      var payload = { action: "approve", observation: obs.id, category: categories.value, redacted_description: redaction.value };
      if (chosen.length) payload.agencies = chosen;
      if (placeRedaction) payload.redacted_place = placeRedaction.value;
      return payload;
    }));
    var reasons = el("select", { name: "reason" }, (state.choices.reject_reasons || []).map(function (reason) { return option(reason.value, reason.label); }));
    var note = el("input", { name: "note", maxlength: "1000" });
    container.appendChild(actionForm("form-reject", gettext("Refuser"), [
      field("reject-reason", gettext("Motif du refus"), reasons),
      field("reject-note", gettext("Précision pour l'auteur (facultatif)"), note),
    ], gettext("Refuser (x)"), function () { return { action: "reject", observation: obs.id, reason: reasons.value, note: note.value }; }));
    var others = Array.from(state.items.values()).filter(function (other) { return other.kind === "o" && other.id !== obs.id && other.observation.status !== "merged" && other.observation.status !== "rejected"; });
    var into = el("select", { name: "into" }, others.map(function (other) { return option(String(other.id), other.observation.reference + " — " + (other.observation.category ? other.observation.category.label : "")); }));
    container.appendChild(actionForm("form-merge", gettext("Fusionner avec un signalement déjà reçu"), [field("merge-into", gettext("Doublon de"), into)], gettext("Fusionner"), function () {
      if (!into.value) { feedback(gettext("Aucun autre signalement à choisir."), true); return null; }
      return { action: "merge", observation: obs.id, into: parseInt(into.value, 10) };
    }));
    return container;
  }

  function dispatchActions(item) {
    var dispatch = item.dispatch;
    var container = el("div", { class: "actions", role: "group", "aria-label": gettext("Actions du service") });
    if (OPEN_DISPATCH.indexOf(dispatch.status) < 0) {
      container.appendChild(el("p", { class: "vide", text: interpolate(gettext("Transmission %(status)s."), { status: dispatch.status_label }, true) }));
      return container;
    }
    container.appendChild(el("p", {}, [
      el("button", { type: "button", id: "action-acknowledge", disabled: dispatch.status !== "sent", onclick: function () { send({ action: "acknowledge", dispatch: dispatch.id }); }, text: gettext("Prendre en compte (a)") }),
    ]));
    var operators = (state.choices.operators || {})[String(dispatch.agency.id)] || [];
    var assignee = el("select", { name: "assignee" }, operators.map(function (person) { return option(String(person.id), person.name, (dispatch.assignee || state.me || {}).id === person.id); }));
    container.appendChild(actionForm("form-assign", gettext("Attribuer"), [field("assign-to", gettext("Attribuer à"), assignee)], gettext("Attribuer"), function () {
      return { action: "assign", dispatch: dispatch.id, assignee: parseInt(assignee.value, 10) };
    }));
    var text = el("textarea", { name: "text", rows: "2", maxlength: "2000" });
    container.appendChild(actionForm("form-note", gettext("Ajouter une note"), [field("note-text", gettext("Note"), text)], gettext("Ajouter la note (n)"), function () {
      return { action: "note", dispatch: dispatch.id, text: text.value };
    }));
    var targets = (state.choices.agencies || []).filter(function (agency) { return agency.id !== dispatch.agency.id; });
    var agency = el("select", { name: "agency" }, targets.map(function (target) { return option(String(target.id), target.name); }));
    var handoverNote = el("input", { name: "note", maxlength: "2000" });
    container.appendChild(actionForm("form-handover", gettext("Transférer à un autre service"), [
      field("handover-agency", gettext("Service"), agency), field("handover-note", gettext("Motif du transfert"), handoverNote),
    ], gettext("Transférer (t)"), function () { return { action: "handover", dispatch: dispatch.id, agency: parseInt(agency.value, 10), note: handoverNote.value }; }));
    var outcome = el("select", { name: "outcome" }, (state.choices.outcomes || []).map(function (item) { return option(item.value, item.label); }));
    container.appendChild(actionForm("form-close", gettext("Clôturer"), [field("close-outcome", gettext("Issue"), outcome)], gettext("Clôturer (f)"), function () {
      return { action: "close", dispatch: dispatch.id, outcome: outcome.value };
    }));
    return container;
  }

  function renderDetail() {
    var pane = $("detail");
    var item = state.selected ? state.items.get(state.selected) : null;
    pane.textContent = "";
    if (!item) {
      pane.appendChild(el("h2", { id: "titre-detail", text: gettext("Détail"), tabindex: "-1" }));
      pane.appendChild(el("p", { class: "vide", text: gettext("Choisissez un signalement dans la liste.") }));
      return;
    }
    var obs = observationOf(item);
    pane.appendChild(el("h2", { id: "titre-detail", tabindex: "-1", text: obs.reference + " — " + (obs.category ? obs.category.label : "") }));
    var facts = [
      [gettext("État"), statusLabel(item)],
      [gettext("Faits"), obs.in_progress ? gettext("en cours") : gettext("constatés")],
      [gettext("Constaté"), formatTime(obs.occurred_at)],
      [gettext("Reçu"), obs.created_at ? interpolate(gettext("%(date)s (il y a %(age)s)"), { date: formatTime(obs.created_at), age: ageText(obs.created_at) }, true) : ""],
      [gettext("Secteur"), obs.sector ? obs.sector.name : gettext("hors secteur")],
      [gettext("Canal"), capitalize(obs.channel_label || "")],
    ];
    if (item.kind === "d") {
      facts.push([gettext("Service"), item.dispatch.agency.name]);
      facts.push([gettext("Attribué à"), item.dispatch.assignee ? item.dispatch.assignee.name : gettext("personne")]);
      if (item.dispatch.ack_deadline && item.dispatch.status === "sent") facts.push([gettext("À prendre en compte avant"), formatTime(item.dispatch.ack_deadline, true) + (overdue(item.dispatch) ? " — " + gettext("en retard") : "")]);
      if (item.dispatch.escalated) facts.push([gettext("Relancé le"), formatTime(item.dispatch.escalated_at)]);
    } else {
      facts.push([gettext("Pris en charge par"), obs.claimed_by ? obs.claimed_by.name : gettext("personne")]);
      if (obs.author) facts.push([gettext("Auteur"), obs.author.name]);
    }
    var list = el("dl", {});
    facts.forEach(function (fact) { list.appendChild(el("dt", { text: fact[0] })); list.appendChild(el("dd", { text: fact[1] })); });
    pane.appendChild(list);
    if (state.renderLocation) pane.appendChild(state.renderLocation(obs)); // console-location.js
    if (item.kind === "d") {
      var sheet = "/console/fiche/" + item.dispatch.id;
      pane.appendChild(el("p", { class: "fiche" }, [
        el("a", { id: "lien-fiche", href: sheet + "/", target: "_blank", rel: "noopener", text: gettext("Fiche d'intervention") }), " · ",
        el("a", { id: "lien-fiche-pdf", href: sheet + ".pdf", target: "_blank", rel: "noopener", text: gettext("PDF") }),
      ]));
    }
    pane.appendChild(el("p", { class: "texte", id: "detail-texte", text: obs.description || "" }));
    pane.appendChild(el("div", { id: "detail-photos", class: "photos" }));
    pane.appendChild(item.kind === "d" ? dispatchActions(item) : moderationActions(item));
    pane.appendChild(el("h3", { text: gettext("Historique") }));
    pane.appendChild(el("ol", { id: "detail-historique", class: "historique" }));
    if (item.detail) renderDetailExtras(item);
    hook("detailRendered", item);
  }

  function renderDetailExtras(item) {
    var photos = $("detail-photos");
    var history = $("detail-historique");
    if (!photos || !history || !item.detail) return;
    photos.textContent = "";
    item.detail.photos.forEach(function (photo, index) {
      photos.appendChild(el("a", { href: photo.url, target: "_blank", rel: "noopener" }, [el("img", { src: photo.url, alt: interpolate(gettext("Photo %(number)s du signalement"), { number: index + 1 }, true) })]));
    });
    history.textContent = "";
    item.detail.history.forEach(function (entry) {
      var who = entry.actor ? " — " + entry.actor.name : "";
      var label = entry.label + (entry.status_label ? " (" + entry.status_label + ")" : "");
      var text = formatTime(entry.at) + " : " + label + who + (entry.note ? " : " + entry.note : "");
      var line = el("li", { text: text });
      if (entry.kind === "addition" && entry.status === "pending" && state.moderator) line.appendChild(additionReview(entry));
      history.appendChild(line);
    });
  }

  // A follow-up reaches the police only once a moderator let it through, as written or redacted.
  function additionReview(entry) {
    var redaction = el("textarea", { id: "complement-" + entry.addition_id + "-texte", rows: "2", maxlength: "2000" });
    redaction.value = entry.note || "";
    return actionForm("form-complement-" + entry.addition_id, gettext("Relire le complément"), [
      field("complement-" + entry.addition_id + "-texte", gettext("Texte transmis à la police (caviardez si besoin)"), redaction),
      el("button", { type: "button", class: "secondary", onclick: function () { send({ action: "addition_reject", addition: entry.addition_id }); }, text: gettext("Écarter") }),
    ], gettext("Transmettre à la police"), function () {
      var redacted = redaction.value.trim() === (entry.note || "").trim() ? "" : redaction.value;
      return { action: "addition_approve", addition: entry.addition_id, redacted_text: redacted };
    });
  }

  // --- the socket ---------------------------------------------------------------------------------

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + config.socketPath + "?last_event_id=" + state.lastEventId;
  }

  function connect() {
    window.clearTimeout(state.reconnectTimer);
    setConnection("connecting", gettext("Connexion…"));
    var socket = new WebSocket(socketUrl());
    state.socket = socket;
    socket.addEventListener("message", function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (error) { return; }
      onMessage(data);
    });
    socket.addEventListener("close", function (event) {
      if (state.socket !== socket) return;
      state.socket = null;
      window.clearInterval(state.heartbeatTimer);
      failPending();
      if (event.code === 4401) { window.location.assign(config.loginUrl); return; }
      if (event.code === 4403) { setConnection("closed", gettext("Accès refusé à la console")); return; }
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    state.attempts += 1;
    var delay = Math.min(30, Math.pow(2, state.attempts - 1)) * (0.75 + Math.random() * 0.5);
    var seconds = Math.max(1, Math.round(delay));
    setConnection("retry", interpolate(gettext("Déconnecté — nouvelle tentative dans %(seconds)s s"), { seconds: seconds }, true));
    state.reconnectTimer = window.setTimeout(connect, delay * 1000);
  }

  function watchdog() {
    // No heartbeat for two periods: the socket is half-open; close it so that it reconnects.
    window.clearInterval(state.heartbeatTimer);
    state.lastBeat = Date.now();
    state.heartbeatTimer = window.setInterval(function () {
      if (state.socket && Date.now() - state.lastBeat > config.heartbeat * 2500) state.socket.close();
    }, 1000);
  }

  function onMessage(data) {
    switch (data.type) {
      case "hello":
        state.attempts = 0;
        setConnection("open", gettext("Connecté"));
        watchdog();
        return;
      case "heartbeat":
        state.lastBeat = Date.now();
        if (data.newest_event_id > state.lastEventId && state.socket) {
          state.socket.send(JSON.stringify({ action: "replay", last_event_id: state.lastEventId }));
        }
        return;
      case "replayed":
        return;
      case "resync":
        state.resyncs += 1;
        feedback(gettext("Mise à jour complète de la console…"), false);
        if (state.socket) { var old = state.socket; state.socket = null; old.close(); }
        loadState().then(connect);
        return;
      case "ack":
      case "error":
        settle(data);
        return;
      default:
        if (typeof data.id === "number") onEvent(data);
    }
  }

  function onEvent(event) {
    if (state.seen.has(event.id)) return;
    state.seen.add(event.id);
    if (event.id > state.lastEventId) state.lastEventId = event.id;
    state.log.push({ id: event.id, type: event.type, data: event.data });
    apply(event);
  }

  function apply(event) {
    var data = event.data || {};
    var type = event.type;
    var alert = null;
    if (type === "observation.addition" || type === "observation.addition_reviewed") {
      var followed = state.items.get("o:" + data.observation_id);
      if (followed) {
        var pending = followed.observation.pending_additions || 0;
        followed.observation.pending_additions = Math.max(0, pending + (type === "observation.addition" ? 1 : -1));
      }
      if (type === "observation.addition") {
        feedback(interpolate(gettext("Complément à relire pour %(reference)s."), { reference: data.reference }, true), false);
        announce(interpolate(gettext("Complément à relire pour %(reference)s."), { reference: data.reference }, true));
      }
    } else if (type === "sender.flagged") {
      feedback(interpolate(gettext("Expéditeur à surveiller : %(name)s (%(count)s signalements non retenus)."), { name: data.name || "#" + data.user_id, count: data.rejections }, true), false);
    } else if (type.indexOf("observation.") === 0 && state.moderator && typeof data.id === "number" && data.reference && data.category) {
      var known = state.items.has("o:" + data.id);
      var item = upsertObservation(data, !known);
      if (!known && data.status === "pending") alert = item;
    } else if (type.indexOf("dispatch.") === 0 && data.agency) {
      // The server sends a console only the dispatches it may see: the police take them all.
      if (state.police) {
        var knownDispatch = state.items.has("d:" + data.id);
        var dispatchItem = upsertDispatch(data, !knownDispatch);
        if (!knownDispatch && data.status === "sent") alert = dispatchItem;
        if (type === "dispatch.noted" && data.note) feedback(interpolate(gettext("Note ajoutée sur %(reference)s par %(author)s."), { reference: data.observation.reference, author: data.note.author ? data.note.author.name : data.note.agency_token.label }, true), false);
      }
      if (state.moderator && data.observation && state.items.has("o:" + data.observation.id)) {
        var moderated = state.items.get("o:" + data.observation.id);
        moderated.dispatches = (moderated.dispatches || []).filter(function (d) { return d.id !== data.id; }).concat([data]);
      }
    } else if (type === "emergency_mode.changed") {
      showEmergency(data);
      announce(data.active ? gettext("Cellule de veille d'urgence activée.") : gettext("Cellule de veille d'urgence désactivée."));
    } else if (type === "presence") {
      updatePresence(data);
    } else if (type.indexOf("broadcast.") === 0) {
      var ours = state.onBroadcastEvent ? state.onBroadcastEvent(event) : false; // console-broadcasts.js
      if (!ours) feedback(interpolate(gettext("Diffusion : %(title)s."), { title: data.title || data.kind || type }, true), false);
    }
    if (alert) {
      var obs = observationOf(alert);
      announce(interpolate(obs.in_progress ? gettext("Nouveau : %(reference)s, %(category)s, faits en cours.") : gettext("Nouveau : %(reference)s, %(category)s."), { reference: obs.reference, category: obs.category ? obs.category.label : "" }, true));
      if (obs.in_progress || obs.urgent) beep();
      hook("newItem", alert);
    }
    hook("event", event);
    renderList();
    var selected = state.selected ? state.items.get(state.selected) : null;
    if (selected && relates(selected, data)) {
      var active = document.activeElement;
      var inDetail = active && $("detail").contains(active);
      var editing = inDetail && typing(active);
      if (!editing) {
        var focusId = inDetail ? active.id : null;
        renderDetail();
        if (inDetail) {
          var again = focusId ? $(focusId) : null;
          if (!again || again.disabled) again = $("titre-detail");
          if (again) again.focus();
        }
      }
      loadDetail(selected.key);
    }
  }

  function relates(item, data) {
    var obs = observationOf(item);
    if (data.reference && data.id === obs.id) return true;
    if (data.observation_id === obs.id) return true;
    return !!(data.observation && data.observation.id === obs.id);
  }

  // --- requests over the socket -------------------------------------------------------------------

  // `form`: the form that sent it, spent once acknowledged (see settle).
  function send(payload, form) {
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN) {
      feedback(gettext("Connexion perdue : action non envoyée, réessayez dans un instant."), true);
      return;
    }
    state.requestCounter += 1;
    payload.request_id = "r" + state.requestCounter;
    state.requests.set(payload.request_id, { payload: payload, form: form || null });
    feedback(gettext("Envoi…"), false);
    state.socket.send(JSON.stringify(payload));
  }

  var DONE = {
    claim: gettext("Signalement pris en charge."), release: gettext("Signalement libéré."), approve: gettext("Signalement validé et transmis."),
    reject: gettext("Signalement refusé."), merge: gettext("Signalement fusionné."), acknowledge: gettext("Transmission prise en compte."),
    assign: gettext("Transmission attribuée."), note: gettext("Note ajoutée."), handover: gettext("Transmission transférée."),
    close: gettext("Transmission clôturée."), emergency: gettext("Cellule d'urgence mise à jour."), broadcast: gettext("Diffusion lancée."),
    emergency_activate: gettext("Cellule d'urgence activée."), emergency_confirm: gettext("Présence confirmée."),
  };

  function settle(reply) {
    var request = state.requests.get(reply.request_id);
    state.requests.delete(reply.request_id);
    if (reply.type === "ack") {
      feedback(DONE[reply.action] || gettext("Fait."), false);
      var active = document.activeElement;
      // Only the form that sent it is spent: an earlier click's ack (a claim) must not wipe what the
      // moderator is typing in another form meanwhile.
      if (request && request.form && request.form.contains(active) && $("detail").contains(active)) {
        // Done: back to the detail's title, where the shortcuts work again.
        renderDetail();
        $("titre-detail").focus();
      }
      if (reply.action === "emergency" || reply.action === "emergency_activate") togglePanel("panneau-urgence", "ouvrir-urgence", false);
      if (reply.action === "emergency_confirm" && state.choices.emergency && state.choices.emergency.activation) {
        state.choices.emergency.activation.called = false;
        renderEmergencyPanel();
      }
      if (reply.action === "broadcast") togglePanel("panneau-diffusion", "ouvrir-diffusion", false);
    } else {
      feedback(reply.detail || gettext("Action refusée."), true);
    }
  }

  function failPending() {
    if (state.requests.size) feedback(gettext("Connexion perdue : vérifiez si la dernière action a été prise en compte."), true);
    state.requests.clear();
  }

  // --- presence and emergency ---------------------------------------------------------------------

  function updatePresence(block) {
    var key = block.scope === "agency" ? "agency:" + block.agency.id : "moderation";
    state.presence = state.presence || {};
    state.presence[key] = block;
    var list = $("presence");
    list.textContent = "";
    Object.keys(state.presence).sort().forEach(function (name) {
      var entry = state.presence[name];
      var title = entry.scope === "agency" ? entry.agency.name : gettext("Modération");
      var people = entry.users.length ? entry.users.map(function (u) { return u.name; }).join(", ") : gettext("personne");
      list.appendChild(el("li", { "data-scope": name, text: interpolate(gettext("%(team)s : %(people)s"), { team: title, people: people }, true) }));
    });
  }

  // Agency webhooks that failed for good in the last 24 h (details on the agency's admin page).
  function showWebhookFailures(failures) {
    var node = $("webhooks-en-echec");
    node.textContent = failures.map(function (item) {
      return interpolate(ngettext(
        "Webhook de %(agency)s : %(count)s envoi en échec ces dernières 24 h (dernier le %(at)s : %(error)s).",
        "Webhook de %(agency)s : %(count)s envois en échec ces dernières 24 h (dernier le %(at)s : %(error)s).",
        item.count), { agency: item.agency.name, count: item.count, at: formatTime(item.last_at), error: item.last_error }, true);
    }).join(" ");
    node.hidden = !failures.length;
  }

  function showEmergency(data) {
    var node = $("urgence");
    node.hidden = !data.active;
    node.textContent = data.active ? (data.reason ? interpolate(gettext("Cellule d'urgence active : %(reason)s"), { reason: data.reason }, true) : gettext("Cellule d'urgence active")) : "";
    var known = state.choices.emergency || {};
    var activation = known.activation || null;
    // An event names the activation; what the panel needs of a new one is derived (a roster member is
    // called when it opens; a deputy called later sees the button after a reload, and has the SMS).
    if ("activation_id" in data) {
      if (!data.activation_id) activation = null;
      else if (!activation || activation.id !== data.activation_id) {
        activation = {
          id: data.activation_id, sectors: data.sectors || [], requested_by: "", called: !!known.member,
          page: "/console/urgence/" + data.activation_id + "/", log: "/api/v1/emergency/activations/" + data.activation_id + "/log/",
        };
      }
      if (activation) { activation.review_at = data.review_at; activation.sectors = data.sectors || []; }
    }
    state.choices.emergency = Object.assign({}, known, { active: data.active, categories: data.categories || [], reason: data.reason || "", activation: activation });
    renderEmergencyPanel();
  }

  function renderEmergencyPanel() {
    var emergency = state.choices.emergency || {};
    var activation = emergency.activation;
    $("ouvrir-urgence").hidden = !(state.moderator || emergency.reader);
    $("form-urgence").hidden = !state.moderator;
    $("urgence-etat").textContent = activation
      ? interpolate(gettext("Activation en cours%(who)s, réexamen le %(review)s."), { who: activation.requested_by ? " (" + activation.requested_by + ")" : "", review: formatTime(activation.review_at) }, true)
      : gettext("Aucune activation en cours.");
    $("urgence-confirmer").hidden = !(activation && activation.called);
    $("urgence-page").hidden = !activation;
    if (activation) $("urgence-page").href = activation.page;
    $("urgence-liste").hidden = !emergency.list_page;
    if (emergency.list_page) $("urgence-liste").href = emergency.list_page;
    $("titre-urgence-journal").hidden = $("urgence-journal").hidden = !activation;
    if (activation && !$("panneau-urgence").hidden) loadEmergencyLog();
  }

  function loadEmergencyLog() {
    var activation = (state.choices.emergency || {}).activation;
    if (!activation) return;
    getJson(activation.log).then(function (items) {
      var list = $("urgence-journal");
      list.textContent = "";
      items.forEach(function (item) {
        var who = item.actor ? " — " + item.actor : "";
        list.appendChild(el("li", { text: formatTime(item.at) + " — " + item.kind_label + who + " : " + item.text }));
      });
    }).catch(function (error) { if (error.message !== "auth") feedback(error.message, true); });
  }

  // --- panels (emergency, broadcast, help) --------------------------------------------------------

  function togglePanel(panelId, buttonId, open) {
    var panel = $(panelId);
    var show = open === undefined ? panel.hidden : open;
    panel.hidden = !show;
    $(buttonId).setAttribute("aria-expanded", String(show));
    if (show) {
      var first = panel.querySelector("input, select, textarea, button");
      if (first) first.focus();
    }
  }

  function checkboxes(containerId, name, entries) {
    var container = $(containerId);
    container.textContent = "";
    entries.forEach(function (entry) {
      container.appendChild(el("label", {}, [el("input", { type: "checkbox", name: name, value: entry.value, checked: entry.checked ? "checked" : null }), " " + entry.label]));
    });
  }

  function setupPanels() {
    var choices = state.choices;
    var emergency = choices.emergency || { categories: [] };
    checkboxes("urgence-categories", "categories", (choices.categories || []).map(function (c) {
      return { value: c.slug, label: c.label, checked: emergency.categories.indexOf(c.slug) >= 0 };
    }));
    var chosen = emergency.activation ? emergency.activation.sectors : [];
    checkboxes("urgence-secteurs", "sectors", (choices.sectors || []).map(function (s) { return { value: s.slug, label: s.name, checked: chosen.indexOf(s.slug) >= 0 }; }));
    var quality = $("urgence-qualite");
    quality.textContent = "";
    (emergency.qualities || []).forEach(function (q) { quality.appendChild(option(q.value, q.label)); });
    renderEmergencyPanel();
    var broadcasts = choices.broadcasts || { kinds: [], audiences: [], channels: [] };
    var kind = $("diffusion-nature");
    kind.textContent = "";
    broadcasts.kinds.forEach(function (k) { kind.appendChild(option(k.value, k.label)); });
    var AUDIENCES = { referents: gettext("référents"), shopkeepers: gettext("commerçants") };
    checkboxes("diffusion-publics", "audiences", broadcasts.audiences.map(function (a) { return { value: a, label: AUDIENCES[a] || a, checked: true }; }));
    checkboxes("diffusion-canaux", "channels", broadcasts.channels.map(function (c) { return { value: c, label: c === "sms" ? gettext("SMS") : gettext("notification"), checked: c === "push" }; }));
    checkboxes("diffusion-secteurs", "sectors", (choices.sectors || []).map(function (s) { return { value: s.slug, label: s.name }; }));
  }

  function values(form, name) {
    return Array.from(form.querySelectorAll("input[name=" + name + "]:checked")).map(function (input) { return input.value; });
  }

  function bindPanels() {
    $("ouvrir-urgence").addEventListener("click", function () { togglePanel("panneau-urgence", "ouvrir-urgence"); renderEmergencyPanel(); });
    $("urgence-confirmer").addEventListener("click", function () {
      var activation = (state.choices.emergency || {}).activation;
      if (activation) send({ action: "emergency_confirm", activation: activation.id });
    });
    $("ouvrir-diffusion").addEventListener("click", function () { togglePanel("panneau-diffusion", "ouvrir-diffusion"); });
    $("ouvrir-aide").addEventListener("click", function () { togglePanel("aide", "ouvrir-aide"); });
    $("son").addEventListener("click", toggleSound);
    $("form-urgence").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      var active = !event.submitter || event.submitter.value === "1";
      var open = (state.choices.emergency || {}).activation;
      if (active && !open) {
        // A new activation: who asked for it, where, until when (empty: the default review time).
        send({
          action: "emergency_activate", categories: values(form, "categories"), sectors: values(form, "sectors"),
          requested_by_quality: $("urgence-qualite").value, requested_by_name: $("urgence-demandeur").value,
          reason: $("urgence-motif").value, review_at: $("urgence-reexamen").value || null,
        });
        return;
      }
      send({ action: "emergency", active: active, categories: active ? values(form, "categories") : [], reason: $("urgence-motif").value });
    });
    // The broadcast form (preview, confirmation, history) is console-broadcasts.js's.
    ["filtre-etat", "filtre-secteur", "filtre-categorie"].forEach(function (id) { $(id).addEventListener("change", renderList); });
  }

  // --- keyboard -----------------------------------------------------------------------------------

  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
  }

  function moveInList(step) {
    var items = visibleItems();
    if (!items.length) return;
    var index = items.findIndex(function (item) { return item.key === state.selected; });
    index = index < 0 && Math.abs(step) < 2 ? 0 : Math.max(0, Math.min(items.length - 1, index + step));
    state.selected = items[index].key;
    items[index].fresh = false;
    renderList();
    renderDetail();
    loadDetail(state.selected);
    var node = $("liste").querySelector('[data-key="' + state.selected + '"]');
    if (node) { node.focus(); $("liste").setAttribute("aria-activedescendant", node.id); }
  }

  function focusList() {
    var node = $("liste").querySelector('[aria-selected="true"]');
    if (node) node.focus();
    else if ($("liste").firstChild) moveInList(0); // nothing selected, or the selection is filtered out
    else $("liste").focus();
  }

  function clickIf(id) {
    var node = $(id);
    if (node && !node.disabled) node.click();
    else feedback(gettext("Action indisponible pour cet élément."), true);
  }

  function focusIf(id) {
    var node = $(id);
    if (node) node.focus();
    else feedback(gettext("Action indisponible pour cet élément."), true);
  }

  function onKey(event) {
    if (event.key === "Escape") {
      ["panneau-urgence", "panneau-diffusion", "aide"].forEach(function (id) { $(id).hidden = true; });
      focusList();
      return;
    }
    var inList = event.target && event.target.closest && event.target.closest("#liste");
    if (inList && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      moveInList(event.key === "ArrowDown" ? 1 : -1);
      return;
    }
    if (inList && (event.key === "Home" || event.key === "End")) {
      event.preventDefault();
      moveInList(event.key === "Home" ? -100000 : 100000);
      return;
    }
    if (inList && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      if (!state.selected) moveInList(0);
      if (state.selected) select(state.selected, true);
      return;
    }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    var actions = {
      l: focusList, j: function () { moveInList(1); }, k: function () { moveInList(-1); },
      c: function () { clickIf("action-claim"); }, r: function () { clickIf("action-release"); },
      v: function () { focusIf("approve-category"); }, x: function () { focusIf("reject-reason"); },
      a: function () { clickIf("action-acknowledge"); }, n: function () { focusIf("note-text"); },
      t: function () { focusIf("handover-agency"); }, f: function () { focusIf("close-outcome"); },
      g: function () { focusIf("assign-to"); }, m: function () { focusIf("merge-into"); },
      u: function () { if (!$("ouvrir-urgence").hidden) { togglePanel("panneau-urgence", "ouvrir-urgence"); renderEmergencyPanel(); } },
      b: function () { togglePanel("panneau-diffusion", "ouvrir-diffusion"); },
      s: toggleSound, "?": function () { togglePanel("aide", "ouvrir-aide"); },
      "/": function () { ($("filtre-q") || $("filtre-etat")).focus(); },
    };
    var handler = actions[event.key];
    if (handler) { event.preventDefault(); handler(); }
  }

  // --- the map: drawn by console-map.js (Leaflet), which sets state.mapView ------------------------

  // What console-map.js may call back: the list's own selection, filters and labels.
  Object.assign(state.api, {
    select: function (key) { select(key, true); },
    visibleItems: visibleItems,
    observationOf: observationOf,
    isOpen: isOpen,
    itemLabel: itemLabel,
  });

  function renderMapPoints() {
    if (state.mapView) state.mapView.items();
  }

  function drawMap(collection) {
    state.sectors = (collection.features || []).filter(function (f) { return f.geometry; });
    if (state.mapView) state.mapView.sectors();
  }

  // --- start --------------------------------------------------------------------------------------

  function fillFilters() {
    var sector = $("filtre-secteur");
    (state.choices.sectors || []).forEach(function (s) { sector.appendChild(option(String(s.id), s.name)); });
    var category = $("filtre-categorie");
    (state.choices.categories || []).forEach(function (c) { category.appendChild(option(c.slug, c.label)); });
  }

  function loadState() {
    return getJson(config.stateUrl).then(function (data) {
      state.me = data.user;
      state.moderator = !!data.user.moderator;
      state.agencyIds = data.agencies.map(function (agency) { return agency.id; });
      state.police = data.user.role === "operator" || data.user.role === "admin";
      state.choices = data.choices || {};
      state.items = new Map();
      data.observations.forEach(function (obs) { upsertObservation(obs, false); });
      data.dispatches.forEach(function (dispatch) { upsertDispatch(dispatch, false); });
      state.lastEventId = Math.max(state.lastEventId, data.newest_event_id);
      state.presence = {};
      (data.presence || []).forEach(updatePresence);
      if (state.choices.emergency) showEmergency(state.choices.emergency);
      showWebhookFailures(data.webhook_failures || []);
      var who = data.user.name + (data.agencies.length ? " — " + data.agencies.map(function (a) { return a.name; }).join(", ") : "") + (state.moderator ? " — " + gettext("modération") : "");
      $("who").textContent = "· " + who;
      hook("stateLoaded", data);
      renderList();
      renderDetail();
      if (state.searchRun) state.searchRun(); // a resync: the search's items are gone with the old state
    });
  }

  // What console-alerts.js calls besides the map's callbacks.
  Object.assign(state.api, {
    send: send, feedback: feedback, announce: announce, getJson: getJson, el: el,
    setSound: setSound, isWaiting: isWaiting, ageText: ageText,
  });

  function start() {
    // What console-broadcasts.js (loaded after this file) uses of this one.
    state.ui = { el: el, getJson: getJson, feedback: feedback, announce: announce, togglePanel: togglePanel, values: values };
    bindPanels();
    document.addEventListener("keydown", onKey);
    window.setInterval(tickAges, 1000);
    state.ready = loadState().then(function () {
      fillFilters();
      setupPanels();
      connect();
    });
    state.ready.then(function () {
      return getJson(config.sectorsUrl);
    }).then(drawMap).catch(function (error) {
      if (error && error.message !== "auth") setConnection("closed", interpolate(gettext("Impossible de charger la console (%(error)s) : rechargez la page dans un instant."), { error: error.message }, true));
    });
    window.addEventListener("online", function () { if (!state.socket) connect(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
