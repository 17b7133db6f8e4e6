// The governors' report: "regular monitoring of filtering" (seed 001) — per month, the filter checks run in the
// classrooms, how many failed, how many have their resulting action recorded, the categories that got through,
// and the temporary unblock requests (docs/FILTERING.md). Counts and category names only.
"use strict";
(() => {
  const page = document.getElementById("page-reports");
  if (!page) return;
  const section = document.createElement("div");
  section.id = "report-filtering";
  const heading = document.createElement("h3");
  heading.textContent = "Filtering: checks, failures and actions";
  const table = document.createElement("table");
  table.innerHTML = "<thead><tr><th>Month</th><th>Checks run</th><th>Failed</th><th>Action recorded</th>"
    + "<th>Categories that got through</th><th>Unblock requests (approved / refused)</th></tr></thead><tbody></tbody>";
  const none = document.createElement("p");
  none.textContent = "No filter check has run yet.";
  // The same counts for the governors' pack (GET /api/reports/filtering.csv, audited like the incident CSV).
  const download = document.createElement("p");
  download.className = "quiet";
  const csv = document.createElement("a");
  csv.id = "report-filtering-csv";
  csv.href = "/api/reports/filtering.csv";
  csv.setAttribute("download", "");
  csv.textContent = "Download the filtering report as CSV";
  download.appendChild(csv);
  section.append(heading, download, table, none);
  page.appendChild(section);

  const month = (ym) => {
    const [y, m] = String(ym).split("-").map(Number);
    return y && m ? new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" }).format(Date.UTC(y, m - 1, 1)) : ym;
  };
  document.addEventListener("haven:report", (e) => {
    const rows = (e.detail && e.detail.filtering) || [];
    const tbody = table.querySelector("tbody");
    tbody.textContent = "";
    for (const r of rows) {
      const tr = document.createElement("tr");
      const categories = Object.entries(r.failedCategories || {}).map(([c, n]) => `${c} (${n})`).join(", ") || "none";
      for (const v of [month(r.month), r.checks, r.failures, r.actionsRecorded, categories,
        `${r.unblockRequested} (${r.unblockApproved} / ${r.unblockRefused})`]) {
        const td = document.createElement("td");
        td.textContent = String(v);
        tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
    table.hidden = rows.length === 0;
    none.hidden = rows.length > 0;
  });
})();
