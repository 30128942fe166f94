/*
 * Supervisors' dashboard (/dashboard), start-up and wiring. Sign-in, the token and its storage are
 * the agent console's own (../agent/session.js: same login endpoint, same sessionStorage key), so
 * the page reuses its element ids for the login form and the header. The modules:
 *   dates.js    the bank's days (Asia/Shanghai), default range, query string
 *   format.js   percentages, yuan, durations
 *   status.js   the status line (the API's detail.message on a refusal)
 *   figures.js  GET /api/dashboard/figures, newest answer only
 *   tiles.js    the total tiles
 *   charts.js   the Chart.js charts (data-drawn="true" once drawn)
 *   tables.js   agents' workload, blocked rules
 *   csv.js      the contact log download (fetch + Blob, the token cannot go in a link)
 * An agent or a trainer can sign in here too; the API answers 403 and its message is shown.
 */
import { $ } from "../agent/ui.js";
import { current, initSession } from "../agent/session.js";
import { lastDays } from "./dates.js";
import { showStatus } from "./status.js";
import { dropPending, loadFigures } from "./figures.js";
import { clearTiles, renderTiles } from "./tiles.js";
import { destroyCharts, drawCharts } from "./charts.js";
import { clearTables, renderAgentTable, renderRuleTable } from "./tables.js";
import { downloadContactLog } from "./csv.js";

const el = {
  form: $("range-form"), from: $("date-from"), to: $("date-to"), apply: $("range-apply"), body: $("dashboard-body"),
  exportCsv: $("export-csv"), presets: document.querySelectorAll("[data-days]"),
};

function range() {
  return { from: el.from.value, to: el.to.value };
}

function setRange(days) {
  const { from, to } = lastDays(days);
  el.from.value = from;
  el.to.value = to;
}

async function refresh() {
  showStatus("正在加载…");
  el.apply.disabled = true;
  const result = await loadFigures(range());
  if (result.stale) return;
  el.apply.disabled = false;
  if (!current()) return; // the session ended meanwhile (a 401 signs out)
  if (!result.ok || !result.body) {
    clear();
    showStatus(result.text, "error");
    return;
  }
  const figures = result.body;
  el.from.value = figures.date_from; // the API's reading of the range (an empty end is its default)
  el.to.value = figures.date_to;
  el.body.hidden = false; // visible before drawing: Chart.js sizes a canvas from its box
  renderTiles(figures);
  drawCharts(figures);
  renderAgentTable(figures.agents);
  renderRuleTable(figures.compliance);
  showStatus(`${figures.date_from} 至 ${figures.date_to}（北京时间），共 ${figures.days.length} 天`, "ok");
}

async function exportCsv() {
  el.exportCsv.disabled = true;
  showStatus("正在导出联系记录…");
  const result = await downloadContactLog(range());
  el.exportCsv.disabled = false;
  if (!current()) return;
  showStatus(result.ok ? `已导出 ${result.filename}` : result.text, result.ok ? "ok" : "error");
}

function clear() {
  el.body.hidden = true;
  destroyCharts();
  clearTiles();
  clearTables();
}

function start() {
  if (!el.from.value && !el.to.value) setRange();
  refresh();
}

function stop() {
  dropPending();
  clear();
  showStatus("");
  el.apply.disabled = false;
  el.exportCsv.disabled = false;
}

function wire() {
  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    refresh();
  });
  el.presets.forEach((button) => button.addEventListener("click", () => {
    setRange(Number(button.dataset.days));
    refresh();
  }));
  el.exportCsv.addEventListener("click", exportCsv);
}

wire();
initSession(start, stop);
