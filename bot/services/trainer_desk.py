"""Every trainer action, the same for the web workbench and the command line.

Each function takes what it needs (the bank-database session for records and the audit log,
the tracker store for conversations, the workspace's files, models and Rasa's admin API) and
returns plain dicts. Whatever changes the data or the serving model is written to the audit
log under the trainer's name, in the same transaction as the record that goes with it.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.clock import bank_today
from bot.domain import labels
from bot.services import conversation_review, training_records
from bot.training import checks as data_checks
from bot.training import nlu_files
from bot.training.evaluation import Evaluator
from bot.training.nlu_files import Entity
from bot.training.registry import ModelError, ModelRegistry, RasaAdmin
from bot.training.stories import categorical_slots, save_story, story_steps
from bot.training.workspace import Workspace


@dataclass
class Bench:
    """One project's workbench: its files, its models, its evaluations and the Rasa it serves on."""

    workspace: Workspace
    rasa: RasaAdmin

    @cached_property
    def registry(self) -> ModelRegistry:
        return ModelRegistry(self.workspace)

    @cached_property
    def evaluator(self) -> Evaluator:
        return Evaluator(self.workspace)


# --- conversations -------------------------------------------------------------------------------

def conversations(session: Session, tracker: Engine, filters: Mapping[str, Any]) -> dict[str, Any]:
    with _reading_tracker():
        page = conversation_review.list_conversations(tracker, session, {k: v for k, v in filters.items()
                                                                         if k != "flagged"})
    items = [item for item in page if filters.get("flagged") is None or item["flagged"] == filters["flagged"]]
    return {"items": items, "total": page.total}


def conversation(session: Session, tracker: Engine, conversation_id: str) -> dict[str, Any]:
    with _reading_tracker():
        return conversation_review.conversation_detail(tracker, session, conversation_id)


@contextmanager
def _reading_tracker() -> Iterator[None]:
    """A tracker store that cannot be read is said so, without its URL (it may hold a password)."""
    try:
        yield
    except SQLAlchemyError as error:
        raise conversation_review.TrackerUnavailable(
            f"无法读取对话记录库（{error.__class__.__name__}），请检查 TRACKER_STORE_URL") from None


def mark(session: Session, actor: str, conversation_id: str, flagged: bool | None = None,
         tags: Sequence[str] | None = None, reviewed: bool | None = None) -> dict[str, Any]:
    return training_records.set_mark(session, conversation_id, actor, flagged=flagged, tags=tags, reviewed=reviewed)


def save_test_story(session: Session, tracker: Engine, bench: Bench, actor: str, conversation_id: str) -> dict[str, Any]:
    """The conversation, masked, as a test story in tests/conversations/ (Rasa's test-story format)."""
    slots = categorical_slots(bench.workspace.domain)
    events = conversation_review.story_events(tracker, conversation_id, keep_slots=slots)
    steps = story_steps(events, slots)
    path = save_story(bench.workspace.conversation_tests, bank_today().isoformat(), conversation_id, steps)
    relative = path.relative_to(bench.workspace.root).as_posix()
    training_records.record(session, actor, "save_test", conversation_id, {"file": relative, "steps": len(steps)})
    return {"file": relative, "steps": len(steps)}


# --- examples ------------------------------------------------------------------------------------

def intents(bench: Bench) -> dict[str, Any]:
    counts = nlu_files.intents(bench.workspace.nlu_dir)
    return {"intents": [{"name": name, "label": labels.intent_label(name.split("/")[0]), "examples": count}
                        for name, count in sorted(counts.items())]}


def example_change(bench: Bench, text: str, intent: str, entities: Sequence[Mapping[str, Any]] = (), *,
                   apply: bool, session: Session | None = None, actor: str | None = None,
                   import_id: int | None = None) -> dict[str, Any]:
    """The diff that makes `text` an example of `intent` (moved from another intent if one holds it);
    written and audited when `apply`."""
    spans = [Entity(int(e["start"]), int(e["end"]), str(e["entity"]), e.get("value")) for e in entities]
    changes = nlu_files.plan_example(bench.workspace.root, bench.workspace.nlu_dir, text, intent, spans)
    moved_from = sorted({e.intent for e in nlu_files.examples(bench.workspace.nlu_dir)
                         if e.text == nlu_files.plain_text(text.strip()) and e.intent != intent})
    result = {"changes": [{"file": c.name, "diff": c.diff} for c in changes], "moved_from": moved_from,
              "applied": False}
    if apply:
        if session is None or actor is None:
            raise ValueError("applying a change needs a session and an actor for the audit log")
        if import_id is not None:
            training_records.update_import(session, import_id, actor, annotated_intent=intent, status="added")
        nlu_files.apply_all(changes)
        action = "correct_example" if moved_from else "add_example"
        training_records.record(session, actor, action, intent, {
            "text": text, "moved_from": moved_from, "diff": "\n".join(c.diff for c in changes)})
        result["applied"] = True
    return result


def ignore_import(session: Session, actor: str, import_id: int) -> dict[str, Any]:
    return training_records.update_import(session, import_id, actor, status="ignored")


def import_file(session: Session, bench: Bench, actor: str, filename: str, content: bytes) -> dict[str, Any]:
    known = nlu_files.intents(bench.workspace.nlu_dir)
    return training_records.import_file(session, content, actor, filename=filename, known_intents=known).as_dict()


# --- checks, evaluation, models -------------------------------------------------------------------

def checks(bench: Bench, with_rasa: bool = True) -> dict[str, Any]:
    findings = data_checks.run_checks(bench.workspace, with_rasa=with_rasa)
    counts = {level: sum(1 for f in findings if f.level == level) for level in data_checks.LEVELS}
    return {"findings": [f.as_dict() for f in findings], "counts": counts, "ok": counts["error"] == 0}


def start_evaluation(session: Session, bench: Bench, actor: str, model: str | None = None,
                     folds: int | None = None) -> dict[str, Any]:
    """Evaluate a workbench model (the newest by default) beside the model Rasa serves now."""
    path = bench.registry.path_of(model) if model else bench.registry.newest()
    if path is None:
        raise ModelError("还没有在工作台训练过模型")
    job = bench.evaluator.start(actor, path, serving_model_path(bench), folds)
    training_records.record(session, actor, "evaluate", path.name, {"job": job.id, "folds": folds})
    return job.as_dict()


def serving_model_path(bench: Bench) -> Path | None:
    """The model file Rasa serves now, when it is one this workspace holds (None if Rasa is down)."""
    try:
        name = bench.rasa.serving_model()
    except ModelError:
        return None
    if not name:
        return None
    path = Path(bench.registry.serving_path(name))
    return path if path.is_file() else None


def start_training(session: Session, bench: Bench, actor: str) -> dict[str, Any]:
    job = bench.registry.start_training(actor)
    training_records.record(session, actor, "train", job.params["model"], {"job": job.id})
    return job.as_dict()


def training(bench: Bench, job_id: str) -> dict[str, Any]:
    return bench.registry.jobs.report(job_id)


def models(bench: Bench) -> dict[str, Any]:
    try:
        serving, rasa_error = bench.rasa.serving_model(), None
    except ModelError as error:
        serving, rasa_error = None, str(error)
    jobs = [job.as_dict() for job in bench.registry.jobs.all()[:10]]
    return {"models": bench.registry.models(), "serving": serving, "rasa_error": rasa_error,
            "history": list(reversed(bench.registry.history()))[:20], "trainings": jobs}


def activate(session: Session, bench: Bench, actor: str, name: str) -> dict[str, Any]:
    result = bench.registry.activate(name, actor, bench.rasa)
    training_records.record(session, actor, "activate", name, result)
    return result


def rollback(session: Session, bench: Bench, actor: str) -> dict[str, Any]:
    result = bench.registry.rollback(actor, bench.rasa)
    training_records.record(session, actor, "rollback", result["serving"], result)
    return result

