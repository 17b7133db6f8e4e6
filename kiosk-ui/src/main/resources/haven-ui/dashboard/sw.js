// Haven's service worker: shows the alerts the coordinator pushes (docs/NOTIFICATIONS.md) and opens the
// dashboard when one is tapped. It caches nothing: incident data is never kept on the device.
"use strict";

self.addEventListener("push", (event) => {
  let m = { title: "Haven", body: "A new alert: open the dashboard.", url: "/", tag: "haven" };
  try {
    if (event.data) m = event.data.json();
  } catch (e) {
    // an unreadable message still tells the member of staff to look
  }
  event.waitUntil(self.registration.showNotification(m.title, {
    body: m.body, tag: m.tag, data: { url: m.url }, requireInteraction: true, icon: "icon.svg",
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});
