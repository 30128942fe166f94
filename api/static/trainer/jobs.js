/*
 * Following a background job (training, evaluation) by polling its URL every 2 s until it is no
 * longer running. The job's state lives on the server, so a reload or another trainer's page
 * can pick the same job up again. Every poller stops when the trainer signs out.
 */
import { call } from "./api.js";

const INTERVAL_MS = 2000;
const MAX_NETWORK_FAILURES = 5;
const running = new Set();

/** onUpdate(job) after every answer; resolves the last job seen (null if it could not be read). */
export function follow(path, onUpdate) {
  const poller = { stopped: false, timer: null };
  running.add(poller);
  return new Promise((resolve) => {
    let failures = 0;
    let last = null;
    const done = (job) => {
      running.delete(poller);
      resolve(job);
    };
    const tick = async () => {
      if (poller.stopped) return done(last);
      const result = await call("GET", path, undefined, { quiet: true });
      if (poller.stopped) return done(last);
      if (result.ok && result.body) {
        failures = 0;
        last = result.body;
        onUpdate(last);
        if (last.status !== "running") return done(last);
      } else if (result.status === 0 || result.status >= 500) {
        // A dropped connection or a restarting server: keep trying for a while.
        failures += 1;
        if (failures >= MAX_NETWORK_FAILURES) {
          onUpdate(null, result.text);
          return done(last);
        }
      } else {
        onUpdate(null, result.text);
        return done(last);
      }
      poller.timer = setTimeout(tick, INTERVAL_MS);
      return undefined;
    };
    tick();
    poller.stop = () => {
      poller.stopped = true;
      clearTimeout(poller.timer);
      done(last);
    };
  });
}

export function stopAllJobs() {
  [...running].forEach((poller) => poller.stop());
}

/** The bar, percent and stage of a job: the progress element and the texts next to it. */
export function showProgress(parts, job) {
  const percent = Math.round(Math.max(0, Math.min(1, job.progress || 0)) * 100);
  parts.bar.value = percent;
  parts.percent.textContent = percent + "%";
  parts.stage.textContent = job.status === "running" ? job.stage || "准备中" : "";
  parts.box.dataset.status = job.status;
  parts.box.hidden = false;
}

/** Why a job failed and the end of its log, shown only when it failed. */
export function showFailure(message, log, job) {
  const failed = job.status === "failed";
  message.textContent = failed ? job.message : "";
  message.classList.toggle("is-error", failed);
  message.hidden = !failed;
  log.textContent = failed ? job.log || "" : "";
  log.hidden = !(failed && job.log);
}
