/*
 * 开始训练 and its progress bar. One training runs at a time (the API refuses a second); a
 * training started elsewhere (the command line, another trainer) is picked up from the models
 * list and followed the same way. #training-progress carries data-status running|succeeded|failed.
 */
import { $ } from "../agent/ui.js";
import { call, enc } from "./api.js";
import { follow, showFailure, showProgress } from "./jobs.js";
import { say } from "./status.js";

const el = {
  start: $("start-training"), box: $("training-progress"), bar: $("training-bar"), percent: $("training-percent"),
  stage: $("training-stage"), state: $("training-state"), message: $("training-message"), log: $("training-log"),
};

let following = null; // the id of the job this page follows
const finished = [];

export function bindTraining() {
  // Not busy(): the button stays disabled for as long as the training runs, not just the request.
  el.start.addEventListener("click", async () => {
    el.start.disabled = true;
    await startTraining();
    if (!following) el.start.disabled = false;
  });
}

/** fn(job) when a followed training ends (the models list reloads). */
export function onTrainingDone(fn) {
  finished.push(fn);
}

async function startTraining() {
  const result = await call("POST", "/training");
  if (!result.ok || !result.body) return;
  say("训练已开始：" + ((result.body.params || {}).model || result.body.id), "info");
  followTraining(result.body);
}

/** A running training the models list knows of (resumed after a reload). */
export function resumeTraining(trainings) {
  const running = (trainings || []).find((job) => job.status === "running");
  if (running && following !== running.id) followTraining(running);
}

async function followTraining(job) {
  following = job.id;
  el.start.disabled = true;
  show(job);
  const last = await follow("/training/" + enc(job.id), (update, error) => {
    if (update) show(update);
    else if (error) say("无法读取训练进度：" + error, "error");
  });
  if (following !== job.id) return;
  following = null;
  el.start.disabled = false;
  if (last && last.status === "succeeded") {
    say("训练完成：" + ((last.result || {}).model || last.id) + "，可以评估后上线", "ok");
  } else if (last && last.status === "failed") {
    say(last.message || "训练失败，原因见日志", "error"); // the message names the step that failed
  }
  if (last) finished.forEach((fn) => fn(last));
}

function show(job) {
  showProgress({ box: el.box, bar: el.bar, percent: el.percent, stage: el.stage }, job);
  const model = (job.result || {}).model || (job.params || {}).model || "";
  el.state.textContent = job.status_label + (model ? " · " + model : "");
  showFailure(el.message, el.log, job);
}

export function resetTraining() {
  following = null;
  el.start.disabled = false;
  el.box.hidden = true;
  el.box.dataset.status = "idle";
  el.message.hidden = true;
  el.log.hidden = true;
}
