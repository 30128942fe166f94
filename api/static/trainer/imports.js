/*
 * 导入语料: a CSV / JSONL file sent as it is (the API reads the raw body), the customers'
 * messages of handed-off conversations, and the imported messages waiting for an intent. A row
 * is settled by adding it to the training data (POST /examples with its import_id, which also
 * marks it added) or by ignoring it.
 */
import { $, make } from "../agent/ui.js";
import { busy, call, enc, query, sendFile } from "./api.js";
import { shortTime } from "./format.js";
import { fillIntentSelect, intentText } from "./intents.js";
import { say } from "./status.js";

const el = {
  form: $("import-form"), file: $("import-file"), upload: $("import-upload"), handoffs: $("import-handoffs"),
  result: $("import-result"), status: $("import-status-filter"), refresh: $("imports-refresh"),
  body: $("imports-body"), empty: $("imports-empty"),
};

let generation = 0;

export function bindImports() {
  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy([el.upload, el.handoffs], upload);
  });
  el.handoffs.addEventListener("click", () => busy([el.upload, el.handoffs], importHandoffs));
  el.status.addEventListener("change", () => loadImports());
  el.refresh.addEventListener("click", () => busy(el.refresh, loadImports));
}

async function upload() {
  const file = el.file.files && el.file.files[0];
  if (!file) {
    say("请先选择一个 CSV 或 JSONL 文件", "error");
    return;
  }
  const result = await sendFile("/imports" + query({ filename: file.name }), file);
  if (!result.ok || !result.body) {
    say(result.text, "error");
    return;
  }
  showImport(result.body, "文件 " + file.name);
  el.file.value = "";
  await loadImports();
}

async function importHandoffs() {
  const result = await call("POST", "/imports/handoffs");
  if (!result.ok || !result.body) return;
  showImport(result.body, "转人工对话");
  await loadImports();
}

/** {batch, imported, skipped, errors[{row, message}]}: the counts, then each refused row. */
function showImport(outcome, what) {
  const summary = what + "：导入 " + outcome.imported + " 条，跳过已有的 " + outcome.skipped + " 条"
    + (outcome.errors.length ? "，" + outcome.errors.length + " 行有问题" : "") + "（批次 " + outcome.batch + "）";
  el.result.replaceChildren(make("p", "", summary));
  if (outcome.errors.length) {
    const list = make("ul", "import-errors");
    outcome.errors.forEach((error) => list.append(make("li", "", "第 " + error.row + " 行：" + error.message)));
    el.result.append(list);
  }
  el.result.classList.toggle("is-error", outcome.errors.length > 0);
  el.result.hidden = false;
  say(summary, outcome.errors.length ? "error" : "ok");
}

export async function loadImports() {
  const mine = ++generation;
  const result = await call("GET", "/imports" + query({ status: el.status.value }));
  if (mine !== generation || !result.ok || !result.body) return;
  const items = result.body.items || [];
  el.body.replaceChildren(...items.map(rowFor));
  el.empty.hidden = items.length > 0;
}

function rowFor(item) {
  const row = make("tr");
  row.dataset.importId = String(item.id);
  const pending = item.status === "new";
  const intent = make("select", "import-intent");
  intent.setAttribute("aria-label", "意图");
  fillIntentSelect(intent, { blank: "选择意图", selected: item.annotated_intent || item.label || "" });
  intent.disabled = !pending;
  const add = make("button", "btn btn-primary btn-small import-add", "加入训练数据");
  add.type = "button";
  const ignore = make("button", "btn btn-ghost btn-small import-ignore", "忽略");
  ignore.type = "button";
  add.disabled = ignore.disabled = !pending;
  add.addEventListener("click", () => busy([add, ignore], () => addItem(item, intent.value, row)));
  ignore.addEventListener("click", () => busy([add, ignore], () => ignoreItem(item, row)));
  const actions = make("td", "actions");
  actions.append(add, ignore);
  const intentCell = make("td");
  intentCell.append(intent);
  row.append(make("td", "text-cell", item.text),
    make("td", "", item.source_label + " · " + shortTime(item.created_at)),
    make("td", "", item.label ? intentText(item.label) : "—"),
    make("td", "status-cell", item.status_label + (item.annotated_intent ? "：" + intentText(item.annotated_intent) : "")),
    intentCell, actions);
  return row;
}

async function addItem(item, intent, row) {
  if (!intent) {
    say("请先为这条消息选择意图", "error");
    return;
  }
  const result = await call("POST", "/examples", { text: item.text, intent, entities: item.entities || [], import_id: item.id });
  if (!result.ok) return;
  say("已加入训练数据：“" + item.text + "” → " + intentText(intent), "ok");
  settled(row, { ...item, status: "added", status_label: "已加入训练数据", annotated_intent: intent });
}

async function ignoreItem(item, row) {
  const result = await call("POST", "/imports/" + enc(item.id) + "/ignore");
  if (!result.ok || !result.body) return;
  say("已忽略：“" + item.text + "”", "ok");
  settled(row, result.body);
}

/** A settled row leaves the 待处理 view; in the others it shows its new state. */
function settled(row, item) {
  if (el.status.value === "new") {
    row.remove();
    el.empty.hidden = el.body.children.length > 0;
  } else {
    row.replaceWith(rowFor(item));
  }
}
