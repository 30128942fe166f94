/*
 * 训练与模型: the models trained on the workbench, the one Rasa serves, the activation history
 * and recent trainings (GET /api/trainer/models). 上线 and 回滚 change what customers talk to, so
 * both ask for confirmation; Rasa keeps the old model until the new one has loaded.
 */
import { $, make } from "../agent/ui.js";
import { busy, call, enc } from "./api.js";
import { shortTime } from "./format.js";
import { say } from "./status.js";

const el = {
  refresh: $("models-refresh"), serving: $("serving-model"), rasaError: $("rasa-error"), rollback: $("rollback"),
  body: $("models-body"), empty: $("models-empty"), history: $("history-body"), trainings: $("trainings-body"),
};

let evaluateHandler = () => {};
let loadedHandler = () => {};
let generation = 0;

/** evaluate(modelName, button): start an evaluation; loaded(models answer): after every load. */
export function bindModels(callbacks) {
  evaluateHandler = callbacks.evaluate;
  loadedHandler = callbacks.loaded;
  el.refresh.addEventListener("click", () => busy(el.refresh, loadModels));
  el.rollback.addEventListener("click", rollback);
}

export async function loadModels() {
  const mine = ++generation;
  const result = await call("GET", "/models");
  if (mine !== generation || !result.ok || !result.body) return;
  render(result.body);
  loadedHandler(result.body);
}

/** Rasa's /status names a file; the workbench's rows are file names too. */
function baseName(path) {
  return path ? String(path).split(/[\\/]/).pop() : "";
}

function render(answer) {
  const serving = baseName(answer.serving);
  el.serving.textContent = serving || (answer.rasa_error ? "未知（无法连接 Rasa）" : "（无）");
  el.rasaError.textContent = answer.rasa_error ? "Rasa 状态：" + answer.rasa_error : "";
  el.rasaError.hidden = !answer.rasa_error;
  const models = answer.models || [];
  el.body.replaceChildren(...models.map((model) => modelRow(model, serving)));
  el.empty.hidden = models.length > 0;
  el.history.replaceChildren(...(answer.history || []).map((entry) => cells([
    shortTime(entry.at), entry.name, entry.by || "（工作台之前）", entry.rollback ? "回滚" : "上线"])));
  el.trainings.replaceChildren(...(answer.trainings || []).map((job) => cells([
    shortTime(job.started_at), (job.params || {}).model || job.id, job.actor, job.status_label, job.message || ""])));
}

function cells(values) {
  const row = make("tr");
  values.forEach((value) => row.append(make("td", "", value == null || value === "" ? "—" : value)));
  return row;
}

function modelRow(model, serving) {
  const row = make("tr");
  row.dataset.model = model.name;
  const isServing = model.name === serving;
  row.classList.toggle("is-serving", isServing);
  const state = make("td");
  if (isServing) state.append(make("span", "badge badge-ok", "线上"));
  if (model.active && !isServing) state.append(make("span", "badge badge-warn", "最近上线（Rasa 未在使用）"));
  const evaluate = make("button", "btn btn-secondary btn-small evaluate", "评估");
  evaluate.type = "button";
  evaluate.addEventListener("click", () => evaluateHandler(model.name, evaluate));
  const activate = make("button", "btn btn-primary btn-small activate", "上线");
  activate.type = "button";
  activate.disabled = isServing;
  activate.addEventListener("click", () => activateModel(model.name, activate));
  const actions = make("td", "actions");
  actions.append(evaluate, activate);
  row.append(make("td", "model-name", model.name), make("td", "", model.size_mb + " MB"),
    make("td", "", shortTime(model.trained_at)), make("td", "", model.trained_by || "—"), state, actions);
  return row;
}

async function activateModel(name, button) {
  if (!window.confirm("确定让线上助手改用模型 " + name + " 吗？\n建议先评估，确认没有变差再上线。")) return;
  await busy([button, el.rollback], async () => {
    say("正在让 Rasa 加载模型 " + name + "，可能需要一分钟…", "info");
    const result = await call("POST", "/models/" + enc(name) + "/activate");
    if (!result.ok || !result.body) return;
    say("已上线 " + result.body.serving + (result.body.previous ? "（之前是 " + result.body.previous + "）" : ""), "ok");
    await loadModels();
  });
}

async function rollback() {
  if (!window.confirm("确定回滚到上一个上线的模型吗？")) return;
  await busy(el.rollback, async () => {
    say("正在回滚，Rasa 加载模型可能需要一分钟…", "info");
    const result = await call("POST", "/models/rollback");
    if (!result.ok || !result.body) return;
    say("已回滚：现在使用 " + result.body.serving + (result.body.previous ? "（之前是 " + result.body.previous + "）" : ""), "ok");
    await loadModels();
  });
}

export function resetModels() {
  generation += 1;
  el.body.replaceChildren();
  el.history.replaceChildren();
  el.trainings.replaceChildren();
  el.serving.textContent = "—";
}
