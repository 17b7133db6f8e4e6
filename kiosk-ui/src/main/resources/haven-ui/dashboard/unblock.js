// Temporary unblock requests: staff ask, the technician approves or refuses with a reason, everyone sees the status.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
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

  const when = (iso) => new Date(iso).toLocaleString("en-GB");
  const may = (permission) => session.permissions.includes(permission);

  function decisionCell(r) {
    const td = document.createElement("td");
    td.className = "decision";
    if (r.status !== "pending") {
      td.appendChild(text("p", r.status, "status-" + r.status));
      td.appendChild(text("p", `${r.decidedBy}, ${when(r.decidedAt)}: ${r.decisionReason}`, "quiet"));
      if (r.expired) td.appendChild(text("p", `ended ${when(r.until)}: check the sites are filtered again`, "error"));
      else if (r.status === "approved") td.appendChild(text("p", `unblocked until ${when(r.until)}`, "until"));
      return td;
    }
    if (r.pastUntil) { td.appendChild(text("p", "pending, and the period is over", "error")); return td; }
    if (!may("decide-unblock")) { td.appendChild(text("p", "pending: waiting for the technical staff")); return td; }
    const form = document.createElement("form");
    form.className = "decide-form";
    const label = text("label", "Reason for the decision");
    const area = document.createElement("textarea");
    area.rows = 2;
    area.required = true;
    area.id = "decision-" + r.id;
    label.htmlFor = area.id;
    const approve = text("button", "Approve");
    approve.type = "submit";
    approve.value = "approve";
    approve.className = "approve";
    const refuse = text("button", "Refuse");
    refuse.type = "submit";
    refuse.value = "refuse";
    refuse.className = "refuse";
    form.append(label, area, approve, refuse);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const decision = ev.submitter ? ev.submitter.value : "approve";
      const res = await api(`/api/unblock-requests/${r.id}/decision`,
        { method: "POST", body: JSON.stringify({ decision, reason: area.value }) });
      if (res.ok) load(); else $("list-error").textContent = await res.text();
    });
    td.appendChild(form);
    return td;
  }

  function row(r) {
    const tr = document.createElement("tr");
    tr.dataset.id = r.id;
    tr.className = "request-" + r.status + (r.expired ? " expired" : "");
    tr.appendChild(text("td", `${r.requestedBy}, ${when(r.requestedAt)}`));
    const sites = document.createElement("td");
    const list = document.createElement("ul");
    r.sites.forEach((s) => list.appendChild(text("li", s)));
    sites.appendChild(list);
    tr.appendChild(sites);
    tr.appendChild(text("td", r.group));
    tr.appendChild(text("td", `${when(r.from)} to ${when(r.until)}`));
    tr.appendChild(text("td", r.reason));
    tr.appendChild(decisionCell(r));
    return tr;
  }

  async function load() {
    const res = await api("/api/unblock-requests");
    if (!res.ok) { $("list-error").textContent = await res.text(); return; }
    const requests = await res.json();
    $("requests").querySelector("tbody").replaceChildren(...requests.map(row));
    $("no-requests").hidden = requests.length > 0;
    const pending = requests.filter((r) => r.status === "pending" && !r.pastUntil).length;
    $("pending-count").textContent = pending ? `(${pending} waiting for a decision)` : "";
  }

  $("request-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const sites = $("sites").value.split("\n").map((s) => s.trim()).filter((s) => s);
    const body = { sites, reason: $("reason").value, group: $("group").value,
      from: new Date($("from").value).toISOString(), until: new Date($("until").value).toISOString() };
    const res = await api("/api/unblock-requests", { method: "POST", body: JSON.stringify(body) });
    $("request-result").textContent = res.ok ? "Sent: the technical staff decide, the online-safety lead is told."
      : await res.text();
    if (res.ok) { $("request-form").reset(); load(); }
  });

  fetch("/api/session", { credentials: "same-origin" }).then((r) => r.json()).then((s) => {
    if (!s.name) { $("login-needed").hidden = false; return; }
    session = s;
    $("who").textContent = `${s.name} (${s.role})`;
    if (may("request-unblock")) $("request-panel").hidden = false;
    if (may("view-unblock-requests")) {
      load();
      listen();
    }
  });

  // The list follows the live feed: a request made or decided elsewhere shows without a reload.
  function listen() {
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.kind === "unblockRequest") load();
    };
    ws.onclose = (e) => { if (e.code !== 4001 && e.code !== 1008) setTimeout(listen, 5000); };
  }
})();
