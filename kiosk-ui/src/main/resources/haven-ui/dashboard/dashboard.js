// Staff dashboard (docs/DASHBOARD.md): pages chosen by the URL's hash and shown per the session's permissions;
// the live page is a snapshot + sequenced deltas over a WebSocket, and on a gap it reloads the snapshot.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const CATEGORY = {
    "unkind-online": "someone was unkind online",
    "saw-something-upsetting": "saw something upsetting",
    "stranger-contact": "contact from a stranger",
    "about-an-adult": "about an adult (head only)",
    "other": "something else",
    "nudes-or-sextortion": "nude images or sextortion",
    "self-harm": "self-harm",
    "pressure-or-coercion": "pressure or coercion",
    "extremism": "extremism",
    "not-given": "no category chosen",
  };
  const OUTCOME = {
    "resolved-in-class": "resolved in class",
    "referred-to-dsl": "referred to the DSL",
    "parents-informed": "parents informed",
    "referred-to-police-or-lado": "referred to police / LADO",
    "no-further-action": "no further action",
    "open": "still open",
  };
  const SOURCE = { worry: "worry button", concern: "staff concern", "filter-check": "filter check", isolation: "isolation" };
  const STATUS = { open: "New", acknowledged: "Acknowledged", escalated: "Escalated", closed: "Closed" };
  const ISOLATION_STATUS = {
    requested: "being cut off…",
    active: "cut off by the network",
    manual: "teacher told to unplug the cable (not verified)",
    failed: "network cut FAILED — teacher told to unplug the cable",
  };
  // Pages, the permission each needs (the server checks again) and what to load when one is shown.
  const PAGES = {
    live: "view-live", incidents: "view-incidents", concern: "log-concern", incident: "view-incidents", isolations: "view-isolations",
    classrooms: "view-rooms", reports: "view-report", aups: "view-aups", staff: "view-audit", audit: "view-audit",
    breaches: "view-breaches",
  };
  const ZONE = "Europe/London";
  const DATE_TIME = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const TIME = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  const DAY = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, day: "numeric", month: "short", year: "numeric" });

  let session = null;
  let seq = 0;
  let ws = null;
  let roomNames = {};
  let startedAt = null;
  let statusTimer = null;
  let page = null;
  const rooms = new Map();
  const incidents = new Map();
  const isolations = new Map();
  let aups = {};
  const baseTitle = document.title;

  // ---- helpers -------------------------------------------------------------------------------------------
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function button(cls, text, onClick) {
    const b = el("button", cls, text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }
  function can(permission) {
    return !!session && (session.permissions || []).includes(permission);
  }
  function valid(iso) { return iso && !Number.isNaN(Date.parse(iso)); }
  function dateTime(iso) { return valid(iso) ? DATE_TIME.format(new Date(iso)) : "—"; }
  function time(iso) { return valid(iso) ? TIME.format(new Date(iso)) : "—"; }
  // Today's events show their time; older ones their date too.
  function when(iso) {
    if (!valid(iso)) return "—";
    return DAY.format(new Date(iso)) === DAY.format(new Date()) ? time(iso) : dateTime(iso);
  }
  function roomName(room) { return roomNames[room] || room; }
  // A failed filter check is not acknowledged (that would tell the room's kiosk a pupil's worry was seen):
  // its action is recorded in the filter check log, which closes it.
  function acknowledgeable(inc) { return can("acknowledge") && inc.source !== "filter-check"; }
  function category(c) { return c ? CATEGORY[c] || c : "no category chosen"; }
  function outcome(o) { return o ? OUTCOME[o] || o : "—"; }
  function age(iso) {
    const s = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
    const m = Math.floor(s / 60);
    return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}m ${String(s % 60).padStart(2, "0")}s`;
  }
  function fill(tbody, rows) {
    tbody.textContent = "";
    // Each cell carries its column's name, for the phone layout's one-card-per-row tables.
    const labels = [...tbody.closest("table").querySelectorAll("thead th")].map((th) => th.textContent);
    for (const cells of rows) {
      const tr = el("tr");
      cells.forEach((c, n) => {
        const td = c instanceof Node ? wrapCell(c) : el("td", "", String(c));
        td.dataset.label = labels[n] || "";
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    }
  }
  function wrapCell(node) {
    if (node.tagName === "TD") return node;
    const td = el("td");
    td.appendChild(node);
    return td;
  }

  async function api(path, options = {}) {
    const headers = Object.assign({ "Content-Type": "application/json" }, options.headers || {});
    if (session && options.method && options.method !== "GET") headers["X-CSRF-Token"] = session.csrf;
    const res = await fetch(path, Object.assign({}, options, { headers, credentials: "same-origin" }));
    if (res.status === 401) {
      loggedOut("Your session has ended (the coordinator restarted, or you were logged out elsewhere). Log in again.");
      throw new Error("login required");
    }
    return res;
  }

  // ---- session -------------------------------------------------------------------------------------------
  function loggedOut(why) {
    const was = session;
    session = null;
    delete document.body.dataset.permissions;
    if (ws) { ws.onclose = null; ws.close(); ws = null; }
    if (statusTimer) { clearInterval(statusTimer); statusTimer = null; }
    startedAt = null;
    document.querySelectorAll(".page").forEach((p) => { p.hidden = true; });
    rooms.clear(); incidents.clear(); isolations.clear();
    // Nothing of the last session stays in the page under the login form.
    ["worries", "rooms", "isolations", "classrooms", "aup-versions", "report-chart", "search-result", "classroom-result",
      "follow-up-result"].forEach((id) => { $(id).textContent = ""; });
    document.querySelectorAll("tbody").forEach((b) => { b.textContent = ""; });
    clearDetail();
    $("login-panel").hidden = false;
    $("nav").hidden = true;
    $("logout").hidden = true;
    $("sound").hidden = true;
    $("broker").hidden = true;
    $("who").textContent = "";
    $("live").textContent = "";
    $("live").className = "live";
    renderTitle();
    $("session-ended").hidden = !(was && why);
    $("session-ended").textContent = was && why ? why : "";
  }

  async function loggedIn(s) {
    if (s.staffAupToAccept && window.havenStaffAup) { window.havenStaffAup(s, loggedIn); return; } // staff-aup.js
    session = s;
    // For the other scripts on this page (push.js, alerts.js): what this session may do.
    document.body.dataset.permissions = (s.permissions || []).join(" ");
    $("login-panel").hidden = true;
    $("session-ended").hidden = true;
    $("logout").hidden = false;
    $("who").textContent = `${s.name} (${s.role})`;
    document.querySelectorAll("#nav [data-needs]").forEach((a) => { a.parentElement.hidden = !can(a.dataset.needs); });
    $("nav").hidden = false;
    $("aup-panel").hidden = !can("publish-aup");
    $("follow-up-panel").hidden = !can("look-up-follow-up");
    try {
      const names = await api("/api/room-names");
      if (names.ok) roomNames = await names.json();
    } catch (e) { return; }
    pollStatus();
    statusTimer = setInterval(pollStatus, 5000);
    if (can("view-live")) {
      $("sound").hidden = false;
      renderSound();
      connect();
    }
    route();
  }

  // The coordinator's own state: its broker link, and whether it restarted (sessions live in its memory).
  async function pollStatus() {
    if (!session) return;
    let body;
    try {
      const res = await api("/api/status");
      if (!res.ok) return;
      body = await res.json();
    } catch (e) { return; }
    if (startedAt && body.startedAt !== startedAt) {
      loggedOut("The coordinator restarted. Log in again.");
      return;
    }
    startedAt = body.startedAt;
    const down = body.broker !== "connected";
    $("broker").hidden = !down;
    $("broker").className = down ? "broker down" : "broker";
    $("broker").textContent = down ? "Broker link down: new reports from classrooms are not arriving" : "";
  }

  // ---- routing -------------------------------------------------------------------------------------------
  function firstPage() {
    return Object.keys(PAGES).find((p) => p !== "incident" && can(PAGES[p])) || null;
  }
  function route() {
    if (!session) return;
    // In-page links (the skip link) are not pages.
    if (page && location.hash && !location.hash.startsWith("#/")) return;
    const parts = location.hash.replace(/^#\/?/, "").split("/");
    let name = parts[0];
    if (!PAGES[name] || !can(PAGES[name])) name = firstPage();
    page = name;
    document.querySelectorAll(".page").forEach((p) => { p.hidden = p.dataset.page !== name; });
    document.querySelectorAll("#nav a[data-nav]").forEach((a) => {
      const current = a.dataset.nav === name || (name === "incident" && a.dataset.nav === "incidents");
      if (current) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
    if (name === "incidents") { fillFilters(); search(); }
    if (name === "concern") fillConcernForm();
    if (name === "incident") showDetail(Number(parts[1]));
    if (name === "isolations") renderIsolations();
    if (name === "classrooms") loadClassrooms();
    if (name === "reports") loadReport();
    if (name === "aups") renderAups();
    if (name === "staff") { loadStaff(); document.dispatchEvent(new CustomEvent("haven:staff-page")); } // staff.js
    if (name === "audit") loadAudit();
    if (name === "breaches") document.dispatchEvent(new CustomEvent("haven:show-breaches")); // breaches.js
    if (name === "live") render();
  }
  window.addEventListener("hashchange", route);
  function go(hash) {
    if (location.hash === hash) route(); else location.hash = hash;
  }

  // ---- live feed -----------------------------------------------------------------------------------------
  function applySnapshot(snap) {
    rooms.clear();
    incidents.clear();
    snap.rooms.forEach((r) => rooms.set(`${r.site}/${r.room}`, r));
    snap.incidents.forEach((i) => incidents.set(i.id, i));
    aups = snap.aups || {};
    isolations.clear();
    (snap.isolations || []).forEach((i) => isolations.set(i.id, i));
    seq = snap.seq;
    renderAll();
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
    if (msg.kind === "aups") aups = (msg.aups && msg.aups.latest) || msg.aups || {};
    if (msg.kind === "isolation") {
      if (msg.isolation.status === "released") isolations.delete(msg.isolation.id);
      else isolations.set(msg.isolation.id, msg.isolation);
    }
    if (msg.kind === "unblockRequest") unblockNotice(msg.unblockRequest);
    if (msg.kind === "retract") {
      // This viewer may no longer see the incident (e.g. it turned out to be about an adult): remove
      // every trace of it from this screen, including an open incident page.
      incidents.delete(msg.id);
      if (detailId === msg.id) {
        clearDetail();
        go("#/incidents");
      }
    }
    if (msg.kind === "incident") {
      const isNew = !incidents.has(msg.incident.id);
      const before = incidents.get(msg.incident.id);
      if (before && before.status !== "escalated" && msg.incident.status === "escalated") alertNew("escalated");
      if (msg.incident.status === "closed") incidents.delete(msg.incident.id);
      else incidents.set(msg.incident.id, msg.incident);
      if (isNew && msg.incident.status === "open") alertNew("new");
      if (isNew && msg.incident.status === "escalated") alertNew("escalated");
      if (detailId === msg.incident.id && detail) {
        Object.assign(detail, msg.incident);
        renderDetail();
      }
    }
    renderAll();
  }

  // Seeds 001/004: staff ask the technical staff for a temporary unblock; the DSL and whoever decides are
  // told at once on an open dashboard (the live feed sends the request only to those Visibility lets see
  // it: the DSL, the technical staff and the asker, who needs no notice of their own request).
  let unblockPending = null;
  function unblockNotice(r) {
    const notice = $("unblock-notice");
    if (r.status === "pending" && session && r.requestedBy !== session.name) {
      unblockPending = r.id;
      notice.textContent = "";
      notice.appendChild(document.createTextNode(
        `${r.requestedBy} asked for a temporary unblock of ${r.sites.length === 1 ? "1 site" : r.sites.length + " sites"}`
        + (can("decide-unblock") ? ". " : "; the technical staff decide. ")));
      const link = el("a", "", "Open the unblock requests");
      link.href = "/unblock.html";
      notice.appendChild(link);
      notice.hidden = false;
    } else if (r.id === unblockPending) {
      unblockPending = null;
      notice.hidden = true;
    }
  }

  function connect() {
    ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
    ws.onopen = () => { $("live").className = "live up"; $("live").textContent = "live"; };
    ws.onmessage = (e) => onMessage(JSON.parse(e.data));
    ws.onclose = async (e) => {
      ws = null;
      if (!session) return;
      if (e.code === 4001 || e.code === 1008) {
        // The server ended the session (logout elsewhere, account disabled or changed, expiry): back to login.
        loggedOut("Your session has ended (the coordinator restarted, or you were logged out elsewhere). Log in again.");
        return;
      }
      $("live").className = "live down";
      $("live").textContent = "reconnecting…";
      // Sessions live in the coordinator's memory: after a restart nobody is logged in, and reconnecting
      // for ever over the old data would show a screen that no longer updates.
      try {
        const res = await fetch("/api/session", { credentials: "same-origin" });
        const s = await res.json();
        if (!s.name) { loggedOut("The coordinator restarted or your session ended. Log in again."); return; }
      } catch (err) { /* coordinator unreachable: keep trying */ }
      if (session) setTimeout(() => { if (session && !ws) connect(); }, 2000);
    };
  }

  // ---- sound and title -----------------------------------------------------------------------------------
  // "Sound on" only when the browser really lets this page play sound (autoplay rules need a click first).
  let audio = null;
  try { audio = new AudioContext(); } catch (e) { audio = null; }
  if (audio) audio.onstatechange = () => renderSound();
  let soundWanted = localStorage.getItem("haven-sound") !== "off";
  function soundAllowed() { return !!audio && audio.state === "running"; }
  function renderSound() {
    const b = $("sound");
    if (!audio) { b.textContent = "No sound on this device"; b.disabled = true; b.setAttribute("aria-pressed", "false"); return; }
    if (!soundAllowed()) { b.textContent = "Click to enable sound"; b.setAttribute("aria-pressed", "false"); return; }
    b.textContent = soundWanted ? "Sound on" : "Sound off";
    b.setAttribute("aria-pressed", String(soundWanted));
  }
  $("sound").addEventListener("click", async () => {
    if (audio && !soundAllowed()) {
      soundWanted = true;
      localStorage.setItem("haven-sound", "on");
      try { await audio.resume(); } catch (e) { /* still not allowed */ }
    } else {
      soundWanted = !soundWanted;
      localStorage.setItem("haven-sound", soundWanted ? "on" : "off");
    }
    renderSound();
  });
  function beep() {
    if (!soundWanted || !soundAllowed()) return;
    const osc = audio.createOscillator();
    osc.frequency.value = 880;
    osc.connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.25);
  }
  // The tab's title says what is waiting, so a member of staff in another tab sees it: an escalated worry
  // says "Escalated", never "New worry". A new arrival makes it flash for a few seconds.
  let titleTimer = null;
  function stateTitle() {
    const open = [...incidents.values()];
    if (open.some((i) => i.status === "escalated")) return "⚠ Escalated worry — Haven";
    if (open.some((i) => i.status === "open")) return "⚠ New worry — Haven";
    return baseTitle;
  }
  function renderTitle() {
    if (!titleTimer) document.title = session ? stateTitle() : baseTitle;
  }
  function alertNew(kind) {
    beep();
    const text = kind === "escalated" ? "⚠ Escalated worry — Haven" : "⚠ New worry — Haven";
    if (titleTimer) clearInterval(titleTimer);
    let flashes = 0;
    document.title = text;
    titleTimer = setInterval(() => {
      document.title = flashes % 2 ? text : baseTitle;
      if (++flashes > 9) { clearInterval(titleTimer); titleTimer = null; renderTitle(); }
    }, 700);
  }

  // ---- live page -----------------------------------------------------------------------------------------
  function renderAll() {
    render();
    renderTitle();
    renderIsolations();
    if (page === "aups") renderAups();
    if (page === "concern") fillConcernForm();
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
      if (inc.redacted) {
        li.appendChild(el("span", "room", roomName(inc.room)));
      } else {
        const a = el("a", "room", roomName(inc.room));
        a.href = `#/incident/${inc.id}`;
        li.appendChild(a);
      }
      li.appendChild(el("span", "status", inc.status === "escalated" ? "Escalated" : STATUS[inc.status] || inc.status));
      li.appendChild(el("span", "category", inc.redacted ? "details hidden for your role"
        : inc.source === "filter-check" ? "filter check failed: record the action in the filter check log" : category(inc.category)));
      if (inc.status === "escalated") li.appendChild(el("span", "flag", "not acknowledged in time"));
      if (inc.openAtEndOfDay) li.appendChild(el("span", "flag", "open at end of day"));
      if (inc.computer) li.appendChild(el("span", "computer", `computer ${inc.computer}`));
      if (inc.presses) li.appendChild(el("span", "presses", `${inc.presses} press${inc.presses === 1 ? "" : "es"}`));
      li.appendChild(el("span", "opened", `at ${time(inc.openedAt)}`));
      const ageEl = el("span", "age", age(inc.openedAt));
      ageEl.dataset.since = inc.openedAt;
      li.appendChild(ageEl);
      const actions = el("span", "actions");
      if (inc.redacted) {
        // technicians see that a room has a worry, nothing more
      } else if ((inc.status === "open" || inc.status === "escalated") && acknowledgeable(inc)) {
        const b = button("ack", "Acknowledge", () => acknowledge(inc.id, b));
        actions.appendChild(b);
      } else if (inc.ackedBy) {
        actions.appendChild(el("span", "acked-by", `seen by ${inc.ackedBy}`));
      }
      li.appendChild(actions);
      list.appendChild(li);
    }
    $("live-isolation-count").textContent = isolations.size ? `${isolations.size} isolated now` : "none";
    const grid = $("rooms");
    grid.textContent = "";
    for (const r of sortedRooms()) {
      const li = el("li", r.online ? "online" : "offline");
      li.dataset.room = r.room;
      li.appendChild(el("div", "name", roomName(r.room)));
      li.appendChild(el("div", "state", r.online ? "online" : "offline"));
      li.appendChild(el("div", "since", `since ${when(r.since)}`));
      if (r.aupVersion) li.appendChild(el("div", "aup", `AUP ${r.aupKeyStage} ${r.aupVersion}`));
      if (r.aupKeyStage && aups[r.aupKeyStage] && aups[r.aupKeyStage] !== r.aupVersion) {
        li.appendChild(el("div", "warning aup-outdated", `AUP out of date (newest: ${aups[r.aupKeyStage]})`));
      }
      if (r.condition) li.appendChild(el("div", "warning", `hub problem: ${r.condition}`));
      if (r.gapWarning) li.appendChild(el("div", "warning", r.gapWarning));
      grid.appendChild(li);
    }
  }
  function sortedRooms() {
    return Array.from(rooms.values()).sort((a, b) => roomName(a.room).localeCompare(roomName(b.room)));
  }
  setInterval(() => document.querySelectorAll(".age").forEach((e) => { e.textContent = age(e.dataset.since); }), 1000);

  async function acknowledge(id, b) {
    b.disabled = true;
    const res = await api(`/api/incidents/${id}/ack`, { method: "POST", body: "{}" });
    if (!res.ok) { b.disabled = false; alert(await res.text()); return; }
    if (detailId === id) await reloadCase(); // an open incident page's timeline shows the acknowledgement
  }

  // ---- incidents page ------------------------------------------------------------------------------------
  function fillFilters() {
    const roomSelect = $("f-room");
    const chosen = roomSelect.value;
    roomSelect.querySelectorAll("option[value]:not([value=''])").forEach((o) => o.remove());
    const ids = new Set([...rooms.values()].map((r) => r.room).concat(Object.keys(roomNames)));
    for (const id of [...ids].sort((a, b) => roomName(a).localeCompare(roomName(b)))) {
      const o = el("option", "", roomName(id));
      o.value = id;
      roomSelect.appendChild(o);
    }
    roomSelect.value = chosen;
    const cat = $("f-category");
    if (cat.options.length === 1) {
      for (const [k, v] of Object.entries(CATEGORY)) {
        if (k === "not-given") continue;
        const o = el("option", "", v);
        o.value = k;
        cat.appendChild(o);
      }
    }
  }
  async function search() {
    const q = new URLSearchParams({ status: $("f-status").value, room: $("f-room").value, category: $("f-category").value,
      source: $("f-source").value, q: $("f-q").value });
    const res = await api(`/api/incident-search?${q}`);
    if (!res.ok) { $("search-result").textContent = await res.text(); return; }
    const body = await res.json();
    $("search-result").textContent = body.incidents.length === 0 ? "No incident matches."
      : `${body.incidents.length} incident${body.incidents.length === 1 ? "" : "s"}` +
        (body.incidents.length >= body.limit ? ` (the newest ${body.limit}: narrow the search to see older ones)` : "");
    fill($("incident-table").tBodies[0], body.incidents.map((i) => {
      const opened = el("td");
      if (i.redacted) opened.textContent = dateTime(i.openedAt);
      else {
        const a = el("a", "", dateTime(i.openedAt));
        a.href = `#/incident/${i.id}`;
        opened.appendChild(a);
      }
      return [opened, roomName(i.room), STATUS[i.status] || i.status, i.redacted ? "hidden for your role" : category(i.category),
        SOURCE[i.source] || i.source || "worry button", i.redacted ? "—" : outcome(i.outcome)];
    }));
    document.querySelectorAll("#incident-table tbody tr").forEach((tr, n) => { tr.dataset.incident = body.incidents[n].id; });
  }
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); search(); });

  // ---- incident page -------------------------------------------------------------------------------------
  // Every event and staff decision on an incident's timeline, in plain English (docs/DASHBOARD.md).
  function eventText(item) {
    const d = item.data || {};
    switch (item.type) {
      case "worry.reported": return "The worry button was pressed" + (d.computer ? ` (computer ${d.computer})` : "");
      case "worry.repeated": return "The button was pressed again" + (d.presses ? ` (${d.presses} presses in all)` : "");
      case "worry.detailed": return `The pupil chose a category: ${category(d.category)}` + (d.computer ? `, computer ${d.computer}` : "");
      case "worry.follow-up": return "The pupil asked to talk to someone and was given two words to say";
      case "isolation.requested": return `Isolation of ${d.machine ? "computer " + d.machine : "a computer"} was requested`;
      case "isolation.applied": return `The network cut ${d.machine ? "computer " + d.machine : "the computer"} off`;
      case "isolation.failed": return `The network could not cut ${d.machine ? "computer " + d.machine : "the computer"} off: the teacher was told to unplug it`;
      case "isolation.released": return `${d.machine ? "Computer " + d.machine : "The computer"} was let back onto the network`;
      case "switch.changed": return `The teacher turned the key switch ${d.on ? "on" : "off"}`;
      case "hub.started": return "The classroom hub started";
      case "cmd.applied": return d.name === "ack" ? "The classroom screen told the pupil that an adult has seen it"
        : `The classroom hub carried out “${humane(d.name || "a command")}”`;
      case "filter.checked": return "A filter check ran in the room";
      case "button.tested": return "The button was tested (a drill, not a worry)";
      case "notify.attempt":
        return `alert to ${d.contact} by ${d.channel}: ${d.outcome === "accepted" ? "accepted" : "FAILED"}` +
          ` (attempt ${d.attempt}${d.reply ? ", " + d.reply : ""})`;
      case "notify.unreachable":
        return `alert to ${d.contact}: NOT REACHED on any channel (${(d.channels || []).join(", ")})`;
      case "notify.skipped": return `alert to ${d.contact} not sent: ${d.reason}`;
      case "coordinator.acknowledged": return `Acknowledged by ${d.by}`;
      case "coordinator.closed": return `Closed by ${d.by}: ${outcome(d.outcome)}${d.notes ? " — " + d.notes : ""}`;
      case "coordinator.concern-logged": return `Concern logged by ${d.by}${d.summary ? ": " + d.summary : ""}`;
      case "coordinator.assigned": return `Assigned to ${d.to}${d.by ? " by " + d.by : ""}`;
      case "coordinator.note-added": return `Note by ${d.by}${d.corrects ? " (correcting note " + d.corrects + ")" : ""}: ${d.text}`;
      case "coordinator.action-added": return `Action recorded by ${d.by}: ${ACTION_KIND[d.kind] || d.kind}` +
        `${d.reference ? ", reference " + d.reference : ""}, due ${dateTime(d.due)}`;
      case "coordinator.action-done": return `Action marked done by ${d.by}`;
      case "coordinator.action-overdue": return `Action OVERDUE: ${ACTION_KIND[d.kind] || d.kind} was due ${dateTime(d.due)}`;
      case "coordinator.reopened": return `Reopened by ${d.by}: ${d.reason}`;
      case "coordinator.illegal-changed": return `Suspected illegal content changed by ${d.by} to “${d.illegal}”`;
      case "coordinator.review-recorded": return `Illegal-content review part recorded by ${d.by}: ${d.judgement === "substance" ? "has substance" : "no substance"}`;
      case "coordinator.attachment-added": return `Attachment added by ${d.by} (${d.mediaType})`;
      case "coordinator.escalated": return `Escalated: not acknowledged within ${d.afterMinutes} minutes`;
      case "coordinator.open-at-end-of-day": return `Still open at the end of the school day${d.day ? " (" + d.day + ")" : ""}`;
      case "coordinator.exported": return `Exported by ${d.by}`;
      case "coordinator.came-forward": return `The pupil came forward to ${d.by}`;
      case "coordinator.signed-off": return `Release of the computer signed off by ${d.by}`;
      case "coordinator.release-sent": return "Release sent to the classroom hub after two senior sign-offs";
      case "coordinator.isolation-requested": return `Isolation requested from the dashboard by ${d.by}`;
      default: return humane(item.type) + (d.by ? ` by ${d.by}` : "");
    }
  }
  const ACTION = {
    "view-incident": "Viewed by", "acknowledge": "Acknowledge pressed by", "close": "Closed by", "export": "Exported by",
    "follow-up-lookup": "Found from the pupil's two words by", "isolation-request": "Isolation requested by",
  };
  function actionText(item) {
    return `${ACTION[item.action] || humane(item.action) + " by"} ${item.actor}`;
  }
  // A type this page does not know yet (a newer coordinator) still reads as words, not as a code.
  function humane(type) {
    const words = String(type || "").replace(/^[a-z]+\./, "").replace(/[.-]/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }
  function alertFailed(item) {
    return item.type === "notify.unreachable" || (item.type === "notify.attempt" && item.data && item.data.outcome !== "accepted");
  }

  let detailId = null;
  let detail = null;
  function clearDetail() {
    detailId = null;
    detail = null;
    $("chronology").textContent = "";
    $("detail-title").textContent = "Incident";
    $("detail-summary").textContent = "";
    $("detail-actions").textContent = "";
    $("close-form").hidden = true;
    $("case-panel").hidden = true;
  }
  let detailLoads = 0;
  async function showDetail(id) {
    const load = ++detailLoads;
    if (!id) { clearDetail(); return; }
    const res = await api(`/api/incidents/${id}`);
    const body = res.ok ? await res.json() : null;
    if (load !== detailLoads) return;       // a later click asked for another incident (or this one again)
    clearDetail();
    if (!body) { $("detail-title").textContent = "No such incident"; return; }
    detail = body;
    detailId = id;
    renderDetail();
    renderChronology(detail.chronology || []);
    $("close-form").hidden = !can("close") || detail.status === "closed" || !!detail.redacted;
    $("close-confirm-row").hidden = true;
    $("close-result").textContent = "";
    renderCase();
    document.dispatchEvent(new CustomEvent("haven:incident-shown", { detail })); // case-review.js
  }
  // Audit rows that a chained decision on the same timeline already tells are left out; repeated reads by one
  // person fold into one line, so the timeline is what happened, not every page refresh.
  const TOLD_BY_DECISION = new Set(["acknowledge", "close", "export", "log-concern", "case-assign", "case-note", "case-action",
    "case-action-done", "case-reopen", "case-illegal", "case-review", "attachment"]);
  function renderChronology(items) {
    const list = $("chronology");
    list.textContent = "";
    let last = null;
    for (const item of items) {
      if (item.kind === "action" && TOLD_BY_DECISION.has(item.action)) continue;
      const read = item.kind === "action" && /^view-/.test(item.action);
      if (read && last && last.actor === item.actor) {
        last.count++;
        last.span.textContent = `Viewed by ${item.actor} (${last.count} times)`;
        continue;
      }
      if (item.kind === "action" && item.action === "view-case") item.action = "view-incident";
      const li = el("li", item.kind + (alertFailed(item) ? " alert-failed" : ""));
      li.appendChild(el("time", "", when(item.at)));
      li.lastChild.dateTime = item.at;
      const what = el("span", "what", item.kind === "event" ? eventText(item) : actionText(item));
      li.appendChild(what);
      list.appendChild(li);
      last = read ? { actor: item.actor, count: 1, span: what } : null;
    }
  }
  function renderDetail() {
    const inc = detail;
    $("detail-title").textContent = `${inc.status === "escalated" ? "Escalated worry" : inc.source === "concern" ? "Concern" : "Incident"}` +
      ` ${inc.caseNumber || inc.id}: ${placeName(inc)}`;
    const dl = $("detail-summary");
    dl.textContent = "";
    const facts = [["Status", inc.status === "escalated" ? "Escalated: not acknowledged in time" : STATUS[inc.status] || inc.status],
      ["Where", placeName(inc)], ["Opened", dateTime(inc.openedAt)]];
    if (!inc.redacted) {
      facts.push(["Source", SOURCE[inc.source] || "worry button"], ["Category", category(inc.category)]);
      if (inc.presses) facts.push(["Presses", String(inc.presses)]);
      if (inc.computer) facts.push(["Computer", inc.computer]);
      if (inc.ackedAt) facts.push(["Acknowledged", `${dateTime(inc.ackedAt)} by ${inc.ackedBy}`]);
      if (inc.closedAt) facts.push(["Closed", `${dateTime(inc.closedAt)}: ${outcome(inc.outcome)}`]);
      if (inc.url) facts.push(["URL involved", inc.url]);
      if (inc.nature) facts.push(["Nature of the content", inc.nature]);
      if (typeof inc.notes === "string" && inc.notes) facts.push(["Closing note", inc.notes]);
      if (inc.closingNotes) facts.push(["Closing note", inc.closingNotes]);
      if (inc.summary) facts.push(["What happened", inc.summary]);
      if (inc.about) facts.push(["About", { pupil: "a pupil", staff: "a member of staff", head: "the headteacher" }[inc.about] || inc.about]);
      if (inc.loggedBy) facts.push(["Logged by", inc.loggedBy]);
      if (inc.assignedTo) facts.push(["Assigned to", inc.assignedTo]);
      if (inc.illegal && inc.illegal !== "none") facts.push(["Suspected illegal", inc.illegal === "suspected-csam"
        ? "child sexual abuse imagery: do not copy, save or forward it" : "yes"]);
    }
    for (const [k, v] of facts) { dl.appendChild(el("dt", "", k)); dl.appendChild(el("dd", "", v)); }
    const actions = $("detail-actions");
    actions.textContent = "";
    actions.appendChild(button("refresh", "Refresh", () => showDetail(inc.id)));
    if (!inc.redacted && (inc.status === "open" || inc.status === "escalated") && acknowledgeable(inc)) {
      const b = button("ack", "Acknowledge", async () => { await acknowledge(inc.id, b); });
      actions.appendChild(b);
    }
    if (!inc.redacted && can("export")) {
      const a = el("a", "export button-link", "Export the record");
      a.href = `/api/incidents/${inc.id}/export`;
      a.target = "_blank";
      a.rel = "noopener";
      actions.appendChild(a);
      const b = el("a", "bundle button-link", "Download the case bundle");
      b.href = `/api/incidents/${inc.id}/bundle`;
      b.setAttribute("download", "");
      actions.appendChild(b);
    }
  }

  // Closing is asked twice: the form, then a confirmation naming the outcome. Nothing is chosen for the user.
  $("close-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (!$("close-outcome").value) { $("close-result").textContent = "Choose an outcome first."; return; }
    if (!$("close-notes").value.trim()) { $("close-result").textContent = "Write a closing note first."; return; }
    $("close-confirm-text").textContent = `Close ${detail && detail.caseNumber ? "case " + detail.caseNumber : "this incident"}` +
      ` as “${outcome($("close-outcome").value)}”? It can be reopened later, but the closing stays on the record.`;
    $("close-confirm-row").hidden = false;
    $("close-confirm").focus();
  });
  $("close-cancel").addEventListener("click", () => { $("close-confirm-row").hidden = true; });
  $("close-confirm").addEventListener("click", async () => {
    $("close-confirm-row").hidden = true;
    const res = await api(`/api/incidents/${detailId}/close`, {
      method: "POST",
      body: JSON.stringify({ outcome: $("close-outcome").value, url: $("close-url").value,
        nature: $("close-nature").value, notes: $("close-notes").value }),
    });
    // A refusal keeps what was typed, so nothing has to be written again.
    $("close-result").textContent = res.ok ? "Closed." : await res.text();
    if (res.ok) {
      $("close-form").hidden = true;
      ["close-url", "close-nature", "close-notes"].forEach((f) => { $(f).value = ""; });
      $("close-outcome").value = "";
      Object.assign(detail, await res.json());
      renderDetail();
      $("close-result").hidden = false;
      await reloadCase(); // the timeline shows the closing just made, as it does a note or an action

    }
  });
  $("detail-hide").addEventListener("click", () => history.back());

  // ---- case work (docs/CASEWORK.md) ----------------------------------------------------------------------
  function placeName(inc) {
    if (inc.site === "coordinator") return { "elsewhere-in-school": "elsewhere in school", "outside-school": "outside school" }[inc.room] || inc.room;
    return roomName(inc.room);
  }
  const ACTION_KIND = { "parents-informed": "Parents informed", "mash-referral": "MASH referral",
    "childrens-social-care": "Children's social care", "lado-referral": "LADO referral", police: "Police", ceop: "CEOP", other: "Other" };
  function renderCase() {
    const inc = detail;
    const show = !!inc && !inc.redacted && can("work-case");
    $("case-panel").hidden = !show;
    if (!show) return;
    if (document.activeElement !== $("assign-to")) $("assign-to").value = inc.assignedTo || "";
    const notes = $("case-notes");
    notes.textContent = "";
    for (const n of Array.isArray(inc.notes) ? inc.notes : []) {
      const li = el("li");
      li.dataset.note = n.id;
      li.appendChild(el("time", "", dateTime(n.at)));
      li.appendChild(el("span", "by", ` ${n.by}${n.corrects ? " (corrects note " + n.corrects + ")" : ""}: `));
      li.appendChild(el("span", "text", n.text));
      notes.appendChild(li);
    }
    if (!notes.childNodes.length) notes.appendChild(el("li", "quiet", "No notes yet."));
    const actions = $("case-actions");
    actions.textContent = "";
    for (const a of inc.actions || []) {
      const li = el("li", a.doneAt ? "done" : a.overdue ? "overdue" : "");
      li.dataset.action = a.id;
      li.appendChild(el("strong", "", ACTION_KIND[a.kind] || a.kind));
      if (a.reference) li.appendChild(el("span", "reference", `ref. ${a.reference}`));
      li.appendChild(el("span", "due", `due ${dateTime(a.due)}`));
      if (a.doneAt) li.appendChild(el("span", "", `done ${dateTime(a.doneAt)} by ${a.doneBy}`));
      else if (a.overdue) li.appendChild(el("span", "flag", "OVERDUE"));
      if (!a.doneAt) li.appendChild(button("done", "Mark done", () => caseCall(`/actions/${a.id}/done`, "{}")));
      actions.appendChild(li);
    }
    if (!actions.childNodes.length) actions.appendChild(el("li", "quiet", "No actions recorded."));
    const files = $("case-attachments");
    files.textContent = "";
    for (const f of inc.attachments || []) {
      const li = el("li");
      const a = el("a", "", `${f.mediaType}, ${Math.ceil(f.size / 1024)} kB, added ${dateTime(f.at)} by ${f.by}`);
      a.href = `/api/incidents/${inc.id}/attachments/${f.sha256}`;
      a.target = "_blank";
      a.rel = "noopener";
      li.appendChild(a);
      files.appendChild(li);
    }
    // Seeds: never copy or save suspected child sexual abuse imagery; the server refuses it too.
    $("attachment-form").hidden = inc.illegal === "suspected-csam";
  }
  // A case change, then the case part afresh; a refusal keeps what was typed.
  async function caseCall(path, body, form) {
    const res = await api(`/api/incidents/${detailId}${path}`, { method: "POST", body });
    const text = await res.text();
    if (!res.ok) { $("case-result").textContent = `Not saved: ${text}`; return false; }
    $("case-result").textContent = "Saved.";
    if (form) form.reset();
    await reloadCase();
    return true;
  }
  async function reloadCase() {
    const id = detailId;
    const [incRes, caseRes] = await Promise.all([api(`/api/incidents/${id}`), api(`/api/incidents/${id}/case`)]);
    if (id !== detailId || !incRes.ok) return;
    const inc = await incRes.json();
    if (caseRes.ok) Object.assign(inc, await caseRes.json());
    const chronology = inc.chronology;
    delete inc.chronology;
    detail = Object.assign(detail || {}, inc);
    renderDetail();
    renderCase();
    if (chronology) renderChronology(chronology);
  }
  $("assign-form").addEventListener("submit", (e) => {
    e.preventDefault();
    caseCall("/assign", JSON.stringify({ to: $("assign-to").value.trim() }));
  });
  $("note-form").addEventListener("submit", (e) => {
    e.preventDefault();
    caseCall("/notes", JSON.stringify({ text: $("note-text").value }), $("note-form"));
  });
  $("action-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const due = window.HavenLondonTime.parse($("action-due-date").value, $("action-due-time").value);
    if (!due) { $("case-result").textContent = "Not saved: give the due date as day/month/year and the time as 16:00."; return; }
    caseCall("/actions", JSON.stringify({ kind: $("action-kind").value, reference: $("action-reference").value.trim() || null,
      due: due.toISOString() }), $("action-form"));
  });
  $("attachment-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = $("attachment-file").files[0];
    if (!file) return;
    const data = new FormData();
    data.append("file", file);
    const res = await fetch(`/api/incidents/${detailId}/attachments`, { method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRF-Token": session.csrf } });
    const text = await res.text();
    $("case-result").textContent = res.ok ? "Attached." : `Not attached: ${text}`;
    if (res.ok) { $("attachment-form").reset(); await reloadCase(); }
  });


  function fillConcernForm() {
    // The classrooms arrive with the live snapshot, perhaps after this page was opened: rebuilt each time.
    const room = $("concern-room");
    const chosen = room.value;
    room.querySelectorAll("option[data-room]").forEach((o) => o.remove());
    const places = room.firstChild;
    for (const r of sortedRooms().reverse()) {
      const o = el("option", "", roomName(r.room));
      o.value = `${r.site}/${r.room}`;
      o.dataset.room = r.room;
      room.insertBefore(o, room.firstChild);
    }
    if (chosen && [...room.options].some((o) => o.value === chosen)) room.value = chosen;
    const cat = $("concern-category");
    if (cat.options.length === 1) {
      for (const [k, v] of Object.entries(CATEGORY)) {
        if (k === "not-given" || k === "about-an-adult") continue;
        const o = el("option", "", v);
        o.value = k;
        cat.appendChild(o);
      }
    }
  }
  $("concern-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const res = await api("/api/concerns", { method: "POST", body: JSON.stringify({
      room: $("concern-room").value, category: $("concern-category").value, summary: $("concern-summary").value,
      url: $("concern-url").value.trim() || null, nature: $("concern-nature").value.trim() || null,
      about: $("concern-about").value, illegal: $("concern-illegal").value }) });
    const out = $("concern-result");
    out.textContent = "";
    if (!res.ok) { out.textContent = `Not logged: ${await res.text()}`; return; }
    const body = await res.json();
    const about = $("concern-about").value;
    $("concern-form").reset();
    out.textContent = `Logged as case ${body.caseNumber}. `;
    if (about === "pupil") {
      const a = el("a", "", "Open it");
      a.href = `#/incident/${body.id}`;
      out.appendChild(a);
    } else {
      out.appendChild(document.createTextNode("It has gone to the person who deals with it; you cannot read it back."));
    }
  });

  // ---- isolations page -----------------------------------------------------------------------------------
  function renderIsolations() {
    const isoList = $("isolations");
    isoList.textContent = "";
    $("no-isolations").hidden = isolations.size > 0;
    for (const iso of isolations.values()) {
      const li = el("li", iso.status);
      li.dataset.isolation = iso.id;
      li.appendChild(el("span", "room", roomName(iso.room)));
      li.appendChild(el("span", "machine", iso.machine));
      li.appendChild(el("span", "status", ISOLATION_STATUS[iso.status] || iso.status));
      li.appendChild(el("span", "since", `since ${when(iso.requestedAt)}`));
      const actions = el("span", "actions");
      if (iso.releaseRequestedAt) {
        actions.appendChild(el("span", "releasing", "release sent to the hub"));
      } else {
        actions.appendChild(el("span", "signoffs", `${iso.signOffs} of 2 senior sign-offs`));
        if (can("sign-off-release")) {
          const b = button("signoff", "Sign off release", () => signOff(iso.id, b));
          actions.appendChild(b);
        }
      }
      li.appendChild(actions);
      isoList.appendChild(li);
    }
  }
  async function signOff(id, b) {
    if (!confirm("Sign off releasing this computer back onto the network? A second senior member of staff must also sign.")) return;
    b.disabled = true;
    const res = await api(`/api/isolations/${id}/signoff`, { method: "POST", body: "{}" });
    const text = await res.text();
    if (!res.ok) { b.disabled = false; alert(text); return; }
    const body = JSON.parse(text);
    if (body.notCounted && body.notCounted.length) alert(body.notCounted.join("\n"));
  }

  // ---- classrooms page -----------------------------------------------------------------------------------
  function bytes(n) {
    if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
    if (n >= 1e6) return `${Math.round(n / 1e6)} MB`;
    return `${Math.round(n / 1e3)} kB`;
  }
  function duration(s) {
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
  }
  async function loadClassrooms() {
    const [healthRes, testsRes] = await Promise.all([api("/api/hub-health"), api("/api/button-tests")]);
    const health = healthRes.ok ? await healthRes.json() : [];
    const tests = testsRes.ok ? await testsRes.json() : [];
    if (tests.length && tests[0].dueDays) $("button-test-due").textContent = String(tests[0].dueDays);
    const key = (x) => `${x.site}/${x.room}`;
    const byHealth = new Map(health.map((h) => [key(h), h]));
    const byTest = new Map(tests.map((t) => [key(t), t]));
    const all = new Map();
    for (const r of rooms.values()) all.set(key(r), { site: r.site, room: r.room, view: r });
    for (const x of health.concat(tests)) if (!all.has(key(x))) all.set(key(x), { site: x.site, room: x.room });
    const list = $("classrooms");
    list.textContent = "";
    for (const r of [...all.values()].sort((a, b) => roomName(a.room).localeCompare(roomName(b.room)))) {
      const v = r.view || rooms.get(key(r));
      const h = byHealth.get(key(r));
      const t = byTest.get(key(r));
      const li = el("li", v && v.online ? "online" : "offline");
      li.dataset.room = r.room;
      li.appendChild(el("h3", "name", roomName(r.room)));
      const dl = el("dl", "facts");
      const add = (k, val, cls) => { dl.appendChild(el("dt", "", k)); dl.appendChild(el("dd", cls || "", val)); };
      add("Hub", v ? (v.online ? `online since ${when(v.since)}` : `offline since ${when(v.since)}`) : "not seen", v && v.online ? "" : "warning");
      add("AUP", v && v.aupVersion ? `${v.aupKeyStage} ${v.aupVersion}` +
        (aups[v.aupKeyStage] && aups[v.aupKeyStage] !== v.aupVersion ? ` (out of date: newest ${aups[v.aupKeyStage]})` : "") : "none shown");
      if (h && h.health) {
        const skew = `${Math.abs(Math.round(h.skewMillis / 1000))} s from the coordinator's clock`;
        add("Clock", !h.health.clockSynced ? `NOT synchronised: the hub has no time source (${skew})`
          : h.clockSkewed ? `synchronised, but ${skew}` : "synchronised", h.health.clockSynced && !h.clockSkewed ? "" : "warning");
        add("Disk free", bytes(h.health.diskFreeBytes));
        add("Outbox", h.health.outboxDepth === 0 ? "empty (everything sent)" : `${h.health.outboxDepth} waiting to send`,
          h.health.outboxDepth > 0 ? "warning" : "");
        add("Uptime", duration(h.health.uptimeSeconds));
        if (h.health.cpuTemperatureCelsius !== undefined) add("CPU temperature", `${h.health.cpuTemperatureCelsius} °C`);
        add("Reported", when(h.receivedAt));
      } else {
        add("Health", "no report yet");
      }
      if (t) {
        add("Button test", t.lastTestedAt ? `last passed ${dateTime(t.lastTestedAt)}` : "never tested", t.overdue ? "" : "tested");
        if (t.overdue) add("", `Not tested within ${t.dueDays || 30} days`, "warning overdue");
      }
      li.appendChild(dl);
      const actions = el("div", "actions-row");
      if (can("test-button")) actions.appendChild(button("test-mode", "Test the button", () => roomAction(r, "test-mode", "{}")));
      if (can("start-filter-check")) actions.appendChild(button("filter-check", "Check filtering now", () => roomAction(r, "filter-check", "{}")));
      if (can("isolate-remotely")) actions.appendChild(button("isolate", "Isolate a computer", () => {
        if (confirm(`Ask ${roomName(r.room)}'s hub to cut a pupil computer off the network? The teacher chooses which.`)) {
          roomAction(r, "isolate", "{}");
        }
      }));
      if (actions.childNodes.length) li.appendChild(actions);
      list.appendChild(li);
    }
  }
  async function roomAction(r, what, body) {
    const res = await api(`/api/rooms/${encodeURIComponent(r.site)}/${encodeURIComponent(r.room)}/${what}`, { method: "POST", body });
    const text = await res.text();
    $("classroom-result").textContent = `${roomName(r.room)}: ${res.ok ? text : "not done: " + text}`;
  }

  // ---- reports page --------------------------------------------------------------------------------------
  async function loadReport() {
    const res = await api("/api/reports");
    if (!res.ok) return;
    const body = await res.json();
    document.dispatchEvent(new CustomEvent("haven:report", { detail: body })); // aup-reviews.js
    fill($("report-table").tBodies[0], body.months.map((r) => [month(r.month), roomName(r.room), category(r.category),
      outcome(r.outcome), r.count, r.averageMinutesToAcknowledge ?? "—"]));
    if (window.HavenReportChart) window.HavenReportChart.draw($("report-chart"), body.months, { month, category });
  }
  function month(ym) {
    const [y, m] = String(ym).split("-").map(Number);
    if (!y || !m) return ym;
    return new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" }).format(Date.UTC(y, m - 1, 1));
  }

  // ---- AUPs, staff, audit --------------------------------------------------------------------------------
  function renderAups() {
    const ul = $("aup-versions");
    ul.textContent = "";
    const entries = Object.entries(aups);
    if (!entries.length) ul.appendChild(el("li", "quiet", "No AUP published yet."));
    for (const [ks, v] of entries) ul.appendChild(el("li", "", `${ks.toUpperCase()}: version ${v}`));
  }
  $("aup-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const res = await api("/api/aups", {
      method: "POST",
      body: JSON.stringify({ keyStage: $("aup-key-stage").value, language: $("aup-language").value, markdown: $("aup-markdown").value }),
    });
    $("aup-result").textContent = res.ok ? "Published." : await res.text();
    if (res.ok) { aups = (await res.json()).latest || aups; renderAups(); }
  });

  async function auditRows() {
    const res = await api("/api/audit");
    return res.ok ? (await res.json()).audit : [];
  }
  async function loadAudit() {
    const rows = await auditRows();
    fill($("audit-table").tBodies[0], rows.map((a) => [dateTime(a.at), a.actor, humane(a.action), a.target || ""]));
  }
  async function loadStaff() {
    const rows = await auditRows();
    const people = new Map();
    for (const a of rows) {
      if (a.action !== "login" && a.action !== "login-failed") continue;
      const p = people.get(a.actor) || { last: null, failed: 0 };
      if (a.action === "login" && !p.last) p.last = a.at;
      if (a.action === "login-failed") p.failed++;
      people.set(a.actor, p);
    }
    fill($("staff-table").tBodies[0], [...people.entries()].sort().map(([name, p]) => [name, dateTime(p.last), p.failed]));
  }

  // ---- follow-up words, login, logout --------------------------------------------------------------------
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
      out.textContent = `Found: incident ${found.incident.id}, ${roomName(found.incident.room)}.`;
      go(`#/incident/${found.incident.id}`);
      document.dispatchEvent(new CustomEvent("haven:follow-up-found", { detail: found })); // came-forward.js
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
    // The click that logs in is the gesture the browser needs before it lets the page make a sound.
    if (audio && soundWanted && audio.state !== "running") audio.resume().catch(() => {});
    const res = await fetch("/api/login", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
      body: JSON.stringify({ name: $("name").value, password: $("password").value }),
    });
    $("password").value = "";
    if (res.ok) {
      const answer = await res.json();
      if (answer.totpRequired && window.havenLoginTotp) window.havenLoginTotp(answer, loggedIn); // login-totp.js
      else loggedIn(answer);
    } else $("login-error").textContent = await res.text();
  });

  $("logout").addEventListener("click", async () => {
    await api("/api/logout", { method: "POST", body: "{}" }).catch(() => {});
    loggedOut();
  });

  fetch("/api/session", { credentials: "same-origin" })
    .then((res) => res.json())
    .then((s) => (s.name ? loggedIn(s) : loggedOut()))
    .catch(() => loggedOut());
})();
