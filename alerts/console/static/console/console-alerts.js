/* Vigie — what makes sure nothing urgent is missed and helps moderators decide (loaded after console.js).
 *
 * - The sound and desktop notification choices, kept on the server (/api/v1/console/preferences/).
 *   Browsers play nothing before a first gesture: the first click or key press unlocks the audio.
 * - A desktop notification for each new item of this console; clicking it brings the tab back on the item.
 * - The tab title counts what waits; urgent and in-progress items waiting are pinned above the list.
 * - Moderators: likely duplicates in the detail (one-click merge), and the series of burglaries banner;
 *   both asked again from the server when observations change.
 */
(function () {
  "use strict";

  var vc = window.vigieConsole;
  if (!vc || !vc.on || !vc.api) return;
  var api = vc.api;
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (singular, plural, count) { return count === 1 ? singular : plural; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };
  var el = api.el;
  var $ = function (id) { return document.getElementById(id); };
  var PREFERENCES_URL = "/api/v1/console/preferences/";
  var SUGGESTIONS_URL = "/api/v1/console/suggestions/";
  var baseTitle = document.title;
  var supported = "Notification" in window;

  vc.preferences = { sound: true, notifications: false };
  vc.suggestions = { duplicates: {}, series: [] };
  vc.notifications = []; // the desktop notifications shown (tests read them)

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function savePreferences(changes) {
    Object.assign(vc.preferences, changes);
    return fetch(PREFERENCES_URL, {
      method: "PATCH",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(changes),
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
    }).catch(function () {
      api.feedback(gettext("Préférence non enregistrée : elle sera oubliée au prochain chargement."), true);
    });
  }

  // --- sound: unlocked by the first gesture ------------------------------------------------------------

  function audioReady() {
    return !!(vc.audio && vc.audio.state === "running");
  }

  function unlockAudio() {
    if (!vc.sound || audioReady()) return;
    try {
      vc.audio = vc.audio || new (window.AudioContext || window.webkitAudioContext)();
      if (vc.audio.state === "suspended") vc.audio.resume();
    } catch (error) { vc.audio = null; }
  }

  document.addEventListener("pointerdown", unlockAudio, true);
  document.addEventListener("keydown", unlockAudio, true);

  // --- desktop notifications ---------------------------------------------------------------------------

  function renderNotificationsButton() {
    var button = $("notifications");
    if (!button) return;
    button.hidden = !supported;
    var on = notificationsOn();
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? gettext("Notifications de bureau : activées") : gettext("Notifications de bureau : désactivées");
  }

  function notificationsOn() {
    return supported && vc.preferences.notifications && window.Notification.permission === "granted";
  }

  function toggleNotifications() {
    if (vc.preferences.notifications && window.Notification.permission === "granted") {
      savePreferences({ notifications: false }).then(renderNotificationsButton);
      renderNotificationsButton();
      return;
    }
    // Asked from this click only: browsers refuse a request that no gesture made.
    var asked = window.Notification.permission === "default" ? window.Notification.requestPermission() : Promise.resolve(window.Notification.permission);
    Promise.resolve(asked).then(function (permission) {
      if (permission === "granted") {
        savePreferences({ notifications: true });
        api.feedback(gettext("Notifications de bureau activées."), false);
      } else {
        api.feedback(gettext("Le navigateur bloque les notifications de ce site : autorisez-les dans ses réglages."), true);
      }
      renderNotificationsButton();
    });
  }

  function notify(item) {
    var obs = api.observationOf(item);
    var urgent = obs.in_progress || obs.urgent;
    if (vc.sound && !audioReady() && urgent) {
      api.feedback(gettext("Le navigateur a bloqué le son : cliquez dans la page ou appuyez sur une touche pour l'autoriser."), true);
    }
    if (!notificationsOn()) return;
    var title = interpolate(urgent ? (obs.in_progress ? gettext("Faits en cours : %(reference)s") : gettext("Urgent : %(reference)s")) : gettext("Nouveau : %(reference)s"), { reference: obs.reference }, true);
    var body = [obs.category ? obs.category.label : "", obs.sector ? obs.sector.name : ""].filter(Boolean).join(" — ");
    try {
      var shown = new window.Notification(title, { body: body, tag: item.key, requireInteraction: !!urgent });
      shown.onclick = function () {
        window.focus();
        api.select(item.key);
        shown.close();
      };
      vc.notifications.push({ key: item.key, title: title, body: body });
    } catch (error) { /* a browser that only notifies from a service worker: the page's signals remain */ }
  }

  // --- what waits: the title and the urgent block ------------------------------------------------------

  function waitingUrgent() {
    return Array.from(vc.items.values()).filter(function (item) {
      var obs = api.observationOf(item);
      return api.isWaiting(item) && (obs.in_progress || obs.urgent);
    }).sort(function (a, b) {
      var oa = api.observationOf(a), ob = api.observationOf(b);
      return (ob.in_progress ? 1 : 0) - (oa.in_progress ? 1 : 0) || Date.parse(oa.created_at || 0) - Date.parse(ob.created_at || 0);
    });
  }

  function renderUrgent(waiting) {
    document.title = waiting ? "(" + waiting + ") " + baseTitle : baseTitle;
    var block = $("urgents");
    if (!block) {
      block = el("section", { id: "urgents", class: "urgents", "aria-labelledby": "titre-urgents" });
      var column = document.querySelector(".colonne-liste");
      column.insertBefore(block, column.firstChild);
    }
    var items = waitingUrgent();
    // Redrawn only when its items change (their ages tick by themselves): a click is never swallowed.
    var key = items.map(function (item) { return item.key + (api.observationOf(item).in_progress ? "!" : ""); }).join(",");
    if (block.dataset.key === key) return;
    block.dataset.key = key;
    var focused = document.activeElement && block.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    block.textContent = "";
    block.hidden = !items.length;
    if (!items.length) return;
    block.appendChild(el("h2", { id: "titre-urgents", text: interpolate(ngettext("Urgent : %(count)s en attente", "Urgents : %(count)s en attente", items.length), { count: items.length }, true) }));
    var list = el("ul", {});
    items.forEach(function (item) {
      var obs = api.observationOf(item);
      var kind = obs.in_progress ? gettext("faits en cours") : gettext("urgent");
      list.appendChild(el("li", { class: obs.in_progress ? "en-cours" : "urgent" }, [
        el("button", { type: "button", "data-key": item.key, onclick: function () { api.select(item.key); } }, [
          el("span", { class: "badge " + (obs.in_progress ? "en-cours" : "urgent"), text: kind }),
          " ",
          el("strong", { text: obs.reference }),
          " " + [obs.category ? obs.category.label : "", obs.sector ? obs.sector.name : ""].filter(Boolean).join(" · ") + " — ",
          el("span", { class: "sr-only", text: gettext("reçu il y a") + " " }),
          el("span", { class: "age", "data-since": obs.created_at, text: api.ageText(obs.created_at) }),
        ]),
      ]));
    });
    block.appendChild(list);
    if (focused) {
      var again = block.querySelector('[data-key="' + focused + '"]');
      if (again) again.focus();
    }
  }

  // Follow-ups waiting for review, shown on their item in the list (screen readers already hear them in
  // the item's label).
  function markFollowUps() {
    document.querySelectorAll("#liste li[data-key^='o:']").forEach(function (node) {
      var item = vc.items.get(node.dataset.key);
      var count = item && item.observation.pending_additions;
      if (!count) return;
      var badges = node.querySelector(".ligne1 > span");
      if (badges) badges.appendChild(el("span", { class: "badge complement", "aria-hidden": "true", text: interpolate(ngettext("%(count)s complément à relire", "%(count)s compléments à relire", count), { count: count }, true) }));
    });
  }

  // --- moderators: likely duplicates and series --------------------------------------------------------

  function duplicateText(dup) {
    var values = { reference: dup.reference, distance: dup.distance_m, minutes: dup.minutes };
    if (dup.reason === "same_place") return interpolate(gettext("Doublon probable de %(reference)s (même commerce, %(minutes)s min)"), values, true);
    return interpolate(gettext("Doublon probable de %(reference)s (%(distance)s m, %(minutes)s min)"), values, true);
  }

  // Redrawn only when what it says changes: a refresh must not swallow a click or move the focus.
  function renderDuplicates(item) {
    var old = $("doublons");
    var actions = document.querySelector("#detail .actions");
    var dups = [];
    if (item && item.kind === "o" && item.observation.status === "pending" && actions && vc.selected === item.key) {
      dups = vc.suggestions.duplicates[String(item.id)] || (item.detail && item.detail.duplicates) || [];
    }
    var key = item ? item.key + ":" + dups.map(duplicateText).join("|") : "";
    if (old && old.dataset.key === key && dups.length) return;
    if (old) old.remove();
    if (!dups.length) return;
    var box = el("div", { id: "doublons", class: "doublons", role: "group", "aria-label": gettext("Doublons probables"), "data-key": key });
    dups.forEach(function (dup) {
      box.appendChild(el("p", {}, [
        el("span", { text: duplicateText(dup) }),
        " ",
        el("button", {
          type: "button", id: "fusionner-" + dup.id, "aria-label": interpolate(gettext("Fusionner avec %(reference)s"), { reference: dup.reference }, true),
          onclick: function () { api.send({ action: "merge", observation: item.id, into: dup.id }); }, text: gettext("Fusionner"),
        }),
      ]));
    });
    actions.parentNode.insertBefore(box, actions);
  }

  function seriesText(series) {
    return interpolate(ngettext("Série : %(count)s cambriolage en %(hours)s h — %(sectors)s", "Série : %(count)s cambriolages en %(hours)s h — %(sectors)s", series.count), {
      count: series.count, hours: series.hours, sectors: series.sectors.map(function (s) { return s.name; }).join(", "),
    }, true);
  }

  // console-broadcasts.js opens the panel on a burglary alert prefilled from the series' validated reports.
  function prepareAlert(series) {
    vc.openBroadcast({ kind: "burglary_alert", observationIds: series.alert_observation_ids });
  }

  function renderSeries() {
    var banner = $("serie");
    if (!banner) {
      banner = el("section", { id: "serie", class: "serie", "aria-label": gettext("Séries de cambriolages") });
      var grid = document.querySelector(".console-grid");
      grid.parentNode.insertBefore(banner, grid);
    }
    var series = vc.moderator ? vc.suggestions.series : [];
    var texts = series.map(seriesText);
    var key = series.map(function (one, index) {
      return texts[index] + ":" + one.observations.map(function (o) { return o.id; }).join(",") + ":" + one.alert_observation_ids.join(",");
    }).join("|");
    banner.hidden = !series.length;
    if (banner.dataset.key === key) return; // unchanged: the same nodes (and the focus) stay
    banner.dataset.key = key;
    banner.textContent = "";
    series.forEach(function (one, index) {
      banner.appendChild(el("p", {}, [
        el("strong", { text: texts[index] }),
        " ",
        el("button", { type: "button", class: "serie-alerte", onclick: function () { prepareAlert(one); }, text: gettext("Préparer une alerte cambriolage") }),
      ]));
    });
    if (texts.length) api.announce(texts.join(" "));
  }

  var refreshTimer = null;

  function refreshSuggestions() {
    window.clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(function () {
      api.getJson(SUGGESTIONS_URL).then(function (data) {
        vc.suggestions = data;
        renderSeries();
        renderDuplicates(vc.selected ? vc.items.get(vc.selected) : null);
      }).catch(function () { /* kept as they were; asked again at the next change */ });
    }, 300);
  }

  // --- hooks into console.js ---------------------------------------------------------------------------

  vc.on("stateLoaded", function (data) {
    vc.preferences = Object.assign({ sound: true, notifications: false }, data.preferences || {});
    api.setSound(!!vc.preferences.sound);
    vc.suggestions = data.suggestions || { duplicates: {}, series: [] };
    renderNotificationsButton();
    renderSeries();
  });
  vc.on("soundChanged", function (on) { savePreferences({ sound: on }); });
  vc.on("newItem", notify);
  vc.on("listRendered", renderUrgent);
  vc.on("listRendered", markFollowUps);
  vc.on("detailRendered", renderDuplicates);
  // Events that add a report or change its status: the duplicates and series may change with them.
  var CHANGES = ["observation.pending", "observation.approved", "observation.rejected", "observation.merged", "observation.closed"];
  vc.on("event", function (event) {
    if (vc.moderator && CHANGES.indexOf(event.type) >= 0) refreshSuggestions();
  });

  var button = $("notifications");
  if (button) button.addEventListener("click", toggleNotifications);
  renderNotificationsButton();
})();
