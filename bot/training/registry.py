"""The workbench's models: train in the background, keep the last few, activate one on the
running Rasa server and roll back, without ever leaving Rasa without a model.

Activation goes through Rasa's HTTP API (`PUT /model`, the server started with --enable-api):
Rasa loads the new model before it lets go of the old one, and a model that fails to load
leaves the old one serving. Afterwards `GET /status` must name the new file; if it does not,
the model that served before is put back.
"""
from __future__ import annotations

import json
import tarfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import yaml

from bot.clock import now_in_bank_tz
from bot.training import jobs
from bot.training.nlu_files import TrainingDataError
from bot.training.workspace import REPO_ROOT, Workspace, rasa_bin

KEEP_MODELS = 5
MODEL_PREFIX = "wb-"
RASA_TIMEOUT_S = 300.0  # loading a model takes Rasa tens of seconds on this machine


class ModelError(TrainingDataError):
    code = "model_error"


class RasaUnavailable(ModelError):
    code = "rasa_unavailable"


@dataclass(frozen=True)
class RasaAdmin:
    """The parts of Rasa's HTTP API that manage the serving model."""

    url: str
    token: str | None
    timeout_s: float = RASA_TIMEOUT_S

    def serving_model(self) -> str | None:
        """The file name of the model Rasa serves now (None when it serves none)."""
        return self._call("GET", "/status").json().get("model_file") or None

    def load(self, model: Path) -> None:
        response = self._call("PUT", "/model", json={"model_file": str(model)})
        if response.status_code != 204:
            raise ModelError(f"Rasa 未能加载模型 {model.name}：{_reason(response)}")

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = httpx.request(method, self.url.rstrip("/") + path, params={"token": self.token or ""},
                                     timeout=self.timeout_s, **kwargs)
        except httpx.HTTPError as error:
            raise RasaUnavailable(f"无法连接 Rasa 服务（{error.__class__.__name__}）") from error
        if response.status_code in (401, 403):
            raise RasaUnavailable("Rasa 拒绝了管理请求：请检查 RASA_API_TOKEN")
        if response.status_code >= 500 and method == "GET":
            raise RasaUnavailable(f"Rasa 服务出错（{response.status_code}）")
        return response


class ModelRegistry:
    """The models trained from the workbench (models_dir) and which of them Rasa was told to serve."""

    def __init__(self, ws: Workspace, keep: int = KEEP_MODELS) -> None:
        self.ws = ws
        self.keep = keep
        self.jobs = jobs.JobStore(ws.models_dir / "jobs")

    # --- models ---

    def models(self) -> list[dict[str, Any]]:
        """Newest first, with the job that trained each and whether it is the one activated last."""
        current = self.current()
        trained = {job.result.get("model"): job for job in self.jobs.all() if job.status == "succeeded"}
        rows = []
        for path in self._files():
            job = trained.get(path.name)
            rows.append({"name": path.name, "size_mb": round(path.stat().st_size / 1e6, 1),
                         "trained_at": _mtime(path), "trained_by": job.actor if job else None,
                         "active": current is not None and current.get("path") == str(path)})
        return rows

    def path_of(self, name: str) -> Path:
        path = self.ws.models_dir / name
        if path.parent != self.ws.models_dir or not path.is_file() or not name.endswith(".tar.gz"):
            raise ModelError(f"没有模型 {name}")
        if not tarfile.is_tarfile(path):
            raise ModelError(f"{name} 不是有效的模型文件")
        return path

    def newest(self) -> Path | None:
        files = self._files()
        return files[0] if files else None

    # --- training ---

    def start_training(self, actor: str) -> jobs.Job:
        """Train on the workspace's data in the background; one training at a time."""
        running = next((job for job in self.jobs.all() if job.status == "running"), None)
        if running is not None:
            raise ModelError(f"{running.actor} 开始的训练 {running.id} 还在进行中")
        if not self.ws.config.is_file() or not self.ws.nlu_dir.is_dir():
            raise ModelError("工作区没有 config.yml 或 data/nlu，无法训练")
        job = jobs.Job(jobs.new_job_id("train"), "training", actor, jobs.now_iso())
        name = f"{MODEL_PREFIX}{job.id.removeprefix('train-')}"
        command = [rasa_bin(), "train", "--data", str(self.ws.data_dir), "--domain", str(self.ws.domain),
                   "--config", str(self.ws.config), "--out", str(self.ws.models_dir), "--fixed-model-name", name]
        job.params = {"model": f"{name}.tar.gz"}

        def finish(done: jobs.Job) -> dict:
            model = self.ws.models_dir / f"{name}.tar.gz"
            if not model.is_file():
                raise ModelError("训练结束但没有生成模型文件")
            self.prune()
            return {"model": model.name}

        return jobs.start(self.jobs, job, [("训练", command)], self.ws.root, finish,
                          jobs.epochs_progress(_trained_components(self.ws.config)))

    def prune(self) -> list[str]:
        """Delete models beyond the newest `keep`, never the active one or the one before it."""
        spared = {entry.get("path") for entry in self.history()[-2:]}
        removed = []
        for path in self._files()[self.keep:]:
            if str(path) not in spared:
                path.unlink(missing_ok=True)
                removed.append(path.name)
        return removed

    # --- activation ---

    def history(self) -> list[dict[str, Any]]:
        """Every activation, oldest first: {name, path, at, by, rollback}."""
        path = self._history_file()
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []

    def current(self) -> dict[str, Any] | None:
        history = self.history()
        return history[-1] if history else None

    def model_to_start_with(self, default: Path) -> Path:
        """What Rasa should load when it starts: the model activated last, unless `default` (the
        folder `make train` writes to) holds a model built after that activation."""
        current = self.current()
        if current is None or not Path(current["path"]).is_file():
            return default
        built = [p.stat().st_mtime for p in default.glob("*.tar.gz")] if default.is_dir() else []
        activated = datetime.fromisoformat(current["at"]).timestamp()
        return Path(current["path"]) if not built or max(built) < activated else default

    def activate(self, name: str, actor: str, rasa: RasaAdmin) -> dict[str, Any]:
        return self._switch(self.path_of(name), actor, rasa, rollback=False)

    def rollback(self, actor: str, rasa: RasaAdmin) -> dict[str, Any]:
        """Serve again the model that served before the current one."""
        history = self.history()
        earlier = [entry for entry in history[:-1] if Path(entry["path"]).is_file()
                   and entry["path"] != (history[-1]["path"] if history else None)]
        if not earlier:
            raise ModelError("没有可以回滚的上一个模型")
        return self._switch(Path(earlier[-1]["path"]), actor, rasa, rollback=True)

    def _switch(self, model: Path, actor: str, rasa: RasaAdmin, *, rollback: bool) -> dict[str, Any]:
        before = rasa.serving_model()
        history = self.history()
        if not history and before:  # remember what served before the workbench first changed it
            history.append({"name": Path(before).name, "path": self.serving_path(before), "at": jobs.now_iso(),
                            "by": None, "rollback": False})
        try:
            rasa.load(model)
            serving = rasa.serving_model()
        except ModelError:
            self._restore(rasa, before)
            raise
        if serving is None or Path(serving).name != model.name:
            self._restore(rasa, before)
            raise ModelError(f"Rasa 加载后报告的模型是 {serving}，不是 {model.name}；已恢复原模型")
        history.append({"name": model.name, "path": str(model), "at": jobs.now_iso(), "by": actor, "rollback": rollback})
        self._history_file().parent.mkdir(parents=True, exist_ok=True)
        self._history_file().write_text(json.dumps(history, ensure_ascii=False, indent=1), encoding="utf-8")
        return {"serving": model.name, "previous": Path(before).name if before else None, "rollback": rollback}

    def _restore(self, rasa: RasaAdmin, before: str | None) -> None:
        """Put the previous model back if Rasa no longer serves it (best effort: the old one usually stays)."""
        try:
            if before and rasa.serving_model() != before:
                rasa.load(Path(self.serving_path(before)))
        except ModelError:
            pass

    def serving_path(self, serving: str) -> str:
        """Rasa's /status names only the file: it is one of the workbench's, or one `make train`
        wrote (models/ of the workspace or of this repository, where Rasa is started from)."""
        for folder in (self.ws.models_dir, self.ws.root / "models", REPO_ROOT / "models"):
            if (folder / Path(serving).name).is_file():
                return str(folder / Path(serving).name)
        return serving

    def _history_file(self) -> Path:
        return self.ws.models_dir / "active.json"

    def _files(self) -> list[Path]:
        if not self.ws.models_dir.is_dir():
            return []
        return sorted(self.ws.models_dir.glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)


def _trained_components(config: Path) -> int:
    """How many components print epochs while training (DIET, ResponseSelector, TED...)."""
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    parts = (data.get("pipeline") or []) + (data.get("policies") or [])
    return max(1, sum(1 for part in parts if isinstance(part, dict) and "epochs" in part))


def _reason(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message", response.status_code))[:300]
    except ValueError:
        return str(response.status_code)


def _mtime(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, now_in_bank_tz().tzinfo).isoformat(timespec="seconds")
