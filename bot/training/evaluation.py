"""Evaluating a model before it goes live: `rasa test nlu` on the held-out file (or k-fold
cross-validation on the data), scored per intent, beside the model Rasa serves now.

Each model's held-out run is kept under runs_dir/<model>-<held-out hash>/, so the serving
model is scored once, not before every comparison. The pictures (confusion matrix, confidence
histogram) are the ones `rasa test nlu` draws.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from bot.training import jobs, metrics
from bot.training.nlu_files import TrainingDataError
from bot.training.workspace import Workspace, rasa_bin

PICTURES = ("intent_confusion_matrix", "intent_histogram", "DIETClassifier_confusion_matrix",
            "DIETClassifier_histogram", "response_selection_confusion_matrix", "response_selection_histogram")
PICTURE_LABELS = {"intent_confusion_matrix": "意图混淆矩阵", "intent_histogram": "意图置信度分布",
                  "DIETClassifier_confusion_matrix": "实体混淆矩阵", "DIETClassifier_histogram": "实体置信度分布",
                  "response_selection_confusion_matrix": "子意图混淆矩阵",
                  "response_selection_histogram": "子意图置信度分布"}


class EvaluationError(TrainingDataError):
    code = "evaluation_error"


class Evaluator:
    """Starts evaluations of one workspace and reads their results."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.jobs = jobs.JobStore(ws.runs_dir / "jobs")

    def start(self, actor: str, model: Path, serving: Path | None, folds: int | None = None) -> jobs.Job:
        """Score `model` on the held-out file (and `serving` beside it, unless already scored);
        with `folds`, cross-validate the workspace's data instead (trains `folds` models)."""
        if not self.ws.heldout.is_file() and not folds:
            raise EvaluationError("工作区没有留出测试集 tests/nlu_heldout.yml")
        job = jobs.Job(jobs.new_job_id("eval"), "evaluation", actor, jobs.now_iso(),
                       params={"model": model.name, "serving": serving.name if serving else None, "folds": folds})
        steps = []
        if folds:
            out = self.ws.runs_dir / job.id
            steps.append(("交叉验证", [rasa_bin(), "test", "nlu", "--nlu", str(self.ws.nlu_dir), "--config",
                                     str(self.ws.config), "--cross-validation", "--folds", str(folds),
                                     "--out", str(out), "--successes"]))
        else:
            for label, path in (("评估新模型", model), ("评估线上模型", serving)):
                if path is not None and path.is_file() and not self._done(path):
                    steps.append((label, self._heldout_command(path)))

        def finish(done: jobs.Job) -> dict:
            return self._result(done, model, serving, folds)

        return jobs.start(self.jobs, job, steps, self.ws.root, finish, parallel=True)

    def result(self, job_id: str) -> dict[str, Any]:
        return self.jobs.report(job_id)

    def picture(self, job_id: str, name: str) -> Path:
        """A picture `rasa test nlu` drew for the job's model."""
        job = self.jobs.load(job_id)
        folder = Path(job.result.get("folder") or "/nonexistent")
        path = folder / f"{name}.png"
        if name not in PICTURES or not path.is_file():
            raise EvaluationError(f"评估 {job_id} 没有图片 {name}")
        return path

    # --- running ---

    def _folder(self, model: Path) -> Path:
        return self.ws.runs_dir / f"{model.name.removesuffix('.tar.gz')}-{_digest(model, self.ws.heldout)}"

    def _done(self, model: Path) -> bool:
        return (self._folder(model) / "intent_report.json").is_file()

    def _heldout_command(self, model: Path) -> list[str]:
        folder = self._folder(model)
        shutil.rmtree(folder, ignore_errors=True)
        return [rasa_bin(), "test", "nlu", "--model", str(model), "--nlu", str(self.ws.heldout),
                "--out", str(folder), "--successes"]

    def _result(self, job: jobs.Job, model: Path, serving: Path | None, folds: int | None) -> dict[str, Any]:
        folder = self.ws.runs_dir / job.id if folds else self._folder(model)
        candidate = _scores(folder)
        result = {"folder": str(folder), **candidate, "pictures": _pictures(folder)}
        if not folds and serving is not None and serving.resolve() != model.resolve() and self._done(serving):
            before = metrics.predictions_from_rasa_report(self._folder(serving))
            after = metrics.predictions_from_rasa_report(folder)
            result["serving"] = {"model": serving.name, **_scores(self._folder(serving))}
            result["comparison"] = metrics.compare(before, after)
        return result


def _scores(folder: Path) -> dict[str, Any]:
    """Per-intent figures from the predictions (or Rasa's own report, e.g. after cross-validation)."""
    predictions = metrics.predictions_from_rasa_report(folder)
    if predictions:
        report = metrics.intent_report(predictions)
    else:
        report = _from_rasa_report(folder / "intent_report.json")
    return {"intent": report, "entities": metrics.entity_figures(folder)}


def _from_rasa_report(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise EvaluationError("rasa test nlu 没有写出 intent_report.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    per_intent = {name: {"precision": round(v["precision"], 4), "recall": round(v["recall"], 4),
                         "f1": round(v["f1-score"], 4), "support": int(v["support"])}
                  for name, v in raw.items() if isinstance(v, dict) and "support" in v and not name.endswith(" avg")}
    return {"accuracy": round(float(raw.get("accuracy", 0.0)), 4),
            "macro_f1": round(float(raw.get("macro avg", {}).get("f1-score", 0.0)), 4),
            "weighted_f1": round(float(raw.get("weighted avg", {}).get("f1-score", 0.0)), 4),
            "messages": sum(v["support"] for v in per_intent.values()), "intents": per_intent}


def _pictures(folder: Path) -> list[dict[str, str]]:
    return [{"name": name, "label": PICTURE_LABELS[name]} for name in PICTURES if (folder / f"{name}.png").is_file()]


def _digest(model: Path, heldout: Path) -> str:
    """Same model file and same held-out file: same scores. Size and time identify a model file."""
    stat = model.stat()
    key = f"{model.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:".encode() + heldout.read_bytes()
    return hashlib.sha1(key).hexdigest()[:10]
