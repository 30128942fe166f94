/*
 * 数据检查: GET /api/trainer/checks before training. Errors (a text under two intents, Rasa's
 * validator failing) come first and are highlighted: a model trained on them is wrong.
 */
import { $, make } from "../agent/ui.js";
import { busy, call, query } from "./api.js";
import { intentText } from "./intents.js";
import { say } from "./status.js";

const el = { run: $("run-checks"), withRasa: $("checks-with-rasa"), summary: $("checks-summary"), list: $("checks-list") };

export function bindChecks() {
  el.run.addEventListener("click", () => busy(el.run, runChecks));
}

async function runChecks() {
  say(el.withRasa.checked ? "正在检查（含 rasa data validate，可能需要一两分钟）…" : "正在检查…", "info");
  const result = await call("GET", "/checks" + query({ with_rasa: el.withRasa.checked ? "true" : "false" }));
  if (!result.ok || !result.body) return;
  const { findings = [], counts = {}, ok } = result.body;
  el.summary.textContent = (ok ? "没有错误，可以训练。" : "有错误，请先修正再训练。")
    + "错误 " + (counts.error || 0) + " 条，警告 " + (counts.warning || 0) + " 条，提示 " + (counts.info || 0) + " 条";
  el.summary.dataset.ok = String(Boolean(ok));
  el.summary.hidden = false;
  el.list.replaceChildren(...findings.map(findingFor));
  say(el.summary.textContent, ok ? "ok" : "error");
}

function findingFor(finding) {
  const item = make("li", "finding level-" + finding.level);
  item.append(make("span", "level", finding.level_label), make("span", "message", finding.message));
  if (finding.intents && finding.intents.length) {
    item.append(make("span", "finding-intents", "意图：" + finding.intents.map(intentText).join("、")));
  }
  return item;
}
