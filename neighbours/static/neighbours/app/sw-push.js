/* The service worker's Web Push side, imported by /app/sw.js: shows the notification the server sends and
   opens « Messages » when it is touched. The payload is the JSON the server's webpush channel sends:
   title, body, kind, url (and priority). */
"use strict";

// The kinds the server sends with a high priority (alerts/broadcasts/services/common.py HIGH_PRIORITY_KINDS):
// they stay on screen until the referent touches them.
var URGENT_KINDS = ["burglary_alert", "shop_alert"];
var INBOX_URL = "/app/messages/";

self.addEventListener("push", function (event) {
  var payload = {};
  if (event.data) {
    try {
      payload = event.data.json();
    } catch (error) {
      payload = { body: event.data.text() };
    }
  }
  var urgent = payload.priority === "high" || URGENT_KINDS.indexOf(payload.kind) !== -1;
  var options = {
    body: payload.body || "",
    tag: payload.notification_id ? "vigie-" + payload.notification_id : undefined,
    requireInteraction: urgent,
    data: { url: payload.url || INBOX_URL },
  };
  // The French title comes from the server; this one only shows if a payload arrives without one.
  event.waitUntil(self.registration.showNotification(payload.title || "Vigie", options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || INBOX_URL, self.location.origin);
  if (target.origin !== self.location.origin) target = new URL(INBOX_URL, self.location.origin);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i += 1) {
        if (new URL(windows[i].url).pathname.indexOf("/app/") === 0 && "focus" in windows[i]) {
          return windows[i].navigate(target.href).then(function (client) { return (client || windows[i]).focus(); });
        }
      }
      return self.clients.openWindow(target.href);
    })
  );
});
