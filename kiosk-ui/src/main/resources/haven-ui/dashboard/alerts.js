// Alerts to staff that did not get through (docs/NOTIFICATIONS.md): a banner on the incident's row and a count
// in the header, outside the timeline, so a mail server that is down is seen by whoever is watching.
//
// dashboard.js keeps its state to itself. Rather than open a second live feed (twice the sockets and an audited
// snapshot each), this file listens to the same messages: it wraps the page's WebSocket and its fetch of
// /api/snapshot, reading only, and draws again after each of dashboard.js's renders of the list.
"use strict";
(() => {
  const failing = new Map(); // incident id -> the incident as last heard of, while it has failures
  let headerCount = null;    // the server's count for this viewer, when the last message carried it

  function note(incident) {
    if (incident.status === "closed" || !incident.alertFailures) failing.delete(incident.id);
    else failing.set(incident.id, incident);
  }

  function snapshot(snap) {
    failing.clear();
    (snap.incidents || []).forEach(note);
    headerCount = typeof snap.alertFailures === "number" ? snap.alertFailures : null;
    draw();
  }

  function message(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.kind === "snapshot") { snapshot(msg); return; }
    if (msg.kind === "incident" && msg.incident) {
      note(msg.incident);
      headerCount = typeof msg.alertFailures === "number" ? msg.alertFailures : null;
    }
    if (msg.kind === "retract") { failing.delete(msg.id); headerCount = null; }
    draw();
  }

  const NativeWebSocket = window.WebSocket;
  function ListenedWebSocket(url, protocols) {
    const ws = protocols === undefined ? new NativeWebSocket(url) : new NativeWebSocket(url, protocols);
    if (new URL(String(url), location.href).pathname === "/ws") {
      ws.addEventListener("message", (e) => {
        try { message(JSON.parse(e.data)); } catch (err) { /* not ours to judge: dashboard.js reads it too */ }
      });
    }
    return ws;
  }
  ListenedWebSocket.prototype = NativeWebSocket.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach((k) => { ListenedWebSocket[k] = NativeWebSocket[k]; });
  window.WebSocket = ListenedWebSocket;

  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input, init) => nativeFetch(input, init).then((res) => {
    const url = typeof input === "string" ? input : input.url;
    if (res.ok && new URL(url, location.href).pathname === "/api/snapshot") {
      res.clone().json().then(snapshot).catch(() => {});
    }
    return res;
  });

  function channelName(channel) {
    if (channel === "email") return "e-mail";
    if (channel === "push") return "push";
    return channel.startsWith("webhook:") ? channel.slice("webhook:".length) : channel;
  }

  function times(n) {
    return n === 1 ? "once" : n === 2 ? "twice" : `${n} times`;
  }

  function bannerText(incident) {
    const by = incident.alertFailuresByChannel || {};
    const parts = Object.keys(by).sort().map((c) => `${channelName(c)} failed ${times(by[c])}`);
    return `Alert not delivered: ${parts.length ? parts.join(", ") : `failed ${times(incident.alertFailures)}`}`;
  }

  const observer = new MutationObserver(() => draw());

  function draw() {
    const list = document.getElementById("worries");
    if (!list) return;
    observer.disconnect();
    for (const li of list.querySelectorAll("li[data-incident]")) {
      const incident = failing.get(Number(li.dataset.incident));
      let banner = li.querySelector(".alert-not-delivered");
      if (!incident) {
        if (banner) banner.remove();
        continue;
      }
      if (!banner) {
        banner = document.createElement("span");
        banner.className = "flag alert-not-delivered"; // the dashboard's own flag style: white on black
        li.appendChild(banner);
      }
      banner.textContent = bannerText(incident);
    }
    let count = document.getElementById("alert-failures");
    if (!count) {
      count = document.createElement("span");
      count.id = "alert-failures";
      count.className = "count"; // white on red, hidden while empty
      count.setAttribute("role", "status");
      const live = document.getElementById("live");
      live.parentNode.insertBefore(count, live.nextSibling);
    }
    const n = headerCount !== null ? headerCount : failing.size;
    count.textContent = n > 0 ? `Alerts not delivered: ${n}` : "";
    observer.observe(list, { childList: true });
  }

  document.addEventListener("DOMContentLoaded", () => draw());
})();
