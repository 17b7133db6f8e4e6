// Data breaches (docs/DATA-PROTECTION.md): "report data breaches within 72 hours as required by the ICO". The
// page #/breaches lists every breach with the time left to its 72-hour deadline (counted from when the school
// became aware, by the server's clock), records a suspected breach, its updates and the decision.
// dashboard.js shows the page and tells this file with the "haven:show-breaches" event; the server checks every
// permission again (record-breach, view-breaches).
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const ZONE = "Europe/London";
  const DATE_TIME = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, weekday: "short", day: "numeric", month: "short",
    year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  let serverOffset = 0; // the server's clock minus this PC's, so a wrong PC clock does not show the wrong time left
  let breaches = [];
  let shown = null;
  let timer = null;

  const sheet = document.createElement("link");
  sheet.rel = "stylesheet";
  sheet.href = "breaches.css";
  document.head.appendChild(sheet);

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function can(permission) {
    return (document.body.dataset.permissions || "").split(" ").includes(permission);
  }
  function dateTime(iso) { return iso ? DATE_TIME.format(new Date(iso)) : "—"; }
  async function csrf() {
    return (await (await fetch("/api/session", { credentials: "same-origin" })).json()).csrf;
  }
  async function post(path, body) {
    return fetch(path, { method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRF-Token": await csrf() } });
  }

  // The school's clock (london-time.js): typed day and time -> ISO text or null; now as the form shows it.
  function londonTime(dateText, timeText) {
    const at = window.HavenLondonTime.parse(dateText, timeText);
    return at ? at.toISOString() : null;
  }
  const londonNow = () => window.HavenLondonTime.now();

  // The countdown in plain words: "2 days 21 hours 14 minutes left", "Overdue by 3 hours 5 minutes".
  function span(seconds) {
    const m = Math.floor(Math.abs(seconds) / 60);
    const days = Math.floor(m / 1440);
    const hours = Math.floor((m % 1440) / 60);
    const parts = [];
    if (days) parts.push(`${days} ${days === 1 ? "day" : "days"}`);
    if (days || hours) parts.push(`${hours} ${hours === 1 ? "hour" : "hours"}`);
    parts.push(`${m % 60} ${m % 60 === 1 ? "minute" : "minutes"}`);
    return parts.join(" ");
  }
  function secondsLeft(b) {
    return Math.floor((Date.parse(b.deadline) - (Date.now() + serverOffset)) / 1000);
  }
  function clockText(b) {
    if (b.decision === "reported") return `Reported to the ICO (reference ${b.icoReference})`;
    if (b.decision === "not-reported") return "Decided: not reported to the ICO";
    const left = secondsLeft(b);
    return left < 0 ? `Overdue by ${span(left)}` : `${span(left)} left to decide`;
  }
  function clockClass(b) {
    if (b.decision) return "decided";
    const left = secondsLeft(b);
    return left < 0 ? "overdue" : left < 24 * 3600 ? "soon" : "open";
  }

  function render() {
    const list = $("breach-list");
    list.textContent = "";
    $("no-breaches").hidden = breaches.length > 0;
    for (const b of breaches) {
      const li = el("li", clockClass(b));
      li.dataset.breach = b.id;
      const clock = el("span", "clock", clockText(b));
      clock.setAttribute("role", "timer");
      li.appendChild(clock);
      li.appendChild(el("span", "deadline", b.decision ? `Decided ${dateTime(b.decidedAt)} by ${b.decidedBy}`
        : `Deadline ${dateTime(b.deadline)}`));
      li.appendChild(el("span", "what", b.whatHappened));
      const open = el("button", "", "Open");
      open.type = "button";
      open.setAttribute("aria-label", `Open the breach recorded ${dateTime(b.recordedAt)}`);
      open.addEventListener("click", () => showBreach(b.id));
      li.appendChild(open);
      list.appendChild(li);
    }
  }
  function tick() {
    if (document.querySelector("#page-breaches").hidden) { clearInterval(timer); timer = null; return; }
    for (const li of document.querySelectorAll("#breach-list li[data-breach]")) {
      const b = breaches.find((x) => x.id === Number(li.dataset.breach));
      if (!b) continue;
      li.className = clockClass(b);
      li.querySelector(".clock").textContent = clockText(b);
    }
  }

  async function load() {
    $("breach-record-panel").hidden = !can("record-breach");
    const res = await fetch("/api/breaches", { credentials: "same-origin" });
    if (!res.ok) { $("breach-result").textContent = await res.text(); return; }
    const body = await res.json();
    serverOffset = Date.parse(body.now) - Date.now();
    breaches = body.breaches;
    render();
    if (!timer) timer = setInterval(tick, 1000);
    if (shown !== null) await showBreach(shown);
    const now = londonNow();
    if (!$("breach-discovered-date").value) $("breach-discovered-date").value = now.date;
    if (!$("breach-discovered-time").value) $("breach-discovered-time").value = now.time;
  }

  function fact(dl, term, value) {
    dl.appendChild(el("dt", "", term));
    dl.appendChild(el("dd", "", value === null || value === undefined || value === "" ? "—" : String(value)));
  }
  async function showBreach(id) {
    const res = await fetch(`/api/breaches/${id}`, { credentials: "same-origin" });
    if (!res.ok) { $("breach-result").textContent = await res.text(); return; }
    const b = await res.json();
    shown = id;
    $("breach-detail").hidden = false;
    $("breach-detail-title").textContent = `Breach recorded ${dateTime(b.recordedAt)}`;
    const dl = $("breach-facts");
    dl.textContent = "";
    fact(dl, "72-hour clock", clockText(b));
    fact(dl, "School became aware", dateTime(b.discoveredAt));
    fact(dl, "Deadline", dateTime(b.deadline));
    fact(dl, "Recorded by", b.recordedBy);
    fact(dl, "What happened", b.whatHappened);
    fact(dl, "Data affected", b.dataAffected);
    fact(dl, "People affected", b.peopleAffected);
    fact(dl, "Containment", b.containment);
    if (b.decision) {
      fact(dl, "Decision", b.decision === "reported" ? "Reported to the ICO" : "Not reported to the ICO");
      if (b.decision === "reported") {
        fact(dl, "ICO reference", b.icoReference);
        fact(dl, "Reported", dateTime(b.reportedAt));
      }
      fact(dl, "Reason", b.reason);
      fact(dl, "People affected told", b.peopleTold ? "Yes" : "No");
      fact(dl, "Decided", `${dateTime(b.decidedAt)} by ${b.decidedBy}`);
    }
    const notes = $("breach-notes");
    notes.textContent = "";
    for (const n of b.notes) {
      const li = el("li");
      const t = el("time", "", dateTime(n.at));
      t.dateTime = n.at;
      li.append(t, ` ${n.by}: `, n.text);
      notes.appendChild(li);
    }
    if (!b.notes.length) notes.appendChild(el("li", "quiet", "No updates yet."));
    $("breach-note-form").hidden = !can("record-breach");
    $("breach-decision-form").hidden = !can("record-breach") || !!b.decision;
  }

  function decisionFields() {
    const choice = $("breach-decision").value;
    document.querySelectorAll("#breach-decision-form [data-when]").forEach((e) => { e.hidden = e.dataset.when !== choice; });
  }

  function say(text) { $("breach-result").textContent = text; }

  document.addEventListener("DOMContentLoaded", () => {
    decisionFields();
    $("breach-decision").addEventListener("change", decisionFields);
    $("breach-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const discoveredAt = londonTime($("breach-discovered-date").value, $("breach-discovered-time").value);
      if (!discoveredAt) { say("Give when the school became aware as day/month/year and a 24-hour time, e.g. 31/12/2026 09:30."); return; }
      const res = await post("/api/breaches", { discoveredAt, whatHappened: $("breach-what").value,
        dataAffected: $("breach-data").value, peopleAffected: $("breach-people").value, containment: $("breach-containment").value });
      if (!res.ok) { say(await res.text()); return; }
      const b = await res.json();
      $("breach-form").reset();
      say(`Breach recorded. ${span(b.secondsLeft)} ${b.secondsLeft < 0 ? "past" : "left to"} the 72-hour deadline.`);
      shown = b.id;
      await load();
    });
    $("breach-note-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const res = await post(`/api/breaches/${shown}/notes`, { text: $("breach-note-text").value });
      if (!res.ok) { say(await res.text()); return; }
      $("breach-note-form").reset();
      say("Update added.");
      await showBreach(shown);
    });
    $("breach-decision-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const decision = $("breach-decision").value;
      const body = { decision, peopleTold: $("breach-told").value === "true" };
      if (decision === "reported") {
        body.icoReference = $("breach-ico-reference").value;
        body.reportedAt = londonTime($("breach-reported-date").value, $("breach-reported-time").value);
        if (!body.reportedAt) { say("Give when it was reported as day/month/year and a 24-hour time."); return; }
      } else {
        body.reason = $("breach-reason").value;
      }
      const res = await post(`/api/breaches/${shown}/decision`, body);
      if (!res.ok) { say(await res.text()); return; }
      $("breach-decision-form").reset();
      decisionFields();
      say("Decision recorded.");
      await load();
    });
  });
  // Logged out: nothing of the last session's breaches stays in the page under the login form.
  new MutationObserver(() => {
    if (document.body.dataset.permissions !== undefined) return;
    breaches = [];
    shown = null;
    $("breach-list").textContent = "";
    $("breach-facts").textContent = "";
    $("breach-notes").textContent = "";
    $("breach-detail").hidden = true;
    say("");
  }).observe(document.body, { attributes: true, attributeFilter: ["data-permissions"] });
  document.addEventListener("haven:show-breaches", () => { load().catch(() => say("The breach records could not be loaded.")); });
})();
