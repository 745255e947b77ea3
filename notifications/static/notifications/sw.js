/* Service worker of the notifications room, served at /sw.js so that its scope is the whole site.
   It shows the Web Push messages the server sends (JSON: title, body, url, severity) and opens the
   message's page when the notification is clicked. It caches nothing. */
"use strict";

self.addEventListener("push", function (event) {
  var message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = { title: event.data ? event.data.text() : "" };
  }
  var title = message.title || self.location.host;
  var options = {
    body: message.body || "",
    data: { url: message.url || "/" },
    tag: message.id || undefined,
    requireInteraction: message.severity === "critical"
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});
