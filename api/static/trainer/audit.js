/*
 * 操作记录: what trainers changed (examples, marks, trainings, activations), newest first,
 * from GET /api/trainer/audit. The API masks the details before storing them.
 */
import { $, make } from "../agent/ui.js";
import { busy, call, query } from "./api.js";
import { fullTime } from "./format.js";

const LIMIT = 200;
const el = { refresh: $("audit-refresh"), body: $("audit-body"), empty: $("audit-empty") };

export function bindAudit() {
  el.refresh.addEventListener("click", () => busy(el.refresh, loadAudit));
}

export async function loadAudit() {
  const result = await call("GET", "/audit" + query({ limit: LIMIT }));
  if (!result.ok || !result.body) return;
  const items = result.body.items || [];
  el.body.replaceChildren(...items.map(rowFor));
  el.empty.hidden = items.length > 0;
}

function rowFor(entry) {
  const row = make("tr");
  row.dataset.action = entry.action;
  const detail = make("td", "audit-detail");
  const keys = Object.keys(entry.detail || {});
  if (keys.length) {
    // A diff can be long: folded, opened on demand.
    const box = make("details");
    box.append(make("summary", "", keys.join("、")), make("pre", "", JSON.stringify(entry.detail, null, 1)));
    detail.append(box);
  } else {
    detail.textContent = "—";
  }
  row.append(make("td", "", fullTime(entry.at)), make("td", "", entry.actor), make("td", "", entry.action_label),
    make("td", "", entry.target || "—"), detail);
  return row;
}

export function resetAudit() {
  el.body.replaceChildren();
}
