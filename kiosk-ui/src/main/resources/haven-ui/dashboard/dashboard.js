// Staff dashboard: snapshot + sequenced deltas over a WebSocket; on a gap it reloads the snapshot.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const CATEGORY = {
    "unkind-online": "someone was unkind online",
    "saw-something-upsetting": "saw something upsetting",
    "stranger-contact": "contact from a stranger",
    "about-an-adult": "about an adult (head only)",
    "other": "something else",
  };
  let session = null;
  let seq = 0;
  let ws = null;
  const rooms = new Map();
  const incidents = new Map();
  const isolations = new Map();
  let aups = {};
  const ISOLATION_STATUS = {
    requested: "being cut off…",
    active: "cut off by the network",
    manual: "teacher told to unplug the cable (not verified)",
    failed: "network cut FAILED — teacher told to unplug the cable",
  };
  let baseTitle = document.title;

  async function api(path, options = {}) {
    const headers = Object.assign({ "Content-Type": "application/json" }, options.headers || {});
    if (session && options.method && options.method !== "GET") headers["X-CSRF-Token"] = session.csrf;
    const res = await fetch(path, Object.assign({}, options, { headers, credentials: "same-origin" }));
    if (res.status === 401) { loggedOut(); throw new Error("login required"); }
    return res;
  }

  function loggedOut() {
    session = null;
    if (ws) { ws.onclose = null; ws.close(); ws = null; }
    $("main").hidden = true;
    $("login-panel").hidden = false;
    $("logout").hidden = true;
    $("who").textContent = "";
    $("live").textContent = "";
  }

  // Controls follow the permissions /api/session returns (docs/SECURITY.md); the server checks them again.
  function can(permission) {
    return !!session && (session.permissions || []).includes(permission);
  }

  function loggedIn(s) {
    session = s;
    $("login-panel").hidden = true;
    $("logout").hidden = false;
    if (!can("view-live")) {
      $("reports").hidden = !can("view-report");
      $("who").textContent = `${s.name} (${s.role})`;
      if (can("view-report")) loadReport();
      return;
    }
    $("main").hidden = false;
    $("sound").hidden = false;
    $("who").textContent = `${s.name} (${s.role})`;
    $("aup-panel").hidden = !can("publish-aup");
    connect();
  }

  function applySnapshot(snap) {
    rooms.clear();
    incidents.clear();
    snap.rooms.forEach((r) => rooms.set(`${r.site}/${r.room}`, r));
    snap.incidents.forEach((i) => incidents.set(i.id, i));
    aups = snap.aups || {};
    isolations.clear();
    (snap.isolations || []).forEach((i) => isolations.set(i.id, i));
    seq = snap.seq;
    render();
  }

  async function resync() {
    const res = await api("/api/snapshot");
    if (res.ok) applySnapshot(await res.json());
  }

  function onMessage(msg) {
    if (msg.kind === "snapshot") { applySnapshot(msg); return; }
    if (msg.seq <= seq) return;            // already in the snapshot
    if (msg.seq !== seq + 1) { resync(); return; }  // missed something: start again from the snapshot
    seq = msg.seq;
    if (msg.kind === "room") rooms.set(`${msg.room.site}/${msg.room.room}`, msg.room);
    if (msg.kind === "aups") aups = msg.aups || {};
    if (msg.kind === "isolation") {
      if (msg.isolation.status === "released") isolations.delete(msg.isolation.id);
      else isolations.set(msg.isolation.id, msg.isolation);
    }
    if (msg.kind === "retract") {
      // This viewer may no longer see the incident (e.g. it turned out to be about an adult): remove
      // every trace of it from this screen, including an open detail panel.
      incidents.delete(msg.id);
      if (detailId === msg.id) {
        detailId = null;
        $("detail").hidden = true;
        $("chronology").textContent = "";
        $("detail-title").textContent = "";
        $("detail-summary").textContent = "";
      }
    }
    if (msg.kind === "incident") {
      const isNew = !incidents.has(msg.incident.id);
      const before = incidents.get(msg.incident.id);
      if (before && before.status !== "escalated" && msg.incident.status === "escalated") alertNew();
      if (msg.incident.status === "closed") incidents.delete(msg.incident.id);
      else incidents.set(msg.incident.id, msg.incident);
      if (isNew && msg.incident.status === "open") alertNew();
    }
    render();
  }

  async function loadReport() {
    const res = await api("/api/reports");
    if (!res.ok) return;
    const body = await res.json();
    document.dispatchEvent(new CustomEvent("haven:report", { detail: body })); // aup-reviews.js
    const tbody = document.querySelector("#report-table tbody");
    tbody.textContent = "";
    for (const r of body.months) {
      const tr = document.createElement("tr");
      for (const v of [r.month, r.category, r.outcome, r.count, r.averageMinutesToAcknowledge ?? "—"]) {
        tr.appendChild(el("td", "", String(v)));
      }
      tbody.appendChild(tr);
    }
  }

  let soundOn = localStorage.getItem("haven-sound") !== "off";
  function renderSound() {
    $("sound").setAttribute("aria-pressed", String(soundOn));
    $("sound").textContent = soundOn ? "Sound on" : "Sound off";
  }
  function beep() {
    if (!soundOn) return;
    try {
      const ctx = new AudioContext();
      const osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no audio device */ }
  }

  function alertNew() {
    beep();
    let flashes = 0;
    const timer = setInterval(() => {
      document.title = flashes % 2 ? baseTitle : "⚠ New worry — Haven";
      if (++flashes > 9) { clearInterval(timer); document.title = baseTitle; }
    }, 700);
  }

  function connect() {
    ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
    ws.onopen = () => { $("live").className = "live up"; $("live").textContent = "live"; };
    ws.onmessage = (e) => onMessage(JSON.parse(e.data));
    ws.onclose = (e) => {
      if (e.code === 4001 || e.code === 1008) {
        // The server ended the session (logout elsewhere, account disabled or changed, expiry): back to login.
        loggedOut();
        return;
      }
      $("live").className = "live down";
      $("live").textContent = "reconnecting…";
      if (session) setTimeout(connect, 2000);
    };
  }

  function age(iso) {
    const s = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
    const m = Math.floor(s / 60);
    return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}m ${String(s % 60).padStart(2, "0")}s`;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function render() {
    const list = $("worries");
    list.textContent = "";
    const open = Array.from(incidents.values()).sort((a, b) => a.openedAt.localeCompare(b.openedAt));
    $("no-worries").hidden = open.length > 0;
    $("worry-count").textContent = open.filter((i) => i.status !== "acknowledged").length || "";
    for (const inc of open) {
      const li = el("li", inc.status);
      li.dataset.incident = inc.id;
      li.appendChild(el("span", "room", inc.room));
      li.appendChild(el("span", "status", inc.status));
      if (inc.redacted) {
        li.appendChild(el("span", "category", "details hidden for your role"));
      } else {
        li.appendChild(el("span", "category", inc.category ? CATEGORY[inc.category] || inc.category : "no category chosen"));
      }
      if (inc.status === "escalated") li.appendChild(el("span", "flag", "ESCALATED: not acknowledged in time"));
      if (inc.openAtEndOfDay) li.appendChild(el("span", "flag", "open at end of day"));
      if (!inc.redacted) li.addEventListener("click", (e) => { if (e.target.tagName !== "BUTTON") showDetail(inc.id); });
      if (inc.computer) li.appendChild(el("span", "computer", `computer ${inc.computer}`));
      li.appendChild(el("span", "presses", `${inc.presses} press${inc.presses === 1 ? "" : "es"}`));
      const ageEl = el("span", "age", age(inc.openedAt));
      ageEl.dataset.since = inc.openedAt;
      li.appendChild(ageEl);
      const actions = el("span", "actions");
      if (inc.redacted) {
        // technicians see that a room has a worry, nothing more
      } else if ((inc.status === "open" || inc.status === "escalated") && can("acknowledge")) {
        const b = el("button", "ack", "Acknowledge");
        b.type = "button";
        b.addEventListener("click", () => acknowledge(inc.id, b));
        actions.appendChild(b);
      } else if (inc.ackedBy) {
        actions.appendChild(el("span", "acked-by", `seen by ${inc.ackedBy}`));
      }
      li.appendChild(actions);
      list.appendChild(li);
    }
    const isoList = $("isolations");
    isoList.textContent = "";
    $("no-isolations").hidden = isolations.size > 0;
    for (const iso of isolations.values()) {
      const li = el("li", iso.status);
      li.dataset.isolation = iso.id;
      li.appendChild(el("span", "room", iso.room));
      li.appendChild(el("span", "machine", iso.machine));
      li.appendChild(el("span", "status", ISOLATION_STATUS[iso.status] || iso.status));
      li.appendChild(el("span", "since", `since ${new Date(iso.requestedAt).toLocaleTimeString()}`));
      const actions = el("span", "actions");
      if (iso.releaseRequestedAt) {
        actions.appendChild(el("span", "releasing", "release sent to the hub"));
      } else {
        actions.appendChild(el("span", "signoffs", `${iso.signOffs} of 2 senior sign-offs`));
        if (can("sign-off-release")) {
          const b = el("button", "signoff", "Sign off release");
          b.type = "button";
          b.addEventListener("click", () => signOff(iso.id, b));
          actions.appendChild(b);
        }
      }
      li.appendChild(actions);
      isoList.appendChild(li);
    }
    const grid = $("rooms");
    grid.textContent = "";
    for (const r of Array.from(rooms.values()).sort((a, b) => a.room.localeCompare(b.room))) {
      const li = el("li", r.online ? "online" : "offline");
      li.dataset.room = r.room;
      li.appendChild(el("div", "name", r.room));
      li.appendChild(el("div", "state", r.online ? "online" : "offline"));
      li.appendChild(el("div", "since", `since ${new Date(r.since).toLocaleTimeString()}`));
      if (r.aupVersion) li.appendChild(el("div", "aup", `AUP ${r.aupKeyStage} ${r.aupVersion}`));
      if (r.aupKeyStage && aups[r.aupKeyStage] && aups[r.aupKeyStage] !== r.aupVersion) {
        li.appendChild(el("div", "warning aup-outdated", `AUP out of date (newest: ${aups[r.aupKeyStage]})`));
      }
      if (r.condition) li.appendChild(el("div", "warning", `hub problem: ${r.condition}`));
      if (r.gapWarning) li.appendChild(el("div", "warning", r.gapWarning));
      grid.appendChild(li);
    }
  }

  // Alerts to staff (docs/NOTIFICATIONS.md) are records on the timeline; a failed one must stand out.
  function eventText(item) {
    const d = item.data || {};
    switch (item.type) {
      case "notify.attempt":
        return `alert to ${d.contact} by ${d.channel}: ${d.outcome === "accepted" ? "accepted" : "FAILED"}` +
          ` (attempt ${d.attempt}${d.reply ? ", " + d.reply : ""})`;
      case "notify.unreachable":
        return `alert to ${d.contact}: NOT REACHED on any channel (${(d.channels || []).join(", ")})`;
      case "notify.skipped":
        return `alert to ${d.contact} not sent: ${d.reason}`;
      case "coordinator.acknowledged":
        return `acknowledged by ${d.by} (recorded in the evidence log)`;
      case "coordinator.closed":
        return `closed by ${d.by}: ${d.outcome} (recorded in the evidence log)`;
      case "coordinator.escalated":
        return `escalated: not acknowledged within ${d.afterMinutes} min`;
      case "coordinator.open-at-end-of-day":
        return `still open at the end of ${d.day}`;
      case "coordinator.exported":
        return `exported by ${d.by}`;
      default:
        return item.type;
    }
  }

  function alertFailed(item) {
    return item.type === "notify.unreachable" || (item.type === "notify.attempt" && item.data && item.data.outcome !== "accepted");
  }

  let detailId = null;
  async function showDetail(id) {
    const res = await api(`/api/incidents/${id}`);
    if (!res.ok) return;
    const inc = await res.json();
    detailId = id;
    $("detail").hidden = false;
    $("detail-title").textContent = `Incident ${inc.id}: ${inc.room}`;
    $("detail-summary").textContent = `${inc.status}, ${inc.presses} press(es), ` +
      (inc.category ? CATEGORY[inc.category] || inc.category : "no category chosen") + (inc.computer ? `, computer ${inc.computer}` : "");
    const list = $("chronology");
    list.textContent = "";
    for (const item of inc.chronology) {
      const when = new Date(item.at).toLocaleTimeString();
      const what = item.kind === "event" ? eventText(item) : `${item.action} by ${item.actor}`;
      list.appendChild(el("li", item.kind + (alertFailed(item) ? " alert-failed" : ""), `${when} — ${what}`));
    }
    $("close-form").hidden = !can("close") || inc.status === "closed";
    $("close-result").textContent = "";
    $("detail").scrollIntoView();
  }

  $("close-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const res = await api(`/api/incidents/${detailId}/close`, {
      method: "POST",
      body: JSON.stringify({ outcome: $("close-outcome").value, url: $("close-url").value,
        nature: $("close-nature").value, notes: $("close-notes").value }),
    });
    $("close-result").textContent = res.ok ? "Closed." : await res.text();
    if (res.ok) $("close-form").hidden = true;
  });
  $("detail-hide").addEventListener("click", () => { $("detail").hidden = true; });
  $("sound").addEventListener("click", () => {
    soundOn = !soundOn;
    localStorage.setItem("haven-sound", soundOn ? "on" : "off");
    renderSound();
  });
  renderSound();

  async function acknowledge(id, button) {
    button.disabled = true;
    const res = await api(`/api/incidents/${id}/ack`, { method: "POST", body: "{}" });
    if (!res.ok) { button.disabled = false; alert(await res.text()); }
  }

  async function signOff(id, button) {
    if (!confirm("Sign off releasing this computer back onto the network? A second senior member of staff must also sign.")) return;
    button.disabled = true;
    const res = await api(`/api/isolations/${id}/signoff`, { method: "POST", body: "{}" });
    const text = await res.text();
    if (!res.ok) { button.disabled = false; alert(text); return; }
    const body = JSON.parse(text);
    if (body.notCounted && body.notCounted.length) alert(body.notCounted.join("\n"));
  }

  setInterval(() => document.querySelectorAll(".age").forEach((e) => { e.textContent = age(e.dataset.since); }), 1000);

  document.addEventListener("haven:show-incident", (e) => showDetail(e.detail)); // came-forward.js
  // A pupil's follow-up words: the look-up is audited and rate-limited on the server; the words are not kept here.
  $("follow-up-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const words = $("follow-up-words").value.trim();
    $("follow-up-words").value = "";
    const res = await api(`/api/follow-up/${encodeURIComponent(words)}`);
    const out = $("follow-up-result");
    if (res.ok) {
      const found = await res.json();
      out.textContent = `Found: incident ${found.incident.id}, ${found.incident.room}.`;
      document.dispatchEvent(new CustomEvent("haven:follow-up-found", { detail: found })); // came-forward.js
      showDetail(found.incident.id);
    } else if (res.status === 404) {
      out.textContent = "No report has those words. Check them with the pupil.";
    } else if (res.status === 429) {
      out.textContent = "Too many wrong words: wait 15 minutes or ask the DSL.";
    } else {
      out.textContent = await res.text();
    }
  });

  $("login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("login-error").textContent = "";
    const res = await fetch("/api/login", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
      body: JSON.stringify({ name: $("name").value, password: $("password").value }),
    });
    $("password").value = "";
    if (res.ok) loggedIn(await res.json());
    else $("login-error").textContent = await res.text();
  });

  $("aup-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const res = await api("/api/aups", {
      method: "POST",
      body: JSON.stringify({ keyStage: $("aup-key-stage").value, language: $("aup-language").value, markdown: $("aup-markdown").value }),
    });
    $("aup-result").textContent = res.ok ? "Published." : await res.text();
  });

  $("logout").addEventListener("click", async () => {
    await api("/api/logout", { method: "POST", body: "{}" }).catch(() => {});
    loggedOut();
  });

  fetch("/api/session", { credentials: "same-origin" })
    .then((res) => res.json())
    .then((s) => (s.name ? loggedIn(s) : loggedOut()))
    .catch(loggedOut);
})();
