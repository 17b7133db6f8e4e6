// "The pupil came forward to me": after a follow-up look-up finds a report, the adult the pupil gave their
// two words to records it, once (POST /api/incidents/{id}/came-forward, chained and audited; docs/KIOSK.md).
"use strict";
(() => {
  const result = document.getElementById("follow-up-result");
  const form = document.getElementById("follow-up-form");
  if (!result || !form) return;
  // The look-up opens the incident's page: the record-it button sits at the top of that page, where the adult is.
  const box = document.createElement("p");
  box.id = "came-forward";
  box.className = "confirm";
  box.hidden = true;
  const page = document.getElementById("detail-main");
  if (page) page.prepend(box); else result.after(box);
  window.addEventListener("hashchange", () => {
    if (!location.hash.startsWith("#/incident/")) box.hidden = true;
  });

  function time(at) {
    return new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", hourCycle: "h23",
      timeZone: "Europe/London" }).format(new Date(at));
  }

  function recorded(incident) {
    box.textContent = `Recorded: the pupil came forward to ${incident.cameForwardBy}, ${time(incident.cameForwardAt)}.`;
  }

  form.addEventListener("submit", () => { box.hidden = true; box.textContent = ""; }, true);

  document.addEventListener("haven:follow-up-found", (e) => {
    const incident = e.detail.incident;
    box.textContent = "Found with the pupil's words. ";
    box.hidden = false;
    if (e.detail.cameForwardRecorded) {
      recorded(incident);
      return;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.id = "came-forward-button";
    button.textContent = "The pupil came forward to me: record it";
    button.addEventListener("click", async () => {
      button.disabled = true;
      const session = await (await fetch("/api/session", { credentials: "same-origin" })).json();
      const res = await fetch(`/api/incidents/${incident.id}/came-forward`, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrf }, body: "{}",
      });
      if (res.ok) {
        recorded(await res.json());
        document.dispatchEvent(new CustomEvent("haven:show-incident", { detail: incident.id })); // the chronology shows it
      }
      else { box.textContent = await res.text(); }
    });
    box.appendChild(button);
  });
})();
