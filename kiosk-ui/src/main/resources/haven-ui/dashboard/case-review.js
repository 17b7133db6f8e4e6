// The two-senior review of suspected illegal content on the incident page (docs/CASEWORK.md): "more than one
// senior member of staff involved". Each senior records their own part from their own session (the URL and a
// description of the content, never the content; their judgement; the actions); two different named reviewers
// complete it, and then the case bundle (with the printable review) can be downloaded.
"use strict";
(() => {
  const work = document.getElementById("detail-work");
  if (!work) return;
  const JUDGEMENT = { substance: "the concern has substance", "no-substance": "the concern has no substance", disagreed: "the reviewers disagreed" };
  const ACTIONS = { "internal-discipline": "Internal discipline", "local-authority": "Refer to the local authority", police: "Report to the police" };
  const DATE_TIME = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

  const panel = document.createElement("section");
  panel.id = "case-review";
  panel.setAttribute("aria-labelledby", "case-review-title");
  panel.hidden = true;
  work.prepend(panel);
  let shown = null;

  window.addEventListener("hashchange", () => {
    if (!location.hash.startsWith("#/incident/")) { panel.hidden = true; panel.textContent = ""; shown = null; }
  });
  document.addEventListener("haven:incident-shown", (e) => show(e.detail)); // dashboard.js

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function when(iso) { return iso && !Number.isNaN(Date.parse(iso)) ? DATE_TIME.format(new Date(iso)) : "—"; }

  async function show(inc) {
    shown = inc && inc.id;
    if (!inc || inc.redacted || !inc.illegal || inc.illegal === "none") { panel.hidden = true; panel.textContent = ""; return; }
    const [sessionRes, reviewRes] = await Promise.all([fetch("/api/session", { credentials: "same-origin" }),
      fetch(`/api/incidents/${inc.id}/review`, { credentials: "same-origin" })]);
    if (shown !== inc.id) return; // another incident was opened meanwhile
    if (!reviewRes.ok) { panel.hidden = true; return; }
    render(inc, await sessionRes.json(), await reviewRes.json());
  }

  function render(inc, session, review, said) {
    const may = (p) => (session.permissions || []).includes(p);
    panel.textContent = "";
    panel.hidden = false;
    panel.appendChild(el("h3", "Suspected illegal content: review by two senior staff")).id = "case-review-title";
    if (inc.illegal === "suspected-csam") {
      panel.appendChild(el("p", "Suspected child sexual abuse imagery: do not copy, save, print or forward it. Record its address"
        + " and describe it.", "notice"));
    }
    const status = el("p", "", "review-status");
    status.id = "review-status";
    status.setAttribute("role", "status");
    const names = review.reviewers || [];
    if (review.complete) {
      status.textContent = `Review complete: reviewed by ${names.join(" and ")}; ${JUDGEMENT[review.judgement] || review.judgement}.`;
    } else if (names.length) {
      status.textContent = `Reviewed so far by ${names.join(", ")}. Still needed: ${review.stillNeeded} more senior reviewer`
        + `${review.stillNeeded === 1 ? "" : "s"}, a different person.`;
    } else {
      status.textContent = `Not reviewed yet. Needed: ${review.stillNeeded} different senior members of staff, each recording their own part.`;
    }
    panel.appendChild(status);
    if (said) panel.appendChild(el("p", said, said.startsWith("Not saved") ? "error" : "")).id = "review-result";

    const parts = el("ol", undefined, "notes review-parts");
    for (const p of review.parts || []) {
      const li = el("li");
      li.dataset.reviewer = p.by;
      li.appendChild(el("strong", `${p.by} (${p.role}), ${when(p.at)}`));
      const dl = el("dl", undefined, "facts");
      const add = (k, v) => { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", v)); };
      add("Computer", p.computer);
      add("Address(es)", (p.urls || []).join(" "));
      add("Nature of the content", p.nature);
      add("Judgement", JUDGEMENT[p.judgement] || p.judgement);
      add("Actions", (p.actions || []).map((a) => ACTIONS[a] || a).join(", ") || "none");
      li.appendChild(dl);
      parts.appendChild(li);
    }
    if (parts.childNodes.length) panel.appendChild(parts);

    if (review.complete) {
      const row = el("p", undefined, "actions-row");
      if (may("export")) {
        const a = el("a", "Download case bundle", "button-link review-bundle");
        a.id = "review-bundle";
        a.href = `/api/incidents/${inc.id}/bundle`;
        a.setAttribute("download", "");
        row.appendChild(a);
      }
      if (may("review-illegal")) {
        const a = el("a", "Print the review (PDF)", "button-link");
        a.href = `/api/incidents/${inc.id}/review.pdf`;
        a.setAttribute("download", "");
        row.appendChild(a);
      }
      if (row.childNodes.length) panel.appendChild(row);
      return;
    }
    if (!may("review-illegal")) {
      panel.appendChild(el("p", "Only senior staff (the DSL, the head, senior leaders) record a review.", "quiet"));
      return;
    }
    if (names.includes(session.name)) {
      panel.appendChild(el("p", "You have recorded your part. A second senior member of staff records theirs from their own login.", "quiet"));
      return;
    }
    panel.appendChild(form(inc, session, review));
  }

  function field(form, id, label, input) {
    const l = el("label", label);
    l.htmlFor = id;
    input.id = id;
    form.append(l, input);
    return input;
  }

  function form(inc, session, review) {
    const f = el("form", undefined, "stack");
    f.id = "review-form";
    f.appendChild(el("h4", review.stillNeeded === 1 ? "Record your part and complete the review" : "Record your part of the review"));
    const computer = field(f, "review-computer", "Computer the content was seen on", el("input"));
    computer.required = true;
    computer.maxLength = 200;
    computer.autocomplete = "off";
    if (inc.computer) computer.value = inc.computer;
    const urls = field(f, "review-urls", "Address(es) of the content, one a line (never the content itself)", el("textarea"));
    urls.rows = 2;
    urls.required = true;
    if (inc.url) urls.value = inc.url;
    const nature = field(f, "review-nature", "Nature of the content (a description, not the content)", el("textarea"));
    nature.rows = 3;
    nature.required = true;
    nature.maxLength = 2000;
    const judgement = el("fieldset");
    judgement.appendChild(el("legend", "Your judgement"));
    for (const [value, text] of [["substance", "The concern has substance"], ["no-substance", "The concern has no substance"]]) {
      const r = el("input");
      r.type = "radio";
      r.name = "review-judgement";
      r.value = value;
      r.id = `review-judgement-${value}`;
      r.required = true;
      const l = el("label", ` ${text}`);
      l.htmlFor = r.id;
      const line = el("div");
      line.append(r, l);
      judgement.appendChild(line);
    }
    f.appendChild(judgement);
    const actions = el("fieldset");
    actions.appendChild(el("legend", "Actions (choose any)"));
    for (const [value, text] of Object.entries(ACTIONS)) {
      const c = el("input");
      c.type = "checkbox";
      c.value = value;
      c.id = `review-action-${value}`;
      const l = el("label", ` ${text}`);
      l.htmlFor = c.id;
      const line = el("div");
      line.append(c, l);
      actions.appendChild(line);
    }
    f.appendChild(actions);
    const submit = el("button", review.stillNeeded === 1 ? "Record my part and complete the review" : "Record my part");
    submit.type = "submit";
    submit.id = "review-button";
    f.appendChild(submit);
    f.addEventListener("submit", async (e) => {
      e.preventDefault();
      const chosen = f.querySelector("input[name='review-judgement']:checked");
      const body = { computer: computer.value.trim(), urls: urls.value.split(/\s+/).filter(Boolean), nature: nature.value.trim(),
        judgement: chosen ? chosen.value : "", actions: [...actions.querySelectorAll("input:checked")].map((c) => c.value) };
      submit.disabled = true;
      const res = await fetch(`/api/incidents/${inc.id}/review`, { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrf }, body: JSON.stringify(body) });
      const text = await res.text();
      if (!res.ok) {
        // A refusal keeps what was typed.
        submit.disabled = false;
        let out = document.getElementById("review-result");
        if (!out) { out = el("p", "", "error"); out.id = "review-result"; out.setAttribute("role", "alert"); f.appendChild(out); }
        out.textContent = `Not saved: ${text}`;
        return;
      }
      const review2 = JSON.parse(text);
      render(inc, session, review2, review2.complete ? "Saved: the review is complete." : "Saved: your part is recorded.");
    });
    return f;
  }
})();
