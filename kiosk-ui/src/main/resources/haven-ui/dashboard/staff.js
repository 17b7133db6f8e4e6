// Staff accounts on the Staff page (docs/DASHBOARD.md), for the coordinator only (manage-staff; the server
// checks again): the accounts, add one, change a role or rooms, disable. Adding never changes an existing
// account (the server answers 409); a changed or disabled account's sessions end at once.
"use strict";
(() => {
  const section = document.getElementById("staff-accounts");
  if (!section) return;
  const $ = (id) => document.getElementById(id);
  const ROLE = { coordinator: "Coordinator (DSL)", head: "Headteacher", senior: "Senior leader", teacher: "Teacher",
    technician: "Technician", governor: "Governor", chair: "Chair of governors" };
  const DATE_TIME = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  let session = null;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function may(p) { return (document.body.dataset.permissions || "").split(" ").includes(p); }
  function roomList(text) { return text.split(/[\s,]+/).filter(Boolean); }
  function say(text) { $("staff-result").textContent = text; }

  async function call(path, body) {
    if (!session) session = await (await fetch("/api/session", { credentials: "same-origin" })).json();
    return fetch(path, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrf }, body: JSON.stringify(body) });
  }

  function roleSelect(id, chosen) {
    const s = el("select");
    s.id = id;
    for (const [value, text] of Object.entries(ROLE)) {
      const o = el("option", text);
      o.value = value;
      if (value === chosen) o.selected = true;
      s.appendChild(o);
    }
    return s;
  }

  async function load() {
    section.hidden = !may("manage-staff");
    if (section.hidden) return;
    session = await (await fetch("/api/session", { credentials: "same-origin" })).json();
    const res = await fetch("/api/staff", { credentials: "same-origin" });
    if (!res.ok) { say(`Could not load the accounts: ${await res.text()}`); return; }
    render((await res.json()).accounts);
  }

  function cell(tr, label, content) {
    const td = el("td");
    td.dataset.label = label;
    if (content instanceof Node) td.appendChild(content); else td.textContent = content;
    tr.appendChild(td);
    return td;
  }

  function render(accounts) {
    const tbody = $("staff-accounts-table").tBodies[0];
    tbody.textContent = "";
    for (const a of accounts) {
      const tr = el("tr", undefined, a.disabled ? "disabled" : "");
      tr.dataset.account = a.name;
      cell(tr, "Name", a.name);
      cell(tr, "Role", ROLE[a.role] || a.role);
      cell(tr, "Rooms", a.rooms.length ? a.rooms.join(", ") : "—");
      cell(tr, "Status", a.disabled ? "Disabled" : "Enabled");
      cell(tr, "Second factor", a.secondFactor ? "Set up" : "Not set up");
      cell(tr, "Last sign-in", a.lastSignIn ? DATE_TIME.format(new Date(a.lastSignIn)) : "Never");
      const change = cell(tr, "Change", "");
      if (!a.disabled) change.appendChild(controls(a));
      tbody.appendChild(tr);
    }
  }

  // One account's controls: its role, its rooms, and disabling (asked twice, naming the account).
  function controls(a) {
    const box = el("div", undefined, "staff-controls");
    const roleForm = el("form", undefined, "inline role-form");
    const roleLabel = el("label", `Role of ${a.name}`, "visually-hidden");
    const select = roleSelect(`role-${a.name}`, a.role);
    roleLabel.htmlFor = select.id;
    const roleButton = el("button", "Change role");
    roleButton.type = "submit";
    roleForm.append(roleLabel, select, roleButton);
    roleForm.addEventListener("submit", (e) => {
      e.preventDefault();
      change("/api/staff/role", { name: a.name, role: select.value }, `${a.name} is now ${ROLE[select.value]}; their sessions have ended.`);
    });
    const roomsForm = el("form", undefined, "inline rooms-form");
    const roomsLabel = el("label", `Rooms of ${a.name}`, "visually-hidden");
    const rooms = el("input");
    rooms.id = `rooms-${a.name}`;
    rooms.value = a.rooms.join(", ");
    rooms.placeholder = "site/room, site/room";
    rooms.autocomplete = "off";
    roomsLabel.htmlFor = rooms.id;
    const roomsButton = el("button", "Change rooms");
    roomsButton.type = "submit";
    roomsForm.append(roomsLabel, rooms, roomsButton);
    roomsForm.addEventListener("submit", (e) => {
      e.preventDefault();
      change("/api/staff/rooms", { name: a.name, rooms: roomList(rooms.value) }, `Rooms of ${a.name} changed; their sessions have ended.`);
    });
    const disable = el("button", "Disable", "disable");
    disable.type = "button";
    const confirmRow = el("div", undefined, "confirm");
    confirmRow.hidden = true;
    confirmRow.appendChild(el("p", `Disable ${a.name}? They are signed out at once and cannot sign in again; the account is kept for the audit trail.`));
    const yes = el("button", `Yes, disable ${a.name}`, "disable-confirm");
    yes.type = "button";
    const no = el("button", "Not now");
    no.type = "button";
    confirmRow.append(yes, no);
    disable.addEventListener("click", () => { confirmRow.hidden = false; yes.focus(); });
    no.addEventListener("click", () => { confirmRow.hidden = true; });
    yes.addEventListener("click", () => change("/api/staff/disable", { name: a.name }, `${a.name} is disabled and has been signed out.`));
    box.append(roleForm, roomsForm, disable, confirmRow);
    return box;
  }

  async function change(path, body, done) {
    const res = await call(path, body);
    if (!res.ok) { say(`Not changed: ${await res.text()}`); return; }
    say(done);
    await load();
  }

  $("staff-add-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const name = $("staff-add-name").value.trim();
    const res = await call("/api/staff", { name, role: $("staff-add-role").value, rooms: roomList($("staff-add-rooms").value),
      password: $("staff-add-password").value });
    $("staff-add-password").value = "";
    if (!res.ok) { say(`Not added: ${await res.text()}`); return; }
    $("staff-add-form").reset();
    say(`Added ${name}. Give them their first password in person.`);
    await load();
  });

  // No default role: the person adding chooses one (a default would be the first, most powerful, or a guess).
  const role = $("staff-add-role");
  if (role && role.options.length === 1) {
    for (const [value, text] of Object.entries(ROLE)) {
      const o = el("option", text);
      o.value = value;
      role.appendChild(o);
    }
  }
  // dashboard.js, when the Staff page is shown: a message from an earlier visit (or session) goes.
  document.addEventListener("haven:staff-page", () => { say(""); load(); });
})();
