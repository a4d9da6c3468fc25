/* The report screen (the app's home): POST /api/v1/observations/ (multipart, photos under `photos`).
 *
 * A report is written to IndexedDB first, with its photos as Blobs and an Idempotency-Key made when it is
 * written, then sent. Without network it stays there, « en attente d'envoi », and is sent again when the
 * network comes back (the `online` event) and at each start: the key makes the server store it exactly
 * once however many times it is sent. The position is the phone's (with its accuracy), on a pin that can
 * be moved on the sectors' map; or a sector chosen by hand. Every refusal is the API's, shown next to its
 * field.
 */
(function () {
  "use strict";
  var app = window.vigieApp;
  var gettext = app.gettext;
  var interpolate = app.interpolate;

  var DATABASE = "vigie-signalements";
  var STORE = "envois";
  var CATEGORIES = "vigie.categories"; // last lists read, so that a report can be written offline
  var SECTORS = "vigie.sectors";

  var form = document.getElementById("signalement");
  var positionState = document.getElementById("position-etat");
  var queueSection = document.getElementById("en-attente");
  var queueList = document.getElementById("file-attente");
  var sent = document.getElementById("envoye");
  var previews = document.getElementById("apercus");
  var map = null;
  var pin = null;
  var position = null; // {latitude, longitude, accuracy}; accuracy null once the pin is moved by hand
  var owner = null; // the signed-in referent's id: a phone shared by two referents sends each one's own
  var flushing = null;

  // --- the phone's store of reports waiting to be sent ------------------------------------------
  function database() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function transact(mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function queued() {
    return transact("readonly", function (store) { return store.getAll(); }).then(function (rows) {
      return (rows || []).filter(function (row) { return owner !== null && row.owner === owner; })
        .sort(function (a, b) { return a.written_at - b.written_at; });
    });
  }
  // The app's other tabs hear of every change to the queue and redraw it (IndexedDB tells them nothing).
  var tabs = "BroadcastChannel" in window ? new BroadcastChannel("vigie-signalements") : null;
  function changed(result) { if (tabs) { tabs.postMessage("changed"); } return result; }
  function keep(record) { return transact("readwrite", function (store) { return store.put(record); }).then(changed); }
  function drop(key) { return transact("readwrite", function (store) { return store.delete(key); }).then(changed); }

  // --- sending -----------------------------------------------------------------------------------
  function body(record) {
    var data = new FormData();
    Object.keys(record.fields).forEach(function (name) { data.append(name, record.fields[name]); });
    record.photos.forEach(function (photo) { data.append("photos", photo.blob, photo.name); });
    return data;
  }

  function send(record) {
    return app.api("POST", "/api/v1/observations/", body(record), { idempotencyKey: record.key });
  }

  // Keys the form is sending right now: flush() leaves them alone, or it would send the same report beside
  // the form and could put back, as refused, a report the form has just dropped.
  var inFlight = new Set();

  /* Sends what waits, oldest first; stops at the first network failure (the rest waits with it). */
  function flush() {
    if (flushing) { return flushing; }
    flushing = queued().then(function (records) {
      return records.filter(function (record) { return !record.refused && !inFlight.has(record.key); }).reduce(function (chain, record) {
        return chain.then(function (goOn) {
          if (!goOn) { return false; }
          return send(record).then(function (observation) {
            retryDelay = 5000;
            return drop(record.key).then(function () { confirm(observation); return true; });
          }, function (error) {
            if (error.offline) { return false; } // the `online` event sends it
            if (error.status === 401 || error.status === 429 || error.status >= 500) { retryLater(); return false; }
            // Refused by the API: kept, with its reason, until the referent removes it.
            record.refused = error.detail + " " + flatten(error.errors);
            return keep(record).then(function () { return true; });
          });
        });
      }, Promise.resolve(true));
    }).then(showQueue).finally(function () { flushing = null; });
    return flushing;
  }

  // A refusal that may pass later (server busy, limit, session renewing): tried again, less and less often.
  var retryDelay = 5000;
  var retryTimer = null;
  function retryLater() {
    if (retryTimer) { return; }
    retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 120000);
  }

  function flatten(errors) {
    return Object.keys(errors || {}).map(function (field) { return [].concat(errors[field]).join(" "); }).join(" ");
  }

  // --- what the referent sees --------------------------------------------------------------------
  function when(iso) {
    return new Date(iso).toLocaleString("fr-FR", { timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "short" });
  }

  function showQueue() {
    return queued().then(function (records) {
      queueList.textContent = "";
      records.forEach(function (record) {
        var item = document.createElement("li");
        item.dataset.key = record.key;
        var title = document.createElement("span");
        title.textContent = interpolate(gettext("Signalement du %(when)s — %(category)s"),
          { when: when(record.fields.occurred_at), category: record.category_label }, true) + " ";
        var status = document.createElement("span");
        status.className = "statut";
        status.textContent = record.refused ? gettext("refusé") : gettext("en attente d'envoi");
        item.append(title, status);
        if (record.refused) {
          var reason = document.createElement("p");
          reason.className = "errors";
          reason.textContent = record.refused;
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "secondaire";
          remove.textContent = gettext("Retirer");
          remove.addEventListener("click", function () { drop(record.key).then(showQueue); });
          item.append(reason, remove);
        }
        queueList.appendChild(item);
      });
      queueSection.hidden = records.length === 0;
    });
  }

  function confirm(observation) {
    sent.textContent = "";
    sent.dataset.id = observation.id;
    var line = document.createElement("p");
    line.textContent = interpolate(gettext("Signalement %(reference)s envoyé."), { reference: observation.reference }, true);
    var status = document.createElement("p");
    status.append(gettext("Statut : "));
    var label = document.createElement("strong");
    label.className = "statut";
    label.textContent = observation.status_label;
    status.appendChild(label);
    var refresh = document.createElement("button");
    refresh.type = "button";
    refresh.className = "secondaire";
    refresh.textContent = gettext("Actualiser le statut");
    refresh.addEventListener("click", function () {
      app.api("GET", "/api/v1/observations/" + observation.id + "/").then(function (fresh) {
        label.textContent = fresh.status_label;
      }, function (error) { app.message(error.detail); });
    });
    sent.append(line, status, refresh);
    if (observation.emergency_reminder && observation.in_progress) {
      var reminder = document.createElement("p");
      reminder.className = "urgence-rappel";
      reminder.textContent = observation.emergency_reminder;
      sent.appendChild(reminder);
    }
    sent.hidden = false;
  }

  // --- the form ----------------------------------------------------------------------------------
  function localNow() {
    var now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    return now.toISOString().slice(0, 16);
  }

  function fill(select, options) {
    options.forEach(function (option) {
      var node = document.createElement("option");
      node.value = option.value;
      node.textContent = option.label;
      select.appendChild(node);
    });
  }

  /* The API's list when it answers, else the last one read (offline start). */
  function cached(storageKey, load) {
    return load().then(function (data) {
      localStorage.setItem(storageKey, JSON.stringify(data));
      return data;
    }, function (error) {
      var kept = localStorage.getItem(storageKey);
      if (error.offline && kept) { return JSON.parse(kept); }
      throw error;
    });
  }

  function loadCategories() {
    return cached(CATEGORIES, function () { return app.api("GET", "/api/v1/categories/"); }).then(function (list) {
      fill(form.elements.category, list.results.map(function (c) { return { value: c.slug, label: c.label }; }));
      if (list.emergency_reminder) { document.getElementById("rappel-en-cours").textContent = list.emergency_reminder; }
    });
  }

  function loadSectors(profile) {
    var commune = profile && profile.commune ? "?commune=" + encodeURIComponent(profile.commune.slug) : "";
    return cached(SECTORS, function () {
      return app.api("GET", "/api/v1/sectors/" + commune, null, { auth: false });
    }).then(function (collection) {
      var features = collection.features || [];
      fill(form.elements.sector, features.map(function (f) { return { value: f.properties.slug, label: f.properties.name }; }));
      drawMap(features);
    });
  }

  function drawMap(features) {
    if (!window.L) { return; }
    var container = document.getElementById("carte");
    map = L.map(container, { attributionControl: Boolean(form.dataset.tileUrl), maxZoom: 19, zoomSnap: 0.5 });
    if (form.dataset.tileUrl) {
      L.tileLayer(form.dataset.tileUrl, { attribution: form.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
    }
    var outlines = L.featureGroup().addTo(map);
    features.forEach(function (feature) {
      L.geoJSON(feature, { style: { className: "secteur" }, interactive: false })
        .bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "secteur-nom" }).addTo(outlines);
    });
    if (features.length) { map.fitBounds(outlines.getBounds(), { padding: [8, 8] }); } else { map.setView([46.6, 2.4], 5); }
    map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, null, true); });
    if (position) { place(position.latitude, position.longitude, position.accuracy, false); }
  }

  function place(latitude, longitude, accuracy, byHand) {
    position = { latitude: latitude, longitude: longitude, accuracy: accuracy };
    positionState.textContent = byHand
      ? gettext("Position placée à la main sur la carte.")
      : interpolate(gettext("Position du téléphone, à %(metres)s m près."), { metres: Math.round(accuracy) }, true);
    if (!map) { return; }
    if (!pin) {
      pin = L.marker([latitude, longitude], {
        draggable: true,
        keyboard: true,
        title: gettext("Repère du signalement"),
        icon: L.divIcon({ className: "repere", html: "", iconSize: [22, 22] }),
      }).addTo(map);
      pin.on("dragend", function () {
        var at = pin.getLatLng();
        place(at.lat, at.lng, null, true);
      });
    } else {
      pin.setLatLng([latitude, longitude]);
    }
    if (!byHand) { map.setView([latitude, longitude], Math.max(map.getZoom() || 0, 15)); }
  }

  function locate() {
    if (!navigator.geolocation) {
      positionState.textContent = gettext("Ce téléphone ne donne pas sa position : placez le repère sur la carte ou choisissez un secteur.");
      return;
    }
    navigator.geolocation.getCurrentPosition(function (found) {
      place(found.coords.latitude, found.coords.longitude, found.coords.accuracy, false);
    }, function () {
      positionState.textContent = gettext("Position indisponible : placez le repère sur la carte ou choisissez un secteur.");
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  function showPreviews() {
    previews.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
    previews.textContent = "";
    Array.prototype.forEach.call(form.elements.photos.files, function (file) {
      var item = document.createElement("li");
      var img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = interpolate(gettext("Photo jointe : %(name)s"), { name: file.name }, true);
      item.appendChild(img);
      previews.appendChild(item);
    });
  }

  /* The report as the API takes it; only what the referent gave (the API checks the rest). */
  function record() {
    var fields = {
      category: form.elements.category.value,
      description: form.elements.description.value,
      in_progress: form.elements.in_progress.checked ? "true" : "false",
      place: form.elements.place.value.trim(),
    };
    var at = form.elements.occurred_at.value;
    if (at) { fields.occurred_at = new Date(at).toISOString(); }
    if (form.elements.no_position.checked) {
      fields.sector = form.elements.sector.value;
    } else if (position) {
      fields.latitude = String(position.latitude);
      fields.longitude = String(position.longitude);
      if (position.accuracy !== null) { fields.accuracy = String(Math.round(position.accuracy * 10) / 10); }
    }
    var select = form.elements.category;
    return {
      key: app.uuid(), // made now, kept with the report: the same report is stored once however often sent
      owner: owner,
      written_at: Date.now(),
      category_label: select.selectedIndex > 0 ? select.options[select.selectedIndex].text : "",
      fields: fields,
      photos: Array.prototype.map.call(form.elements.photos.files, function (file) {
        return { name: file.name, type: file.type, blob: file };
      }),
    };
  }

  function reset() {
    form.reset();
    form.elements.occurred_at.value = localNow();
    document.getElementById("choix-secteur").hidden = true;
    document.getElementById("rappel-en-cours").hidden = true;
    showPreviews();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    app.clearErrors(form);
    sent.hidden = true;
    var report = record();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    inFlight.add(report.key);
    keep(report).then(function () {
      return send(report).then(function (observation) {
        return drop(report.key).then(function () { confirm(observation); reset(); });
      }, function (error) {
        if (error.offline && owner === null) {
          // Not yet known who is signed in (never online since): nothing to file the report under.
          app.showErrors(form, error);
          return drop(report.key);
        }
        if (error.offline) {
          app.message(gettext("Pas de réseau : votre signalement est gardé sur le téléphone et partira au retour du réseau."), "info");
          reset();
          return;
        }
        // Refused as written: the referent corrects it here; the next try is a new report with a new key.
        return drop(report.key).then(function () { app.showErrors(form, error); });
      });
    }).finally(function () { inFlight.delete(report.key); }).then(showQueue).finally(function () { button.disabled = false; });
  });

  form.elements.in_progress.addEventListener("change", function () {
    document.getElementById("rappel-en-cours").hidden = !form.elements.in_progress.checked;
  });
  form.elements.no_position.addEventListener("change", function () {
    document.getElementById("choix-secteur").hidden = !form.elements.no_position.checked;
  });
  form.elements.photos.addEventListener("change", showPreviews);
  window.addEventListener("online", flush);
  if (tabs) { tabs.onmessage = function () { showQueue(); }; }

  form.elements.occurred_at.value = localNow();
  app.ready().then(function (profile) {
    owner = profile ? profile.id : null;
    if (profile && !profile.can_submit && profile.cannot_submit_reason) {
      app.message(profile.cannot_submit_reason, "info");
    }
    locate();
    return Promise.all([loadCategories(), loadSectors(profile)]);
  }).catch(function (error) {
    if (error && error.detail) { app.message(error.detail); }
  }).then(showQueue).then(flush);
}());
