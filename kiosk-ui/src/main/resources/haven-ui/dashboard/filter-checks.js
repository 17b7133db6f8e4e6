// The DfE filter check log: list, start a check, record the action taken for a failure.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const MAY_ACT = ["technician", "coordinator"];
  let session = null;

  async function api(path, options = {}) {
    const headers = Object.assign({ "Content-Type": "application/json" }, options.headers || {});
    if (session && options.method && options.method !== "GET") headers["X-CSRF-Token"] = session.csrf;
    return fetch(path, Object.assign({}, options, { headers, credentials: "same-origin" }));
  }

  function text(tag, content, className) {
    const el = document.createElement(tag);
    el.textContent = content;
    if (className) el.className = className;
    return el;
  }

  function evidenceOf(r) {
    const e = r.evidence || {};
    const parts = [];
    if (e.dns) parts.push("DNS " + e.dns);
    if (e.address) parts.push(e.address);
    if (e.connect) parts.push("connection " + e.connect);
    if (e.status) parts.push("HTTP " + e.status);
    if (e.blockPage) parts.push("block page");
    if (e.tls) parts.push("TLS " + e.tls);
    if (e.simulated) parts.push("simulated");
    return parts.join(", ");
  }

  function row(check) {
    const tr = document.createElement("tr");
    tr.dataset.id = check.id;
    if (check.incident === "open") tr.className = "failed";
    tr.appendChild(text("td", new Date(check.at).toLocaleString("en-GB")));
    tr.appendChild(text("td", check.by === "schedule" ? "schedule" : check.by));
    tr.appendChild(text("td", check.room));
    const tested = document.createElement("td");
    const results = document.createElement("td");
    const list = document.createElement("ul");
    const outcomes = document.createElement("ul");
    for (const r of check.results) {
      list.appendChild(text("li", `${r.category}: ${r.target}`));
      const ok = r.result === r.expected;
      outcomes.appendChild(text("li", `${r.result}${ok ? "" : " (expected " + r.expected + ")"} — ${evidenceOf(r)}`,
        r.result === "reachable" && r.expected === "blocked" ? "error" : ""));
    }
    tested.appendChild(list);
    results.appendChild(outcomes);
    tr.appendChild(tested);
    tr.appendChild(results);
    const action = document.createElement("td");
    if (check.action) {
      action.appendChild(text("p", check.action));
      action.appendChild(text("p", `${check.actionBy}, ${new Date(check.actionAt).toLocaleString("en-GB")}`, "quiet"));
    } else if (check.failed && MAY_ACT.includes(session.role)) {
      const form = document.createElement("form");
      form.className = "action-form";
      const label = text("label", "Action taken");
      const area = document.createElement("textarea");
      area.rows = 2;
      area.required = true;
      area.id = "action-" + check.id;
      label.htmlFor = area.id;
      const button = text("button", "Record action");
      button.type = "submit";
      form.append(label, area, button);
      form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const res = await api(`/api/filter-checks/${encodeURIComponent(check.id)}/action`,
          { method: "POST", body: JSON.stringify({ action: area.value }) });
        if (res.ok) load(); else $("log-error").textContent = await res.text();
      });
      action.appendChild(form);
    } else if (check.failed) {
      action.appendChild(text("p", "open: waiting for the technician", "error"));
    } else {
      action.appendChild(text("p", "none needed", "quiet"));
    }
    tr.appendChild(action);
    return tr;
  }

  async function load() {
    const res = await api("/api/filter-checks");
    if (!res.ok) { $("log-error").textContent = await res.text(); return; }
    const checks = await res.json();
    const body = $("checks").querySelector("tbody");
    body.replaceChildren(...checks.map(row));
    $("no-checks").hidden = checks.length > 0;
    const open = checks.filter((c) => c.incident === "open").length;
    $("open-count").textContent = open ? `(${open} failed, no action yet)` : "";
  }

  async function rooms() {
    const res = await api("/api/rooms");
    if (!res.ok) return;
    const select = $("start-room");
    for (const r of (await res.json()).rooms) {
      const option = text("option", `${r.room} (${r.site})`);
      option.value = `${r.site}/${r.room}`;
      select.appendChild(option);
    }
  }

  $("start-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const res = await api(`/api/rooms/${$("start-room").value}/filter-check`, { method: "POST", body: "{}" });
    $("start-result").textContent = await res.text();
    if (res.ok) setTimeout(load, 2000);
  });

  fetch("/api/session", { credentials: "same-origin" }).then((r) => r.json()).then((s) => {
    if (!s.name) { $("login-needed").hidden = false; return; }
    session = s;
    $("who").textContent = `${s.name} (${s.role})`;
    if (MAY_ACT.includes(s.role)) { $("start-panel").hidden = false; rooms(); }
    load();
  });
})();
