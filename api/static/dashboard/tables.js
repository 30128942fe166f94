/*
 * The two tables beside the charts: each agent's workload and handling time, and the compliance
 * rules that blocked replies. Cells are written with textContent only (names come from the database).
 */
import { $, make } from "../agent/ui.js";
import { count, seconds } from "./format.js";

// The guard's rule names (bot/domain/agent_wording.py RULES); the figures send the names only.
const RULE_LABELS = {
  threat: "威胁恐吓",
  shaming: "侮辱贬低",
  third_party: "涉及第三方",
  legal_claim: "不实法律后果",
  promise: "无权承诺",
  personal_data: "泄露个人信息",
  categorical: "绝对化表述",
  pressure: "施压催促",
  review: "需人工复核",
};

export function ruleLabel(rule) {
  return RULE_LABELS[rule] || rule;
}

function fill(body, rows, columns, emptyText) {
  if (!rows.length) {
    const cell = make("td", "empty-cell", emptyText);
    cell.colSpan = columns;
    const tr = make("tr");
    tr.append(cell);
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(...rows.map((cells) => {
    const tr = make("tr");
    cells.forEach((value, index) => tr.append(make("td", index ? "num" : "", value)));
    return tr;
  }));
}

export function renderAgentTable(agents) {
  fill($("agents-body"), agents.map((a) => [
    `${a.display_name}（${a.username}）`, count(a.conversations), count(a.closed), seconds(a.median_handling_seconds),
    count(a.blocked), count(a.warned), count(a.overridden),
  ]), 7, "期间没有坐席接起对话");
}

export function renderRuleTable(compliance) {
  fill($("rules-body"), Object.entries(compliance.rules).map(([rule, n]) => [ruleLabel(rule), count(n)]), 2,
    "期间没有被拦截的回复");
}

export function clearTables() {
  $("agents-body").replaceChildren();
  $("rules-body").replaceChildren();
}
