// "Alerts on this device": subscribes this browser to Web Push for the logged-in member of staff
// (docs/NOTIFICATIONS.md). Shown only after login, where the browser can receive push, and when the
// coordinator has notify.push configured.
"use strict";
(() => {
  const button = document.getElementById("push");
  const logout = document.getElementById("logout");
  if (!button || !logout || !("serviceWorker" in navigator) || !("PushManager" in window)) return;

  function keyBytes(base64url) {
    const raw = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  async function refresh() {
    if (logout.hidden) { button.hidden = true; return; }
    // Only for staff whose role may subscribe (the dashboard lists the session's permissions on <body>).
    if (!(document.body.dataset.permissions || "").split(" ").includes("subscribe-alerts")) { button.hidden = true; return; }
    const res = await fetch("/api/push/key", { credentials: "same-origin" });
    const body = res.ok ? await res.json() : { publicKey: null };
    button.hidden = !body.publicKey;
    button.dataset.key = body.publicKey || "";
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const registration = await navigator.serviceWorker.register("sw.js");
      if (await Notification.requestPermission() !== "granted") {
        button.textContent = "Alerts blocked in this browser";
        return;
      }
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: keyBytes(button.dataset.key),
      });
      const session = await (await fetch("/api/session", { credentials: "same-origin" })).json();
      const res = await fetch("/api/push/subscriptions", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrf },
        body: JSON.stringify(subscription),
      });
      button.textContent = res.ok ? "Alerts on: this device" : "Could not turn alerts on";
    } finally {
      button.disabled = false;
    }
  });

  new MutationObserver(() => refresh().catch(() => {})).observe(logout, { attributes: true, attributeFilter: ["hidden"] });
  refresh().catch(() => {});
})();
