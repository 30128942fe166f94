/*
 * 评估: start an evaluation (a given model, or the newest), follow it every 2 s, then show the
 * new model beside the serving one: overall figures, per intent with the F1 change, entities,
 * the test messages that got better or worse, and the pictures rasa test nlu drew.
 * The job id is kept in sessionStorage so a reload shows the same evaluation again.
 */
import { $, load, make, store } from "../agent/ui.js";
import { busy, call, enc, pictureUrl } from "./api.js";
import { follow, showFailure, showProgress } from "./jobs.js";
import { changeClass, confidence, percent, pointsChange } from "./format.js";
import { intentText } from "./intents.js";
import { say } from "./status.js";

const KEY = "trainerBench.evaluation";
const el = {
  form: $("evaluation-form"), newest: $("evaluate-newest"), folds: $("evaluation-folds"),
  box: $("evaluation"), title: $("evaluation-title"), state: $("evaluation-state"), empty: $("evaluation-empty"),
  progress: $("evaluation-progress"), bar: $("evaluation-bar"), percent: $("evaluation-percent"),
  stage: $("evaluation-stage"), message: $("evaluation-message"), log: $("evaluation-log"), body: $("evaluation-body"),
};

let following = null;
let shownHandler = () => {};

/** shown(): the evaluation tab should be brought forward (an evaluation was just started). */
export function bindEvaluation(onStarted) {
  shownHandler = onStarted;
  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(el.newest, () => startEvaluation(null));
  });
}

/** POST /evaluations for `model` (null: the newest workbench model); returns when the job has started. */
export async function startEvaluation(model, button) {
  const run = async () => {
    const payload = {};
    if (model) payload.model = model;
    if (el.folds.value) payload.cross_validation_folds = Number(el.folds.value);
    const result = await call("POST", "/evaluations", payload);
    if (!result.ok || !result.body) return;
    say("评估已开始：" + result.body.params.model, "info");
    shownHandler();
    followEvaluation(result.body);
  };
  return button ? busy(button, run) : run();
}

/** After sign-in: the evaluation last shown in this tab, if any. */
export async function resumeEvaluation() {
  const id = load(KEY, null);
  if (!id || following === id) return;
  const result = await call("GET", "/evaluations/" + enc(id), undefined, { quiet: true });
  if (result.ok && result.body) followEvaluation(result.body);
  else store(KEY, null);
}

async function followEvaluation(job) {
  following = job.id;
  store(KEY, job.id);
  el.body.replaceChildren();
  show(job);
  if (job.status !== "running") return;
  const last = await follow("/evaluations/" + enc(job.id), (update, error) => {
    if (update && following === job.id) show(update);
    else if (error) say("无法读取评估进度：" + error, "error");
  });
  if (following !== job.id || !last) return;
  if (last.status === "succeeded") say("评估完成：" + last.params.model, "ok");
  else if (last.status === "failed") say(last.message || "评估失败，原因见日志", "error");
}

function show(job) {
  const params = job.params || {};
  el.box.dataset.status = job.status;
  el.box.dataset.job = job.id;
  el.empty.hidden = true;
  el.title.textContent = "评估 " + params.model + (params.folds ? "（" + params.folds + " 折交叉验证）"
    : params.serving ? "（对比线上 " + params.serving + "）" : "");
  el.state.textContent = job.status_label;
  el.state.dataset.status = job.status;
  el.progress.hidden = job.status !== "running";
  if (job.status === "running") {
    showProgress({ box: el.progress, bar: el.bar, percent: el.percent, stage: el.stage }, job);
  }
  showFailure(el.message, el.log, job);
  if (job.status === "succeeded") renderResult(job);
}

function renderResult(job) {
  const result = job.result || {};
  const serving = result.serving || null;
  const parts = [overall(result, serving), perIntent(result, serving)];
  if (result.entities && Object.keys(result.entities).length) parts.push(entities(result.entities, serving));
  parts.push(changes(result.comparison, job.params || {}));
  parts.push(pictures(job.id, result.pictures || []));
  el.body.replaceChildren(...parts);
}

function section(title) {
  const node = make("section", "eval-section");
  node.append(make("h3", "sub", title));
  return node;
}

function table(head, rows) {
  const node = make("table", "grid");
  const thead = make("thead");
  const headRow = make("tr");
  head.forEach((text) => headRow.append(make("th", "", text)));
  thead.append(headRow);
  const tbody = make("tbody");
  tbody.append(...rows);
  node.append(thead, tbody);
  return node;
}

/** A row of cells; a cell is text or [text, className]. */
function cellsRow(values) {
  const row = make("tr");
  values.forEach((value) => {
    const [text, className] = Array.isArray(value) ? value : [value, ""];
    row.append(make("td", className, text === "" || text == null ? "—" : text));
  });
  return row;
}

function overall(result, serving) {
  const node = section("总体");
  const now = result.intent || {};
  const before = serving ? serving.intent || {} : null;
  const head = ["指标", "新模型"];
  if (before) head.push("线上模型（" + serving.model + "）", "变化（百分点）");
  const rows = [["准确率", "accuracy"], ["宏平均 F1", "macro_f1"], ["加权平均 F1", "weighted_f1"]].map(([label, key]) => {
    const values = [label, percent(now[key])];
    if (before) values.push(percent(before[key]), [pointsChange(now[key], before[key]), changeClass(now[key], before[key])]);
    return cellsRow(values);
  });
  const count = ["测试消息数", String(now.messages ?? "—")];
  if (before) count.push(String(before.messages ?? "—"), "");
  rows.push(cellsRow(count));
  node.append(table(head, rows));
  if (!before) node.append(make("p", "hint", "没有线上模型在同一测试集上的结果可对比（Rasa 未连接、线上模型不在本工作区，或这是交叉验证）。"));
  return node;
}

function perIntent(result, serving) {
  const node = section("各意图");
  const now = (result.intent || {}).intents || {};
  const before = serving ? (serving.intent || {}).intents || {} : null;
  const head = ["意图", "精确率", "召回率", "F1", "样本数"];
  if (before) head.push("线上 F1", "F1 变化（百分点）");
  const names = Object.keys(now).sort((a, b) => now[a].f1 - now[b].f1 || a.localeCompare(b));
  const rows = names.map((name) => {
    const figures = now[name];
    const values = [intentText(name), percent(figures.precision), percent(figures.recall), percent(figures.f1),
      String(figures.support)];
    if (before) {
      const was = before[name];
      values.push(was ? percent(was.f1) : "—", was ? [pointsChange(figures.f1, was.f1), changeClass(figures.f1, was.f1)] : "");
    }
    const row = cellsRow(values);
    row.dataset.intent = name;
    return row;
  });
  node.append(table(head, rows));
  return node;
}

function entities(figures, serving) {
  const node = section("实体");
  const before = serving ? serving.entities || {} : null;
  const head = ["抽取组件", "精确率", "召回率", "F1", "样本数"];
  if (before) head.push("线上 F1");
  const rows = Object.entries(figures).map(([name, value]) => {
    const values = [name, percent(value.precision), percent(value.recall), percent(value["f1-score"]), String(value.support)];
    if (before) values.push(before[name] ? percent(before[name]["f1-score"]) : "—");
    return cellsRow(values);
  });
  node.append(table(head, rows));
  return node;
}

/** 变好 / 变差: the test messages whose result changed between the serving model and the new one. */
function changes(comparison, params) {
  const node = section("逐条对比");
  if (!comparison) {
    node.append(make("p", "hint", params.folds ? "交叉验证没有逐条对比。" : "没有线上模型的结果，无法逐条对比。"));
  }
  const improved = (comparison && comparison.improved) || [];
  const worsened = (comparison && comparison.worsened) || [];
  node.append(changeList("变好的消息", "evaluation-improved", improved, "better"),
    changeList("变差的消息", "evaluation-worsened", worsened, "worse"));
  return node;
}

function changeList(title, id, rows, kind) {
  const box = make("div", "change-list " + kind);
  box.append(make("h4", "", title + "（" + rows.length + "）"));
  const list = make("ul");
  list.id = id;
  rows.forEach((row) => {
    const item = make("li");
    item.append(make("q", "change-text", row.text),
      make("span", "change-detail", "应为 " + intentText(row.expected) + "；线上 " + predicted(row.before, row.before_confidence)
        + " → 新模型 " + predicted(row.after, row.after_confidence)));
    list.append(item);
  });
  box.append(list);
  if (!rows.length) box.append(make("p", "empty-hint", "没有"));
  return box;
}

function predicted(name, value) {
  return (name ? intentText(name) : "兜底（未识别）") + (typeof value === "number" ? "（" + confidence(value) + "）" : "");
}

function pictures(jobId, list) {
  const node = section("图表");
  if (!list.length) {
    node.append(make("p", "hint", "这次评估没有生成图表。"));
    return node;
  }
  const grid = make("div", "pictures");
  list.forEach((picture) => {
    const figure = make("figure", "picture");
    const img = make("img");
    img.alt = picture.label;
    figure.append(img, make("figcaption", "", picture.label));
    grid.append(figure);
    loadPicture(jobId, picture.name, img, figure);
  });
  node.append(grid);
  return node;
}

async function loadPicture(jobId, name, img, figure) {
  const result = await pictureUrl("/evaluations/" + enc(jobId) + "/pictures/" + enc(name) + ".png");
  if (result.ok) img.src = result.url;
  else {
    figure.append(make("p", "form-error", result.text));
    say(result.text, "error");
  }
}

export function resetEvaluation() {
  following = null;
  el.box.dataset.status = "idle";
  delete el.box.dataset.job;
  el.title.textContent = "评估结果";
  el.state.textContent = "";
  el.empty.hidden = false;
  el.progress.hidden = true;
  el.message.hidden = true;
  el.log.hidden = true;
  el.body.replaceChildren();
}
