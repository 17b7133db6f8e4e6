// The Staff AUP (docs/DASHBOARD.md): staff "have read, understood and signed the Staff Acceptable Use Policy".
// After login, a member of staff who has not accepted the version in force reads it here and accepts it before
// the dashboard opens (until then every other API route answers 403 staff-aup-not-accepted). dashboard.js hands
// a session with `staffAupToAccept` to window.havenStaffAup and gets it back, accepted, through `done`.
// Also: who has not accepted it (AUPs page, view-staff-aup-acceptance) and the report's counts (no names).
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const DATE = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/London" });

  function el(tag, attrs = {}, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // The policy's Markdown as plain elements: headings, lists and paragraphs, every word through textContent
  // (nothing the publisher typed becomes HTML). The "# Title" line is the panel's heading, so it is skipped.
  function render(markdown) {
    const out = el("div", { id: "staff-aup-text", class: "staff-aup-text", tabindex: "0", role: "region", "aria-label": "Policy text" });
    let list = null;
    let para = [];
    const flush = () => {
      if (para.length) out.append(el("p", {}, para.join(" ")));
      para = [];
    };
    for (const raw of markdown.split(/\r?\n/)) {
      const line = raw.trim();
      const strip = (t) => t.replace(/\*\*|__/g, "");
      if (/^# /.test(line)) { flush(); list = null; continue; }
      if (/^#{2,6} /.test(line)) { flush(); list = null; out.append(el("h4", {}, strip(line.replace(/^#+ /, "")))); continue; }
      if (/^([-*]|\d+\.) /.test(line)) {
        flush();
        if (!list) { list = el("ul", { class: "staff-aup-list" }); out.append(list); }
        list.append(el("li", {}, strip(line.replace(/^([-*]|\d+\.) /, ""))));
        continue;
      }
      if (!line) { flush(); list = null; continue; }
      list = null;
      para.push(strip(line));
    }
    flush();
    return out;
  }

  async function logOut(session) {
    await fetch("/api/logout", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrf }, body: "{}" }).catch(() => {});
    location.reload();
  }

  window.havenStaffAup = async (session, done) => {
    $("login-panel").hidden = true;
    const old = $("staff-aup-panel");
    if (old) old.remove();
    const section = el("section", { id: "staff-aup-panel", class: "staff-aup-panel", "aria-labelledby": "staff-aup-title" });
    $("login-panel").after(section);
    const res = await fetch("/api/aups/staff", { credentials: "same-origin" });
    if (!res.ok) { section.append(el("p", { class: "error", role: "alert" }, await res.text())); return; }
    const body = await res.json();
    if (!body.current || body.accepted) { section.remove(); done(Object.assign({}, session, { staffAupToAccept: null })); return; }
    const aup = body.current;
    section.append(el("h2", { id: "staff-aup-title" }, aup.title || "Staff Acceptable Use Policy"));
    section.append(el("p", {}, `Before you use the dashboard, read the Staff Acceptable Use Policy (version ${aup.version}, `
      + `published ${DATE.format(new Date(aup.publishedAt))}) and accept it. You are asked again when a new version is published.`));
    section.append(render(aup.markdown));
    const form = el("form", { id: "staff-aup-form", class: "stack" });
    const line = el("div", { class: "staff-aup-check" });
    const box = el("input", { id: "staff-aup-agree", type: "checkbox", required: "" });
    line.append(box, el("label", { for: "staff-aup-agree" }, `I have read, understood and accept the Staff Acceptable Use Policy, version ${aup.version}`));
    form.append(line);
    const buttons = el("div", { class: "actions-row" });
    const accept = el("button", { id: "staff-aup-accept", type: "submit" }, "Accept and continue");
    const out = el("button", { id: "staff-aup-logout", type: "button" }, "Log out");
    out.addEventListener("click", () => logOut(session));
    buttons.append(accept, out);
    form.append(buttons, el("p", { id: "staff-aup-error", class: "error", role: "alert" }));
    section.append(form);
    $("staff-aup-title").setAttribute("tabindex", "-1");
    $("staff-aup-title").focus();
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      $("staff-aup-error").textContent = "";
      const answer = await fetch("/api/aups/staff/accept", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrf },
        body: JSON.stringify({ version: aup.version }),
      });
      if (answer.ok) { section.remove(); done(Object.assign({}, session, { staffAupToAccept: null })); return; }
      if (answer.status === 409) { window.havenStaffAup(session, done); return; } // a newer version: show that one
      $("staff-aup-error").textContent = await answer.text();
    });
  };

  // ---- AUPs page: who has not accepted the current version ----------------------------------------------
  const page = $("page-aups");
  const panel = $("staff-aup-acceptance");
  async function loadAcceptance() {
    const perms = (document.body.dataset.permissions || "").split(" ");
    panel.hidden = !perms.includes("view-staff-aup-acceptance");
    if (panel.hidden) return;
    const res = await fetch("/api/aups/staff/acceptance", { credentials: "same-origin" });
    if (!res.ok) return;
    const body = await res.json();
    const summary = $("staff-aup-summary");
    const table = $("staff-aup-not-yet");
    const tbody = table.tBodies[0];
    tbody.textContent = "";
    if (!body.published) {
      summary.textContent = "No Staff AUP has been published, so nobody is asked to accept one. Publish one above with the key stage \"Staff\".";
      table.hidden = true;
      return;
    }
    const waiting = body.notYet.length;
    summary.textContent = `Version ${body.version} ("${body.title}"), published ${DATE.format(new Date(body.publishedAt))}: `
      + `${body.accepted.length} accepted, ${waiting} not yet.` + (waiting ? " Each is asked at their next login." : "");
    table.hidden = waiting === 0;
    for (const r of body.notYet) {
      const tr = el("tr");
      for (const [label, v] of [["Name", r.name], ["Role", r.role], ["Last accepted", r.lastAccepted ? `version ${r.lastAccepted}` : "never"]]) {
        tr.append(el("td", { "data-label": label }, v));
      }
      tbody.append(tr);
    }
  }
  if (page && panel) {
    new MutationObserver(() => { if (!page.hidden) loadAcceptance().catch(() => {}); })
      .observe(page, { attributes: true, attributeFilter: ["hidden"] });
  }

  // ---- governors' report: counts only ---------------------------------------------------------------------
  const reports = $("page-reports");
  if (reports) {
    const box = el("div", { id: "staff-aup-report" });
    box.append(el("h3", {}, "Staff AUP accepted"));
    const p = el("p", { id: "staff-aup-report-counts" });
    box.append(p);
    reports.append(box);
    document.addEventListener("haven:report", (e) => {
      const s = e.detail && e.detail.staffAup;
      if (!s) { box.hidden = true; return; }
      box.hidden = false;
      p.textContent = s.published
        ? `Version ${s.version}: ${s.accepted} members of staff have accepted it, ${s.notYet} not yet.`
        : "No Staff AUP has been published yet.";
    });
  }
})();
