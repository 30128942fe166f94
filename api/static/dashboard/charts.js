/*
 * The charts, drawn with the vendored Chart.js (/static/vendor/chart.umd.js, a classic script the
 * page loads first; it needs no eval, so the page's CSP stays strict). A new range destroys and
 * redraws every chart. Each canvas gets data-drawn="true" once Chart.js has rendered it, which
 * the browser tests wait for; animation is off, so that first render is the finished picture.
 */
/* global Chart */
import { $ } from "../agent/ui.js";
import { shortDay } from "./dates.js";
import { money, percent, ratio } from "./format.js";

const COLOR = {
  primary: "#1d4e89",
  light: "#7fa7d9",
  ok: "#0f7b3f",
  warn: "#d9822b",
  error: "#b42318",
  muted: "#9aa5b1",
};
const AGE_COLORS = ["#a9c4e6", "#6f98cc", "#1d4e89", "#b42318"]; // older cases, darker, then red
const PROMISE_COLORS = { kept: COLOR.ok, broken: COLOR.error, pending: COLOR.light, cancelled: COLOR.muted };

Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
Chart.defaults.color = "#1f2933";
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false; // the .chart-box decides the height
Chart.defaults.plugins.legend.labels.boxWidth = 12;

/** Marks the canvas once Chart.js has painted it. */
const drawnMark = {
  id: "drawnMark",
  afterRender(chart) {
    chart.canvas.setAttribute("data-drawn", "true");
  },
};

const charts = new Map(); // canvas id -> Chart

function draw(id, config, empty) {
  destroy(id);
  const hint = $(id + "-empty");
  if (hint) hint.hidden = !empty;
  charts.set(id, new Chart($(id), { ...config, plugins: [drawnMark] }));
}

function destroy(id) {
  const chart = charts.get(id);
  if (chart) chart.destroy();
  charts.delete(id);
  $(id).removeAttribute("data-drawn");
}

const countAxis = { beginAtZero: true, ticks: { precision: 0 } };

function bars(labels, datasets, options = {}) {
  return {
    type: "bar",
    data: { labels, datasets },
    options: { ...options, scales: options.scales || { x: {}, y: countAxis } },
  };
}

function conversationsPerDay(f) {
  const days = f.days;
  const of = (key) => days.map((d) => f.per_day[d][key]);
  draw("chart-conversations", bars(days.map(shortDay), [
    { label: "自助解决", data: of("contained"), backgroundColor: COLOR.ok, stack: "day" },
    { label: "转人工", data: of("handoffs"), backgroundColor: COLOR.warn, stack: "day" },
  ], {
    scales: { x: { stacked: true }, y: { ...countAxis, stacked: true } },
    plugins: { tooltip: { callbacks: { title: (items) => days[items[0].dataIndex] } } },
  }), f.totals.conversations === 0);
}

function ratesPerDay(f) {
  const days = f.days;
  const day = (d) => f.per_day[d];
  // each rate over its own whole: handoffs of the bank's chats, fallbacks of the tracker's conversations
  const handoff = days.map((d) => ratio(day(d).handoffs, day(d).conversations));
  const fallback = days.map((d) => (day(d).tracker_conversations == null ? null
    : ratio(day(d).fallback_conversations, day(d).tracker_conversations)));
  // straight segments (tension 0): a smoothed curve would overshoot 0% and 100%
  const line = (label, data, color) => ({
    label, data, borderColor: color, backgroundColor: color, spanGaps: true, pointRadius: 3, tension: 0,
  });
  draw("chart-rates", {
    type: "line",
    data: { labels: days.map(shortDay), datasets: [line("转人工率", handoff, COLOR.warn), line("未理解率", fallback, COLOR.primary)] },
    options: {
      scales: { y: { min: 0, max: 1, ticks: { callback: (value) => Math.round(value * 100) + "%" } } },
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => days[items[0].dataIndex],
            label: (item) => item.dataset.label + "：" + percent(item.parsed.y),
          },
        },
      },
    },
  }, handoff.every((v) => v == null) && fallback.every((v) => v == null));
}

function promisesByResult(f) {
  const kinds = ["kept", "broken", "pending", "cancelled"];
  const p = f.promises;
  draw("chart-promises", {
    type: "doughnut",
    data: {
      labels: kinds.map((k) => p[k].label),
      datasets: [{ data: kinds.map((k) => p[k].count), backgroundColor: kinds.map((k) => PROMISE_COLORS[k]) }],
    },
    options: {
      plugins: {
        legend: { position: "right" },
        tooltip: { callbacks: { label: (item) => ` ${item.label}：${item.parsed} 笔，${money(p[kinds[item.dataIndex]].amount)}` } },
      },
    },
  }, p.count === 0);
}

function casesByKindAndAge(f) {
  const kinds = Object.values(f.cases.kinds);
  const ages = Object.entries(f.cases.age_buckets);
  const datasets = ages.map(([bucket, label], i) => ({
    label: "未结 " + label, data: kinds.map((k) => k.ages[bucket]), backgroundColor: AGE_COLORS[i], stack: "open",
  }));
  datasets.push({ label: "期间新开", data: kinds.map((k) => k.opened), backgroundColor: COLOR.muted, stack: "opened" });
  draw("chart-cases", bars(kinds.map((k) => k.label), datasets, {
    scales: { x: { stacked: true }, y: { ...countAxis, stacked: true } },
  }), kinds.every((k) => k.open === 0 && k.opened === 0));
}

function horizontalBars(id, entries, color, label) {
  draw(id, bars(entries.map((e) => e.label), [{ label, data: entries.map((e) => e.count), backgroundColor: color }], {
    indexAxis: "y",
    scales: { x: countAxis, y: {} },
    plugins: { legend: { display: false } },
  }), entries.length === 0);
}

function agentWorkload(f) {
  const agents = f.agents;
  draw("chart-agents", bars(agents.map((a) => a.display_name), [
    { label: "接起对话", data: agents.map((a) => a.conversations), backgroundColor: COLOR.primary },
    { label: "已结束", data: agents.map((a) => a.closed), backgroundColor: COLOR.light },
  ]), agents.length === 0);
}

function complianceBlocks(f) {
  const c = f.compliance;
  draw("chart-compliance", bars(["被拦截", "被提醒", "提醒后仍发送"], [{
    label: "回复数", data: [c.blocked, c.warned, c.overridden], backgroundColor: [COLOR.error, COLOR.warn, COLOR.muted],
  }], { plugins: { legend: { display: false } } }), c.blocked + c.warned + c.overridden === 0);
}

/** Draw every chart from the figures of /api/dashboard/figures. */
export function drawCharts(f) {
  conversationsPerDay(f);
  ratesPerDay(f);
  promisesByResult(f);
  casesByKindAndAge(f);
  horizontalBars("chart-complaints", Object.values(f.complaints.by_category), COLOR.error, "投诉数");
  horizontalBars("chart-outcomes", Object.values(f.outcomes), COLOR.primary, "联系数");
  agentWorkload(f);
  complianceBlocks(f);
}

export function destroyCharts() {
  [...charts.keys()].forEach(destroy);
}
