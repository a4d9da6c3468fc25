/* The service worker's Web Push side, imported by /app/sw.js: shows the notification the server sends and
   opens « Messages » when it is touched. The payload is the JSON the server's webpush channel sends:
   title, body, kind, priority and data (its notification_id…), see backend/messaging/backends/webpush.py. */
"use strict";

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
  var options = {
    body: payload.body || "",
    // One notification per inbox message: a retried push replaces it instead of showing it twice.
    tag: payload.data && payload.data.notification_id ? "vigie-" + payload.data.notification_id : undefined,
    // Urgent (burglary and shop alerts are sent with a high priority): on screen until touched.
    requireInteraction: payload.priority === "high",
  };
  // The French title comes from the server; this one only shows if a payload arrives without one.
  event.waitUntil(self.registration.showNotification(payload.title || "Vigie", options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  // Every push is also an inbox message: « Messages » shows it, whatever the payload's url.
  var target = new URL(INBOX_URL, self.location.origin);
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
