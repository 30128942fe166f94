/*
 * The example editor: one form for "更正意图" on a user turn and for a free "新增样例".
 * 预览 asks the API for the diff (nothing written); 写入训练数据 is enabled only by a preview of
 * exactly what is in the form, so a trainer never writes a change they have not seen.
 * Entities are given as the fragment of the text they cover; the offsets are worked out here.
 */
import { $, make } from "../agent/ui.js";
import { busy, call } from "./api.js";
import { fillIntentSelect, intentText } from "./intents.js";
import { say } from "./status.js";

const el = {
  form: $("example-form"), title: $("example-title"), source: $("example-source"), fresh: $("example-new"),
  text: $("example-text"), intent: $("example-intent"), entities: $("example-entities"),
  addEntity: $("example-add-entity"), entityNames: $("entity-names"), preview: $("example-preview"),
  apply: $("example-apply"), moved: $("example-moved"), diff: $("example-diff"), result: $("example-result"),
};
const FREE_HINT = "输入一句客户可能说的话并选择意图；或在对话里点“更正意图”。";

let origin = null; // {conversationId, index} of the turn being corrected, else null
let previewed = null; // the JSON body the shown diff was made for
let written = []; // listeners: fn(origin, intent) after a write

export function bindExamples() {
  el.form.addEventListener("submit", (event) => event.preventDefault());
  el.fresh.addEventListener("click", () => newExample());
  el.addEntity.addEventListener("click", () => addEntityRow({}));
  el.preview.addEventListener("click", () => busy(el.preview, preview));
  el.apply.addEventListener("click", () => {
    el.apply.disabled = true;
    apply();
  });
  // Any change after a preview makes that preview stale.
  el.form.addEventListener("input", staleOnChange);
  el.form.addEventListener("change", staleOnChange);
}

export function onWritten(fn) {
  written.push(fn);
}

export function fillExampleIntents() {
  fillIntentSelect(el.intent, { blank: "请选择正确的意图" });
}

/** Entity names seen in conversations, offered in the entity name field. */
export function suggestEntityNames(names) {
  const known = new Set([...el.entityNames.options].map((option) => option.value));
  names.filter((name) => name && !known.has(name)).forEach((name) => {
    const option = make("option");
    option.value = name;
    el.entityNames.append(option);
    known.add(name);
  });
}

/** Start correcting a user turn: its text and the entities read from it, the intent left to choose. */
export function correctTurn(turn, conversationId) {
  origin = { conversationId, index: turn.index };
  el.title.textContent = "更正意图";
  el.source.textContent = "对话 " + conversationId + " 第 " + (turn.index + 1) + " 条；模型识别为 "
    + intentText(turn.intent) + "。请选择正确的意图。";
  el.text.value = turn.text || "";
  el.intent.value = "";
  el.entities.replaceChildren();
  (turn.entities || []).forEach((entity) => {
    const fragment = typeof entity.start === "number" && typeof entity.end === "number"
      ? (turn.text || "").slice(entity.start, entity.end) : "";
    if (fragment) addEntityRow({ entity: entity.entity, fragment, value: entity.value === fragment ? "" : entity.value });
  });
  suggestEntityNames((turn.entities || []).map((entity) => entity.entity));
  clearOutcome();
  el.intent.focus();
}

/** An empty form for a free example. */
export function newExample() {
  origin = null;
  el.title.textContent = "新增样例";
  el.source.textContent = FREE_HINT;
  el.text.value = "";
  el.intent.value = "";
  el.entities.replaceChildren();
  clearOutcome();
  el.text.focus();
}

export function resetExamples() {
  newExample();
}

function addEntityRow(values) {
  const row = make("li", "entity-row");
  const name = make("input", "entity-name");
  name.setAttribute("list", "entity-names");
  name.setAttribute("aria-label", "实体名");
  name.placeholder = "实体名";
  name.maxLength = 64;
  name.value = values.entity || "";
  const fragment = make("input", "entity-fragment");
  fragment.setAttribute("aria-label", "文本中的片段");
  fragment.placeholder = "文本中的片段";
  fragment.value = values.fragment || "";
  const value = make("input", "entity-value");
  value.setAttribute("aria-label", "归一化的值（可选）");
  value.placeholder = "值（可选）";
  value.value = values.value || "";
  const remove = make("button", "btn btn-ghost btn-small", "删除");
  remove.type = "button";
  remove.addEventListener("click", () => {
    row.remove();
    staleOnChange();
  });
  row.append(name, fragment, value, remove);
  el.entities.append(row);
  staleOnChange();
}

/** The request body from the form, or {error} saying what to fix. */
function body() {
  const text = el.text.value.trim();
  if (!text) return { error: "请填写样例文本" };
  if (!el.intent.value) return { error: "请选择意图" };
  const entities = [];
  for (const row of el.entities.querySelectorAll(".entity-row")) {
    const entity = row.querySelector(".entity-name").value.trim();
    const fragment = row.querySelector(".entity-fragment").value.trim();
    const value = row.querySelector(".entity-value").value.trim();
    if (!entity && !fragment && !value) continue;
    if (!entity || !fragment) return { error: "每个实体都要填写实体名和它在文本中的片段" };
    const start = text.indexOf(fragment);
    if (start < 0) return { error: "片段“" + fragment + "”不在文本中" };
    const span = { entity, start, end: start + fragment.length };
    if (value) span.value = value;
    entities.push(span);
  }
  return { text, intent: el.intent.value, entities };
}

async function preview() {
  el.apply.disabled = true;
  previewed = null;
  const payload = body();
  if (payload.error) {
    say(payload.error, "error");
    return;
  }
  const result = await call("POST", "/examples/preview", payload);
  if (!result.ok || !result.body) {
    showResult(result.text, true);
    return;
  }
  showChange(result.body);
  el.result.hidden = true;
  const changes = result.body.changes || [];
  if (changes.length) {
    previewed = JSON.stringify(payload);
    el.apply.disabled = false;
    say("预览完成：请核对改动后写入训练数据", "info");
  } else {
    say("训练数据里已经有这条样例，无需改动", "info");
  }
}

async function apply() {
  const payload = body();
  if (payload.error || JSON.stringify(payload) !== previewed) {
    say(payload.error || "内容已修改，请重新预览", "error");
    return;
  }
  const from = origin;
  const result = await call("POST", "/examples", payload);
  if (!result.ok || !result.body) {
    showResult(result.text, true);
    el.apply.disabled = false;
    return;
  }
  previewed = null;
  showChange(result.body);
  const files = (result.body.changes || []).map((change) => change.file).join("、");
  const moved = result.body.moved_from && result.body.moved_from.length
    ? "，并从 " + result.body.moved_from.map(intentText).join("、") + " 移出" : "";
  const text = "已写入训练数据：“" + payload.text + "” → " + intentText(payload.intent) + moved
    + (files ? "（" + files + "）" : "") + "。重新训练后生效。";
  showResult(text, false);
  say(text, "ok");
  written.forEach((fn) => fn(from, payload.intent));
}

function showChange(change) {
  const diff = (change.changes || []).map((item) => item.diff).join("\n");
  // One span per line, so added and removed lines can be coloured; the text is still the diff.
  const lines = diff ? diff.split("\n") : ["（没有改动：训练数据里已经有这条样例）"];
  el.diff.replaceChildren(...lines.map((line) => make("span", diffClass(line), line + "\n")));
  el.diff.hidden = false;
  const moved = change.moved_from || [];
  el.moved.textContent = moved.length ? "这句话目前是 " + moved.map(intentText).join("、") + " 的样例，将被移到所选意图下。" : "";
  el.moved.hidden = !moved.length;
}

function diffClass(line) {
  if (line.startsWith("+++") || line.startsWith("---")) return "diff-file";
  if (line.startsWith("@@")) return "diff-hunk";
  if (line.startsWith("+")) return "diff-add";
  if (line.startsWith("-")) return "diff-del";
  return "";
}

function showResult(text, isError) {
  el.result.textContent = text;
  el.result.classList.toggle("is-error", Boolean(isError));
  el.result.hidden = !text;
}

function staleOnChange() {
  if (previewed === null) return;
  previewed = null;
  el.apply.disabled = true;
}

function clearOutcome() {
  previewed = null;
  el.apply.disabled = true;
  el.diff.textContent = "";
  el.diff.hidden = true;
  el.moved.hidden = true;
  el.result.hidden = true;
}
