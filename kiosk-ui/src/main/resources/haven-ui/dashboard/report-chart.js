// The governors' report as a chart: incidents per month, stacked by category, drawn as SVG by this page
// (no library, nothing inline, so the dashboard's CSP holds). The table beside it stays the full record.
"use strict";
window.HavenReportChart = (() => {
  const NS = "http://www.w3.org/2000/svg";
  function node(tag, attrs, text) {
    const n = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
    if (text !== undefined) n.textContent = text;
    return n;
  }

  /** rows: the report's months ({month, category, count, ...}); names: {month(ym), category(c)} for labels. */
  function draw(container, rows, names) {
    container.textContent = "";
    const months = [...new Set(rows.map((r) => r.month))].sort();
    const categories = [...new Set(rows.map((r) => r.category))].sort();
    if (!months.length) {
      const p = document.createElement("p");
      p.className = "quiet";
      p.textContent = "No incidents to chart yet.";
      container.appendChild(p);
      return;
    }
    const totals = new Map();
    for (const r of rows) {
      const k = `${r.month}|${r.category}`;
      totals.set(k, (totals.get(k) || 0) + r.count);
    }
    const perMonth = months.map((m) => categories.reduce((s, c) => s + (totals.get(`${m}|${c}`) || 0), 0));
    const max = Math.max(1, ...perMonth);
    const step = niceStep(max);
    const top = Math.ceil(max / step) * step;
    // A fixed drawing size, so one month is one modest bar, not a bar stretched across the page.
    // As wide as the page gives it (up to 640), so the labels stay readable on a phone.
    const width = Math.round(Math.min(640, Math.max(300, container.clientWidth || 640)));
    const left = 36, right = 8, plotTop = 10, plotHeight = 180, barGap = 12;
    const slot = (width - left - right) / Math.max(months.length, 6);
    const barWidth = Math.max(8, Math.min(60, slot - barGap));
    const height = plotTop + plotHeight + 34;
    const svg = node("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "report-svg",
      "aria-labelledby": "report-chart-title report-chart-desc" });
    svg.appendChild(node("title", { id: "report-chart-title" }, "Incidents by month and category"));
    svg.appendChild(node("desc", { id: "report-chart-desc" }, months.map((m, i) => `${names.month(m)}: ${perMonth[i]}`).join("; ")));
    for (let v = 0; v <= top; v += step) {
      const y = plotTop + plotHeight - (v / top) * plotHeight;
      svg.appendChild(node("line", { x1: left, x2: width - right, y1: y, y2: y, class: "grid" }));
      svg.appendChild(node("text", { x: left - 6, y: y + 4, class: "axis", "text-anchor": "end" }, String(v)));
    }
    months.forEach((m, i) => {
      const x = left + i * slot + (slot - barWidth) / 2;
      let y = plotTop + plotHeight;
      categories.forEach((c, ci) => {
        const n = totals.get(`${m}|${c}`) || 0;
        if (!n) return;
        const h = (n / top) * plotHeight;
        y -= h;
        const rect = node("rect", { x, y, width: barWidth, height: h, class: `series s${ci % 8}`, "data-category": c, "data-month": m });
        rect.appendChild(node("title", {}, `${names.month(m)}, ${names.category(c)}: ${n}`));
        svg.appendChild(rect);
      });
      // "Dec", with the year under the first month and each January; with many months, every nth label.
      const every = Math.ceil(34 / slot);
      if (i % every === 0) {
        const [y, mm] = m.split("-");
        const short = new Intl.DateTimeFormat("en-GB", { month: "short", timeZone: "UTC" }).format(Date.UTC(Number(y), Number(mm) - 1, 1));
        svg.appendChild(node("text", { x: x + barWidth / 2, y: plotTop + plotHeight + 16, class: "axis", "text-anchor": "middle" }, short));
        if (i === 0 || mm === "01") {
          svg.appendChild(node("text", { x: x + barWidth / 2, y: plotTop + plotHeight + 30, class: "axis", "text-anchor": "middle" }, y));
        }
      }
    });
    container.appendChild(svg);
    const legend = document.createElement("ul");
    legend.className = "legend";
    categories.forEach((c, ci) => {
      const li = document.createElement("li");
      const swatch = node("svg", { viewBox: "0 0 10 10", class: "swatch", "aria-hidden": "true" });
      swatch.appendChild(node("rect", { width: 10, height: 10, class: `series s${ci % 8}` }));
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(names.category(c)));
      legend.appendChild(li);
    });
    container.appendChild(legend);
  }

  function niceStep(max) {
    for (const s of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]) if (max / s <= 6) return s;
    return Math.ceil(max / 6);
  }
  return { draw };
})();
