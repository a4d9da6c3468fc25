/* Vigie — the console's broadcasts (loaded after console.js, which it uses through window.vigieConsole).
 *
 * Composing shows, as one types (debounced), what POST /api/v1/broadcasts/preview/ answers: the recipients
 * per channel and the SMS counter (GSM-7 or UCS-2, parts), the characters outside GSM-7 and a button that
 * applies the server's transliteration. « Diffuser » asks for a confirmation naming those counts; the
 * broadcast goes through POST /api/v1/broadcasts/ (an Idempotency-Key per confirmation). The panel lists
 * the drafts awaiting a second person's approval and the recent broadcasts with their receipts: reloaded
 * on every broadcast.* event of the socket, and the receipts of those still sending polled every few
 * seconds while the panel is open (the outbox worker, in another process, emits no event per SMS).
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (singular, plural, count) { return count === 1 ? singular : plural; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };

  var API = "/api/v1/broadcasts/";
  var PREVIEW_DELAY_MS = 400;
  var RECEIPTS_EVERY_MS = 2000;
  var HISTORY_SIZE = 10;

  // The form's labels, to say which field an error of the API is about.
  var FIELDS = {
    kind: gettext("Nature"), title: gettext("Titre"), body: gettext("Texte"), audiences: gettext("Publics"), channels: gettext("Canaux"),
    sectors: gettext("Secteurs"), send_at: gettext("Envoi programmé"), expires_at: gettext("Expiration"),
  };

  var consoleState = window.vigieConsole;
  var ui = consoleState.ui;
  var el = ui.el;
  var $ = function (id) { return document.getElementById(id); };
  var panel = $("panneau-diffusion");
  var form = $("form-diffusion");

  var bc = {
    preview: null, // the last preview answered for the form as it is now
    previewTimer: null,
    previewSeq: 0,
    prefilled: null, // {title, body} last put in the form by a prefill: replaced by the next one unless edited
    receipts: new Map(), // broadcast id → receipts
    pollTimer: null,
    pollGeneration: 0,
    idempotencyKey: null,
    sending: false,
    mine: new Set(), // ids of the broadcasts this page sent: their events leave our own feedback alone
  };
  consoleState.broadcasts = bc;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // The API's answer, or an Error carrying its French message (field errors included).
  function api(method, url, body, headers) {
    var options = { method: method, credentials: "same-origin", headers: Object.assign({ Accept: "application/json" }, headers || {}) };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrfToken();
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).catch(function () {
      throw new Error(gettext("serveur injoignable"));
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) return data;
        var messages = [];
        Object.keys(data.errors || {}).forEach(function (field) {
          var label = FIELDS[field];
          messages = messages.concat(data.errors[field].map(function (message) { return label ? label + " : " + message : message; }));
        });
        var error = new Error(messages.length ? messages.join(" ") : (data.detail || interpolate(gettext("le serveur a répondu %(status)s"), { status: response.status }, true)));
        error.status = response.status;
        throw error;
      });
    });
  }

  // --- the request the form describes -------------------------------------------------------------

  function request() {
    var sendAt = $("diffusion-envoi").value; // local time of the input: the server reads it in Europe/Paris
    return {
      kind: $("diffusion-nature").value,
      title: $("diffusion-titre").value,
      body: $("diffusion-texte").value,
      audiences: ui.values(form, "audiences"),
      channels: ui.values(form, "channels"),
      sectors: ui.values(form, "sectors"),
      include_adjacent: form.querySelector("input[name=include_adjacent]").checked,
      send_at: sendAt || null,
    };
  }

  // --- preview --------------------------------------------------------------------------------------

  function schedulePreview() {
    bc.preview = null;
    window.clearTimeout(bc.previewTimer);
    bc.previewTimer = window.setTimeout(refreshPreview, PREVIEW_DELAY_MS);
  }

  function refreshPreview() {
    var seq = ++bc.previewSeq;
    if (!$("diffusion-titre").value.trim() && !$("diffusion-texte").value.trim()) {
      bc.preview = null;
      $("diffusion-apercu").classList.remove("erreur");
      $("diffusion-apercu").textContent = gettext("Choisissez la nature ou écrivez un titre et un texte : les destinataires et le coût des SMS s'affichent ici.");
      $("diffusion-sms").hidden = true;
      return Promise.resolve(null);
    }
    return api("POST", API + "preview/", request()).then(function (preview) {
      if (seq !== bc.previewSeq) return null; // the form changed since: a newer preview is on its way
      bc.preview = preview;
      showPreview(preview);
      return preview;
    }, function (error) {
      if (seq !== bc.previewSeq) return null;
      bc.preview = null;
      $("diffusion-apercu").textContent = interpolate(gettext("Aperçu indisponible : %(error)s"), { error: error.message }, true);
      $("diffusion-apercu").classList.add("erreur");
      $("diffusion-sms").hidden = true;
      return null;
    });
  }

  function recipientsText(counts) {
    return interpolate(ngettext("%(total)s destinataire : %(push)s notifications, %(sms)s SMS, %(inbox)s boîte de réception seule.",
      "%(total)s destinataires : %(push)s notifications, %(sms)s SMS, %(inbox)s boîte de réception seule.", counts.total),
      { total: counts.total, push: counts.push, sms: counts.sms, inbox: counts.inbox_only }, true);
  }

  function smsCounter(sms) {
    if (sms.encoding === "GSM-7") {
      return interpolate(ngettext("%(n)s/%(capacity)s · GSM-7 · %(parts)s SMS", "%(n)s/%(capacity)s · GSM-7 · %(parts)s SMS par personne", sms.segments),
        { n: sms.characters, capacity: sms.capacity, parts: sms.segments }, true);
    }
    return interpolate(ngettext("%(n)s/%(capacity)s · UCS-2 · %(parts)s SMS", "%(n)s/%(capacity)s · UCS-2 · %(parts)s SMS par personne", sms.segments),
      { n: sms.characters, capacity: sms.capacity, parts: sms.segments }, true);
  }

  function showPreview(preview) {
    var apercu = $("diffusion-apercu");
    apercu.classList.remove("erreur");
    var perAudience = preview.audiences.map(function (a) {
      return interpolate(gettext("%(audience)s : %(total)s"), { audience: AUDIENCES[a.audience] || a.audience, total: a.total }, true);
    }).join(" ; ");
    apercu.textContent = recipientsText(preview.recipients) + (preview.audiences.length > 1 ? " (" + perAudience + ")" : "");
    apercu.dataset.total = String(preview.recipients.total);
    var sms = preview.sms;
    var smsAsked = ui.values(form, "channels").indexOf("sms") >= 0;
    $("diffusion-sms").hidden = !smsAsked;
    var counter = $("diffusion-compteur");
    counter.textContent = smsCounter(sms) + (sms.total_sms ? " — " + interpolate(ngettext("%(n)s SMS facturé", "%(n)s SMS facturés", sms.total_sms), { n: sms.total_sms }, true) : "");
    counter.dataset.encoding = sms.encoding;
    counter.classList.toggle("ucs2", sms.encoding !== "GSM-7");
    var outside = sms.non_gsm7_characters;
    $("diffusion-hors-gsm").hidden = !outside.length;
    highlight(outside);
    $("diffusion-gsm7").title = interpolate(gettext("Après remplacement : %(counter)s"), { counter: smsCounter(sms.transliteration) }, true);
  }

  // The SMS's text with each character outside GSM-7 marked (what the replacement button changes).
  function highlight(outside) {
    var mark = $("diffusion-marque");
    mark.textContent = "";
    if (!outside.length) return;
    var text = $("diffusion-titre").value + "\n" + $("diffusion-texte").value;
    Array.from(text).forEach(function (char) {
      if (outside.indexOf(char) >= 0) mark.appendChild(el("mark", { class: "hors-gsm", text: char }));
      else mark.appendChild(document.createTextNode(char));
    });
  }

  function transliterate() {
    var ready = bc.preview ? Promise.resolve(bc.preview) : refreshPreview();
    ready.then(function (preview) {
      if (!preview) return;
      $("diffusion-titre").value = preview.sms.transliteration.title;
      $("diffusion-texte").value = preview.sms.transliteration.body;
      ui.feedback(gettext("Texte converti en caractères GSM-7."), false);
      refreshPreview();
    });
  }

  // --- prefill: the commune's template of the kind, or an alert from observations ------------------

  function prefill(kind, observationIds) {
    var query = ["kind=" + encodeURIComponent(kind)].concat((observationIds || []).map(function (id) { return "observation=" + encodeURIComponent(id); }));
    return api("GET", API + "prefill/?" + query.join("&")).then(function (text) {
      var title = $("diffusion-titre"), body = $("diffusion-texte");
      var untouched = !bc.prefilled ? !title.value && !body.value : title.value === bc.prefilled.title && body.value === bc.prefilled.body;
      if (untouched || (observationIds && observationIds.length)) {
        title.value = text.title;
        body.value = text.body;
        bc.prefilled = { title: text.title, body: text.body };
      }
      if (text.sectors.length) {
        form.querySelectorAll("input[name=sectors]").forEach(function (box) { box.checked = text.sectors.indexOf(box.value) >= 0; });
      }
      schedulePreview();
    }, function (error) {
      ui.feedback(interpolate(gettext("Préremplissage impossible : %(error)s"), { error: error.message }, true), true);
    });
  }

  // The « série » banner (and anyone else) opens the panel on a burglary alert made from observations.
  consoleState.openBroadcast = function (options) {
    options = options || {};
    var kind = options.kind || "burglary_alert";
    $("diffusion-nature").value = kind;
    ui.togglePanel("panneau-diffusion", "ouvrir-diffusion", true);
    return prefill(kind, options.observationIds || []);
  };

  // --- confirmation and sending ------------------------------------------------------------------

  function question(preview) {
    var counts = preview.recipients;
    var parts = [interpolate(ngettext("%(n)s notification", "%(n)s notifications", counts.push), { n: counts.push }, true)];
    var sms = interpolate(ngettext("%(n)s SMS", "%(n)s SMS", counts.sms), { n: counts.sms }, true);
    if (counts.sms) sms += " " + interpolate(ngettext("(%(n)s SMS facturé)", "(%(n)s SMS facturés)", preview.sms.total_sms), { n: preview.sms.total_sms }, true);
    parts.push(sms);
    if (counts.inbox_only) parts.push(interpolate(ngettext("%(n)s en boîte de réception seule", "%(n)s en boîte de réception seule", counts.inbox_only), { n: counts.inbox_only }, true));
    var people = interpolate(ngettext("%(n)s personne", "%(n)s personnes", counts.total), { n: counts.total }, true);
    var when = $("diffusion-envoi").value;
    var text = interpolate(gettext("Envoyer à %(people)s : %(parts)s ?"), { people: people, parts: parts.join(", ") }, true);
    return when ? text + " " + interpolate(gettext("Envoi programmé le %(date)s (heure de Paris)."), { date: consoleState.formatTime(when, "minute") }, true) : text;
  }

  function askConfirmation(event) {
    event.preventDefault();
    window.clearTimeout(bc.previewTimer);
    refreshPreview().then(function (preview) {
      if (!preview) { ui.feedback($("diffusion-apercu").textContent, true); return; }
      bc.idempotencyKey = window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : String(Date.now()) + Math.random();
      $("diffusion-question").textContent = question(preview);
      $("diffusion-confirmation").hidden = false;
      $("diffusion-confirmer").focus();
    });
  }

  function closeConfirmation() {
    $("diffusion-confirmation").hidden = true;
    bc.idempotencyKey = null;
  }

  function confirmSend() {
    if (bc.sending || !bc.idempotencyKey) return;
    bc.sending = true;
    ui.feedback(gettext("Envoi…"), false);
    api("POST", API, request(), { "Idempotency-Key": bc.idempotencyKey }).then(function (broadcast) {
      closeConfirmation();
      bc.mine.add(broadcast.id);
      var done = { draft: gettext("Diffusion enregistrée : elle attend la validation d'une autre personne."), scheduled: gettext("Diffusion programmée.") };
      ui.feedback(done[broadcast.state] || gettext("Diffusion lancée."), false);
      $("diffusion-titre").value = "";
      $("diffusion-texte").value = "";
      $("diffusion-envoi").value = "";
      bc.prefilled = null;
      schedulePreview();
      loadLists();
      $("titre-historique").focus();
    }, function (error) {
      ui.feedback(error.message, true);
    }).then(function () { bc.sending = false; });
  }

  // --- lists: awaiting approval, history with receipts ---------------------------------------------

  var AUDIENCES = { referents: gettext("référents"), shopkeepers: gettext("commerçants") };

  function receiptsText(receipts) {
    var push = receipts.push, sms = receipts.sms;
    var text = interpolate(ngettext("Notifications : %(sent)s envoyée, %(queued)s en file", "Notifications : %(sent)s envoyées, %(queued)s en file", push.sent), { sent: push.sent, queued: push.queued }, true);
    text += " ; " + interpolate(ngettext("SMS : %(sent)s envoyé, %(queued)s en file", "SMS : %(sent)s envoyés, %(queued)s en file", sms.sent), { sent: sms.sent, queued: sms.queued }, true);
    var failed = push.failed + push.invalid + sms.failed + sms.invalid;
    if (failed) text += " ; " + interpolate(ngettext("%(n)s échec", "%(n)s échecs", failed), { n: failed }, true);
    var held = push.cancelled + sms.cancelled;
    if (held) text += " ; " + interpolate(ngettext("%(n)s retenu", "%(n)s retenus", held), { n: held }, true);
    var inbox = receipts.inbox_only.recipients;
    if (inbox) text += " ; " + interpolate(ngettext("%(n)s en boîte de réception seule", "%(n)s en boîte de réception seule", inbox), { n: inbox }, true);
    return text;
  }

  function sending(receipts) {
    return !!receipts && receipts.push.queued + receipts.sms.queued > 0;
  }

  function act(broadcast, path, body, done) {
    return api("POST", API + broadcast.id + "/" + path + "/", body).then(function () {
      ui.feedback(done, false);
      loadLists();
    }, function (error) { ui.feedback(error.message, true); });
  }

  // A small form under a broadcast: a text and a button (update, cancel).
  function inlineForm(item, id, label, placeholder, submitLabel, onSubmit) {
    var existing = item.querySelector("form");
    if (existing) { existing.remove(); loadLists(); return; }
    var input = el("textarea", { id: id, rows: "2", maxlength: "1000", placeholder: placeholder });
    var inline = el("form", { class: "diffusion-action" }, [
      el("label", { for: id, text: label }), input, el("button", { type: "submit", text: submitLabel }),
    ]);
    inline.addEventListener("submit", function (event) { event.preventDefault(); inline.remove(); onSubmit(input.value); });
    item.appendChild(inline);
    input.focus();
  }

  function historyItem(broadcast) {
    var item = el("li", { "data-broadcast-id": String(broadcast.id), "data-state": broadcast.state });
    var when = broadcast.state === "scheduled" ? interpolate(gettext("programmée le %(date)s"), { date: consoleState.formatTime(broadcast.send_at, "minute") }, true)
      : broadcast.sent_at ? interpolate(gettext("envoyée le %(date)s"), { date: consoleState.formatTime(broadcast.sent_at, "minute") }, true)
        : interpolate(gettext("rédigée le %(date)s"), { date: consoleState.formatTime(broadcast.created_at, "minute") }, true);
    var kinds = { update: gettext("Mise à jour : "), cancel: gettext("Annulation : ") };
    item.appendChild(el("p", { class: "ligne1" }, [
      el("strong", { text: (kinds[broadcast.msg_type] || "") + broadcast.title }),
      el("span", { class: "badge", text: broadcast.state_label }),
    ]));
    item.appendChild(el("p", { class: "ligne2", text: interpolate(ngettext("%(kind)s · %(when)s · %(n)s destinataire", "%(kind)s · %(when)s · %(n)s destinataires", broadcast.recipients),
      { kind: broadcast.kind_label, when: when, n: broadcast.recipients }, true) }));
    var receipts = bc.receipts.get(broadcast.id);
    item.appendChild(el("p", { class: "accuses", "aria-live": "polite", text: receipts ? receiptsText(receipts) : "" }));
    var open = ["draft", "scheduled", "sent"].indexOf(broadcast.state) >= 0 && !broadcast.original;
    if (open) {
      var actions = el("p", { class: "boutons" });
      actions.appendChild(el("button", { type: "button", class: "secondary", text: gettext("Mettre à jour"), onclick: function () {
        inlineForm(item, "maj-" + broadcast.id, broadcast.state === "sent" ? gettext("Message de mise à jour (envoyé aux mêmes destinataires)") : gettext("Nouveau texte"),
          "", gettext("Envoyer la mise à jour"), function (text) { act(broadcast, "update", { body: text }, gettext("Mise à jour envoyée.")); });
      } }));
      actions.appendChild(el("button", { type: "button", class: "secondary", text: gettext("Annuler la diffusion"), onclick: function () {
        inlineForm(item, "annulation-" + broadcast.id, gettext("Message d'annulation (facultatif)"), gettext("Le message est annulé."),
          gettext("Confirmer l'annulation"), function (text) { act(broadcast, "cancel", { body: text }, gettext("Diffusion annulée.")); });
      } }));
      item.appendChild(actions);
    }
    return item;
  }

  function approvalItem(broadcast) {
    var mine = consoleState.me && broadcast.created_by === consoleState.me.id;
    var item = el("li", { "data-broadcast-id": String(broadcast.id) }, [
      el("p", { class: "ligne1" }, [el("strong", { text: broadcast.title }), el("span", { class: "badge", text: broadcast.kind_label })]),
      el("p", { class: "texte", text: broadcast.body }),
    ]);
    if (mine) {
      // The two-person rule: the server refuses the author's own approval; they may withdraw it.
      item.appendChild(el("p", { class: "vide", text: gettext("Rédigée par vous : une autre personne doit la valider.") }));
      item.appendChild(el("p", { class: "boutons" }, [el("button", { type: "button", class: "secondary", text: gettext("Retirer"), onclick: function () {
        act(broadcast, "cancel", { body: "" }, gettext("Diffusion retirée : personne ne la reçoit."));
      } })]));
    } else {
      item.appendChild(el("p", { class: "boutons" }, [
        el("button", { type: "button", text: gettext("Approuver"), onclick: function () { act(broadcast, "approve", {}, gettext("Diffusion validée.")); } }),
        el("button", { type: "button", class: "secondary", text: gettext("Refuser"), onclick: function () {
          act(broadcast, "cancel", { body: "" }, gettext("Diffusion refusée : personne ne la reçoit."));
        } }),
      ]));
    }
    return item;
  }

  function render(list) {
    // A message being written under a broadcast is not wiped by an event: the lists wait for it.
    if (panel.querySelector(".diffusion-action")) return;
    var drafts = list.filter(function (b) { return b.state === "draft"; });
    var pending = $("diffusion-a-valider");
    pending.textContent = "";
    drafts.forEach(function (b) { pending.appendChild(approvalItem(b)); });
    if (!drafts.length) pending.appendChild(el("li", { class: "vide", text: gettext("Aucune diffusion à valider.") }));
    var history = $("diffusion-historique");
    history.textContent = "";
    list.filter(function (b) { return b.state !== "draft"; }).forEach(function (b) { history.appendChild(historyItem(b)); });
    if (!history.firstChild) history.appendChild(el("li", { class: "vide", text: gettext("Aucune diffusion pour le moment.") }));
  }

  function loadReceipts(ids) {
    return Promise.all(ids.map(function (id) {
      return api("GET", API + id + "/").then(function (detail) {
        bc.receipts.set(id, detail.receipts);
        var node = document.querySelector('#diffusion-historique li[data-broadcast-id="' + id + '"] .accuses');
        if (node) node.textContent = receiptsText(detail.receipts);
      }, function () { /* gone or not ours any more: the next list reload drops it */ });
    }));
  }

  function loadLists() {
    if (panel.hidden) return Promise.resolve();
    return api("GET", API + "?page_size=" + HISTORY_SIZE).then(function (page) {
      bc.list = page.results;
      render(page.results);
      return loadReceipts(page.results.filter(function (b) { return b.state === "sent" || b.state === "cancelled"; }).map(function (b) { return b.id; }));
    }, function (error) {
      ui.feedback(interpolate(gettext("Diffusions indisponibles : %(error)s"), { error: error.message }, true), true);
    });
  }

  // One polling loop per opening of the panel: a loop of an earlier opening stops at its next turn.
  function poll(generation) {
    window.clearTimeout(bc.pollTimer);
    if (panel.hidden || generation !== bc.pollGeneration) return;
    var busy = (bc.list || []).filter(function (b) { return b.state === "sent" && (!bc.receipts.has(b.id) || sending(bc.receipts.get(b.id))); });
    loadReceipts(busy.map(function (b) { return b.id; })).then(function () {
      if (generation === bc.pollGeneration) bc.pollTimer = window.setTimeout(poll, RECEIPTS_EVERY_MS, generation);
    });
  }

  // True for the draft event of a broadcast this page sent: console.js then keeps the sending's feedback
  // (« elle attend la validation… »), which says more than the event's title, whichever arrives last.
  consoleState.onBroadcastEvent = function (event) {
    loadLists();
    return event.type === "broadcast.drafted" && bc.mine.has((event.data || {}).id);
  };

  // --- wiring --------------------------------------------------------------------------------------

  function bind() {
    form.addEventListener("submit", askConfirmation);
    form.addEventListener("input", schedulePreview);
    form.addEventListener("change", function (event) {
      if (event.target.id === "diffusion-nature") prefill(event.target.value, []);
      else schedulePreview();
    });
    $("diffusion-gsm7").addEventListener("click", transliterate);
    $("diffusion-confirmer").addEventListener("click", confirmSend);
    $("diffusion-annuler").addEventListener("click", function () { closeConfirmation(); $("diffusion-nature").focus(); });
    // The panel is opened and closed by console.js (button, « b », Échap): its lists follow.
    new MutationObserver(function () {
      if (panel.hidden) { window.clearTimeout(bc.pollTimer); closeConfirmation(); return; }
      var generation = ++bc.pollGeneration;
      loadLists().then(function () { poll(generation); });
      schedulePreview();
    }).observe(panel, { attributes: true, attributeFilter: ["hidden"] });
  }

  bind();
})();
