// The governors' report: when each room last went through its AUP with a teacher (teacher mode on the
// kiosk) and how many times a month, from the report's aupReviews section (docs/KIOSK.md). No names.
"use strict";
(() => {
  const reports = document.getElementById("page-reports");
  if (!reports) return;
  const section = document.createElement("div");
  section.id = "aup-reviews";
  const heading = document.createElement("h3");
  heading.textContent = "AUP reviewed in class";
  const table = document.createElement("table");
  table.innerHTML = "<thead><tr><th>Room</th><th>Last reviewed</th><th>Reviews per month</th></tr></thead><tbody></tbody>";
  const none = document.createElement("p");
  none.textContent = "No class has recorded going through its AUP yet.";
  section.append(heading, table, none);
  reports.appendChild(section);

  document.addEventListener("haven:report", (e) => {
    const rows = (e.detail && e.detail.aupReviews) || [];
    const tbody = table.querySelector("tbody");
    tbody.textContent = "";
    for (const r of rows) {
      const tr = document.createElement("tr");
      const months = r.months.map((m) => `${m.month}: ${m.reviews}`).join(", ");
      for (const v of [r.room, new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "Europe/London" }).format(new Date(r.lastReviewedAt)), months]) {
        const td = document.createElement("td");
        td.textContent = v;
        tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
    table.hidden = rows.length === 0;
    none.hidden = rows.length > 0;
  });
})();
