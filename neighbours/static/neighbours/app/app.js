/* Vigie — the referents' web app: the API client every screen uses (plain JavaScript, no build step).
 *
 * window.vigieApp.api(method, path, body, {idempotencyKey}) calls the public API with the referent's
 * tokens (localStorage), refreshes them once on a 401 through /api/v1/auth/token/refresh/, and sends a
 * signed-out visitor to /app/connexion/. It resolves with the response's JSON; it rejects with an
 * ApiError whose `errors` are the API's French messages per field ({field: [message]}), or with
 * `offline: true` when the request never reached the server.
 * The app decides nothing itself: every refusal comes from the API and is shown as it says it.
 */
(function () {
  "use strict";

  // Django's JavaScript catalogue (/app/jsi18n/, loaded before this file) defines gettext and interpolate;
  // French is the source language. Should it fail to load, the French text is shown as is.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };

  var ACCESS = "vigie.access";
  var REFRESH = "vigie.refresh";
  var ME = "vigie.me"; // the last profile read, for a start without network (the charter gate)
  var SIGNIN = "/app/connexion/";
  var refreshing = null; // one refresh at a time, shared by the requests that got a 401 together

  function ApiError(status, data) {
    data = data || {};
    this.status = status;
    this.detail = data.detail || gettext("Le serveur n'a pas pu traiter la demande.");
    this.errors = data.errors || {};
    this.retryAfter = data.retry_after || null;
    this.offline = false;
  }

  function offlineError() {
    var error = new ApiError(0, { detail: gettext("Pas de réseau : réessayez quand la connexion sera revenue.") });
    error.offline = true;
    return error;
  }

  function tokens() {
    return { access: localStorage.getItem(ACCESS), refresh: localStorage.getItem(REFRESH) };
  }

  function storeTokens(pair) {
    localStorage.setItem(ACCESS, pair.access);
    if (pair.refresh) { localStorage.setItem(REFRESH, pair.refresh); }
  }

  function clearTokens() {
    localStorage.removeItem(ACCESS);
    localStorage.removeItem(REFRESH);
    localStorage.removeItem(ME);
  }

  function signedIn() { return Boolean(tokens().refresh); }

  function toSignIn() {
    var here = location.pathname + location.search;
    location.assign(here === SIGNIN ? SIGNIN : SIGNIN + "?suite=" + encodeURIComponent(here));
  }

  function send(method, path, body, options, access) {
    var headers = { Accept: "application/json" };
    var init = { method: method, headers: headers, credentials: "omit", cache: "no-store" };
    if (access) { headers.Authorization = "Bearer " + access; }
    if (options && options.idempotencyKey) { headers["Idempotency-Key"] = options.idempotencyKey; }
    if (body instanceof FormData) {
      init.body = body; // multipart: the browser writes the boundary
    } else if (body !== undefined && body !== null) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      if (response.status === 204) { return { response: response, data: null }; }
      return response.json().then(
        function (data) { return { response: response, data: data }; },
        function () { return { response: response, data: null }; }
      );
    }, function () { throw offlineError(); });
  }

  function refresh() {
    if (!refreshing) {
      var token = tokens().refresh;
      refreshing = (token ? send("POST", "/api/v1/auth/token/refresh/", { refresh: token }) : Promise.resolve(null))
        .then(function (result) {
          if (result && result.response.ok) { storeTokens(result.data); return true; }
          if (result === null || result.response.status === 401 || result.response.status === 400) {
            clearTokens();
          }
          return false;
        })
        .finally(function () { refreshing = null; });
    }
    return refreshing;
  }

  /* Calls the API; `auth: false` in options for the sign-in doors, which take no token. */
  function api(method, path, body, options) {
    options = options || {};
    var authed = options.auth !== false;
    if (authed && !signedIn()) { toSignIn(); return Promise.reject(new ApiError(401)); }
    return send(method, path, body, options, authed ? tokens().access : null).then(function (result) {
      if (result.response.status === 401 && authed) {
        return refresh().then(function (renewed) {
          if (!renewed) { toSignIn(); throw new ApiError(401, result.data); }
          return send(method, path, body, options, tokens().access);
        }).then(function (again) {
          if (again.response.status === 401) { clearTokens(); toSignIn(); }
          return again;
        });
      }
      return result;
    }).then(function (result) {
      if (!result.response.ok) { throw new ApiError(result.response.status, result.data); }
      return result.data;
    });
  }

  /* The next page of a paginated list: the API's absolute `next` link as a path for api(). */
  function nextPath(link) {
    var url = new URL(link, location.origin);
    return url.pathname + url.search;
  }

  /* The referent's profile; without network, the last one read (null if none). */
  function me() {
    return api("GET", "/api/v1/referents/me/").then(function (profile) {
      localStorage.setItem(ME, JSON.stringify(profile));
      return profile;
    }, function (error) {
      if (error.offline) { return JSON.parse(localStorage.getItem(ME) || "null"); }
      throw error;
    });
  }

  /* Every screen but the sign-in and the charter starts here: signed in, and the charter in force
   * accepted (the API says so with `must_accept_charter`), or off to the screen that does it. */
  function ready() {
    if (!signedIn()) { toSignIn(); return new Promise(function () {}); }
    return me().then(function (profile) {
      if (profile && profile.must_accept_charter) {
        location.assign("/app/charte/?suite=" + encodeURIComponent(location.pathname));
        return new Promise(function () {});
      }
      return profile;
    });
  }

  /* Where to go after signing in or accepting the charter: the app's own path from ?suite=, else home. */
  function next() {
    var target = new URLSearchParams(location.search).get("suite") || "";
    return /^\/app\/[\w\-\/]*$/.test(target) ? target : "/app/";
  }

  function message(text, kind) {
    var box = document.getElementById("message");
    if (!box) { return; }
    box.textContent = text || "";
    box.hidden = !text;
    box.dataset.kind = kind || "error";
  }

  /* Shows an ApiError: each field's messages under that field of `form` (an element with
   * data-field="<name>" or a control named <name>), the rest in the page's message box. */
  function showErrors(form, error) {
    clearErrors(form);
    var unplaced = [];
    Object.keys(error.errors || {}).forEach(function (field) {
      var text = [].concat(error.errors[field]).join(" ");
      var anchor = form && (form.querySelector('[data-field="' + field + '"]') || form.elements[field]);
      if (anchor && anchor.length !== undefined && !anchor.tagName) { anchor = anchor[0]; }
      if (!anchor) { unplaced.push(text); return; }
      var note = document.createElement("p");
      note.className = "errors field-error";
      note.id = "erreur-" + field;
      note.textContent = text;
      anchor.insertAdjacentElement("afterend", note);
      if (anchor.setAttribute) {
        anchor.setAttribute("aria-invalid", "true");
        anchor.setAttribute("aria-describedby", note.id);
      }
    });
    var detail = error.detail;
    if (error.status === 429 && error.retryAfter) {
      detail += " " + interpolate(gettext("Réessayez dans %(seconds)s s."), { seconds: error.retryAfter }, true);
    }
    message(unplaced.length ? unplaced.join(" ") : (Object.keys(error.errors || {}).length ? "" : detail));
  }

  function clearErrors(form) {
    message("");
    if (!form) { return; }
    form.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("aria-describedby");
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function signOut() {
    var token = tokens().refresh;
    var done = function () { clearTokens(); location.assign(SIGNIN); };
    if (!token) { done(); return Promise.resolve(); }
    return send("POST", "/api/v1/auth/logout/", { refresh: token }).then(done, done);
  }

  function showNetwork() {
    var banner = document.getElementById("reseau");
    if (banner) { banner.hidden = navigator.onLine; }
  }

  window.vigieApp = {
    api: api, ApiError: ApiError, me: me, ready: ready, next: next, storeTokens: storeTokens,
    signedIn: signedIn, signOut: signOut, showErrors: showErrors, clearErrors: clearErrors,
    message: message, uuid: uuid, gettext: gettext, interpolate: interpolate, nextPath: nextPath,
  };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".app-nav a").forEach(function (link) {
      if (link.getAttribute("href") === location.pathname) { link.setAttribute("aria-current", "page"); }
    });
    showNetwork();
  });
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(function () {
        // Without a worker the app still works online; it only loses the offline start.
      });
    });
  }
}());
