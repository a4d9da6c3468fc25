/* Web Push on this phone: subscribe with the server's public VAPID key (GET /api/v1/push/web/) and register
   the subscription as a device (POST /api/v1/devices/, platform web); unsubscribe and unregister it (the
   endpoint is the device's token). Used by « Préférences » and by sign-out. */
(function () {
  "use strict";

  var app = window.vigieApp;

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  /* The server's Web Push settings: {enabled, public_key}; disabled when the server has no such door. */
  function server() {
    return app.api("GET", "/api/v1/push/web/").catch(function (error) {
      if (error.status === 404) return { enabled: false, public_key: "" };
      throw error;
    });
  }

  /* This phone's current subscription, or null. */
  function current() {
    if (!supported()) return Promise.resolve(null);
    return navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.getSubscription();
    });
  }

  /* Resolves with "granted" once subscribed and registered, or with the refused permission. */
  function subscribe(publicKey) {
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") return permission;
      return navigator.serviceWorker.ready.then(function (registration) {
        return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
      }).then(function (subscription) {
        return app.api("POST", "/api/v1/devices/", { platform: "web", subscription: subscription.toJSON() }).then(
          function () { return "granted"; },
          function (error) {
            // The server refused it: do not leave a subscription nobody will ever push to.
            return subscription.unsubscribe().then(function () { throw error; });
          }
        );
      });
    });
  }

  /* Unregisters this phone's subscription and drops it. Dropped even when the server could not be told
     (offline): the push service then answers the server's next push with 410 Gone, and the server
     deactivates the device; the phone never shows another alert. */
  function unsubscribe() {
    return current().then(function (subscription) {
      if (!subscription) return null;
      var unregister = app.api("DELETE", "/api/v1/devices/" + encodeURIComponent(subscription.endpoint) + "/");
      return unregister.catch(function () {}).then(function () { return subscription.unsubscribe(); });
    });
  }

  window.vigiePush = { supported: supported, server: server, current: current, subscribe: subscribe, unsubscribe: unsubscribe };
}());
