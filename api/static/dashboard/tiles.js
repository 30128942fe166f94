/*
 * The total tiles: one figure each, with a line saying what it is made of. The tiles are in the
 * page (dashboard.html, ids total-* and note-*); this module only writes their text.
 */
import { $ } from "../agent/ui.js";
import { NONE, count, money, percent, seconds } from "./format.js";

const TILES = ["conversations", "containment", "handoff", "waiting", "fallback", "promises", "plans", "complaints"];

function put(name, value, note) {
  $("total-" + name).textContent = value;
  $("note-" + name).textContent = note || "";
}

export function renderTiles(figures) {
  const t = figures.totals;
  const p = figures.promises;
  put("conversations", count(t.conversations), `自助 ${t.contained} · 转人工 ${t.handoffs}`);
  put("containment", percent(t.containment_rate), "未转人工的对话占比");
  put("handoff", percent(t.handoff_rate), `人工已接起 ${t.handoffs_answered}`);
  put("waiting", seconds(t.waiting_seconds.median),
    t.waiting_seconds.count ? `90% 不超过 ${seconds(t.waiting_seconds.p90)} · 共 ${t.waiting_seconds.count} 次` : "期间无人工接起");
  // the tracker store counts every channel; null when it cannot be read (Rasa never started)
  put("fallback", percent(t.fallback_rate), t.tracker_conversations == null ? "对话记录库暂不可用"
    : `${t.fallback_conversations} / ${t.tracker_conversations} 个对话未被理解`);
  put("promises", `${p.count} 笔 · ${money(p.amount)}`,
    `已履行 ${p.kept.count} · 未按时履行 ${p.broken.count} · 未到期 ${p.pending.count}` +
    (p.cancelled.count ? ` · 已取消 ${p.cancelled.count}` : ""));
  put("plans", count(figures.plans.count), "分期本金 " + money(figures.plans.principal));
  put("complaints", count(figures.complaints.total), `其中未结案件 ${figures.cases.kinds.complaint.open}`);
}

export function clearTiles() {
  TILES.forEach((name) => put(name, NONE, ""));
}
