"""Long Rasa commands (training, evaluation) run in the background, their state kept in a JSON file.

The web page and the command line both read that file, so a trainer sees the same progress
wherever the job was started; a job whose process is gone without finishing shows as failed,
never as running for ever.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Sequence

from bot.clock import now_in_bank_tz
from bot.training.nlu_files import TrainingDataError
from bot.training.workspace import REPO_ROOT

JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
EPOCHS = re.compile(r"Epochs:\s+(\d{1,3})%")
LOG_TAIL_CHARS = 4000
STATUS_LABELS = {"running": "进行中", "succeeded": "已完成", "failed": "失败"}


class JobNotFound(TrainingDataError):
    code = "job_not_found"


@dataclass
class Job:
    """One background run: what it is, who started it, how far it got, and what it found."""

    id: str
    kind: str  # training | evaluation
    actor: str
    started_at: str
    status: str = "running"
    finished_at: str | None = None
    progress: float = 0.0
    stage: str = ""
    message: str = ""
    pid: int | None = None
    params: dict = field(default_factory=dict)
    result: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {**asdict(self), "status_label": STATUS_LABELS.get(self.status, self.status)}


class JobStore:
    """Jobs of one kind as JSON files in a folder, with their logs beside them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, job_id: str) -> Path:
        if not JOB_ID.match(job_id):
            raise JobNotFound(f"没有任务 {job_id}")
        return self.folder / f"{job_id}.json"

    def log(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.log"

    def save(self, job: Job) -> None:
        with _SAVING:  # parallel steps of one job save it from several threads
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.path(job.id).with_suffix(".tmp")
            temporary.write_text(json.dumps(asdict(job), ensure_ascii=False, indent=1), encoding="utf-8")
            temporary.replace(self.path(job.id))

    def load(self, job_id: str) -> Job:
        path = self.path(job_id)
        if not path.is_file():
            raise JobNotFound(f"没有任务 {job_id}")
        job = Job(**json.loads(path.read_text(encoding="utf-8")))
        if job.status == "running" and not _alive(job.pid) and job.id not in _RUNNING:
            job.status, job.message = "failed", "任务进程已中断（服务重启？），请重新开始"
            job.finished_at = job.finished_at or now_iso()
            self.save(job)
        return job

    def all(self) -> list[Job]:
        if not self.folder.is_dir():
            return []
        jobs = [self.load(p.stem) for p in self.folder.glob("*.json")]
        return sorted(jobs, key=lambda j: j.started_at, reverse=True)

    def running(self) -> Job | None:
        return next((job for job in self.all() if job.status == "running"), None)

    def report(self, job_id: str) -> dict:
        """The job as the trainer reads it, with the end of its log when it failed."""
        job = self.load(job_id)
        return {**job.as_dict(), "log": self.log_tail(job_id) if job.status == "failed" else ""}

    def log_tail(self, job_id: str) -> str:
        path = self.log(job_id)
        if not path.is_file():
            return ""
        with path.open("rb") as log:
            log.seek(max(0, path.stat().st_size - LOG_TAIL_CHARS))
            return log.read().decode("utf-8", "replace")


_RUNNING: set[str] = set()  # jobs whose thread lives in this process
_SAVING = threading.Lock()


def new_job_id(prefix: str) -> str:
    return f"{prefix}-{now_in_bank_tz().strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:4]}"


def start(store: JobStore, job: Job, steps: Sequence[tuple[str, Sequence[str]]], cwd: Path,
          finish: Callable[[Job], dict], progress: Callable[[str], tuple[float, str]] | None = None,
          parallel: bool = False) -> Job:
    """Run `steps` (a label and a command each) in a thread, one after another or all at once
    (`parallel`: independent commands that each wait mostly on loading); `finish` turns their
    outputs into the job's result. The job file is written before this returns."""
    store.save(job)
    _RUNNING.add(job.id)
    run = _run_parallel if parallel and len(steps) > 1 else _run
    thread = threading.Thread(target=run, args=(store, job, steps, cwd, finish, progress), daemon=True,
                              name=f"job-{job.id}")
    thread.start()
    return job


def wait(store: JobStore, job_id: str, timeout_s: float) -> Job:
    """Block until the job ends (the command line waits; the web page polls instead)."""
    for thread in threading.enumerate():
        if thread.name == f"job-{job_id}":
            thread.join(timeout_s)
    return store.load(job_id)


def _run(store: JobStore, job: Job, steps: Sequence[tuple[str, Sequence[str]]], cwd: Path,
         finish: Callable[[Job], dict], progress: Callable[[str], tuple[float, str]] | None) -> None:
    def steps_in_turn() -> None:
        for index, (label, command) in enumerate(steps):
            job.stage = label
            store.save(job)
            _check(label, _run_step(store, job, command, cwd, progress))
            job.progress = (index + 1) / len(steps) if progress is None else job.progress

    _finish(store, job, steps_in_turn, finish)


def _run_parallel(store: JobStore, job: Job, steps: Sequence[tuple[str, Sequence[str]]], cwd: Path,
                  finish: Callable[[Job], dict], progress: Callable[[str], tuple[float, str]] | None) -> None:
    def steps_at_once() -> None:
        job.stage = "、".join(label for label, _ in steps)
        with ThreadPoolExecutor(len(steps)) as pool:
            codes = list(pool.map(lambda step: _run_step(store, job, step[1], cwd, None), steps))
        for (label, _), code in zip(steps, codes):
            _check(label, code)

    _finish(store, job, steps_at_once, finish)


class _StepFailed(Exception):
    pass


def _check(label: str, code: int) -> None:
    if code != 0:
        raise _StepFailed(f"{label}失败（退出码 {code}），详见日志")


def _finish(store: JobStore, job: Job, run_steps: Callable[[], None], finish: Callable[[Job], dict]) -> None:
    try:
        run_steps()
        job.result = finish(job)
        job.status, job.progress, job.stage = "succeeded", 1.0, ""
    except _StepFailed as error:
        job.status, job.message = "failed", str(error)
    except Exception as error:  # the job must end in a state the trainer can read
        job.status, job.message = "failed", f"{error.__class__.__name__}: {error}"[:500]
    finally:
        job.finished_at, job.pid = now_iso(), None
        store.save(job)
        _RUNNING.discard(job.id)


def _run_step(store: JobStore, job: Job, command: Sequence[str], cwd: Path,
              progress: Callable[[str], tuple[float, str]] | None) -> int:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
           "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    with store.log(job.id).open("ab") as log:
        process = subprocess.Popen(list(command), cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
        job.pid = process.pid
        store.save(job)
        while True:
            try:
                return process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                if progress is not None:
                    job.progress, job.stage = progress(store.log(job.id).read_text("utf-8", "replace"))
                    store.save(job)


def epochs_progress(total_stages: int) -> Callable[[str], tuple[float, str]]:
    """Progress of a Rasa training from its log: each trained component prints `Epochs: N%`."""
    def read(log: str) -> tuple[float, str]:
        found = [int(m.group(1)) for m in EPOCHS.finditer(log)]
        if not found:
            return 0.0, "准备数据"
        done = sum(1 for a, b in zip(found, found[1:]) if b < a)  # a drop to a lower % starts a new component
        stage = min(done, total_stages - 1)
        return round(min(0.99, (stage + found[-1] / 100) / total_stages), 3), f"训练第 {stage + 1}/{total_stages} 个组件"
    return read


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def now_iso() -> str:
    return now_in_bank_tz().isoformat(timespec="seconds")
