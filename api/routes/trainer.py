"""The trainers' workbench: review conversations, fix and add examples, check, evaluate, train,
activate and roll back. Every route needs the trainer role; none of them reads bank records.
"""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from sqlalchemy.engine import Engine

from api import schemas
from api.core.errors import ApiError
from api.deps import get_unit, require_trainer
from api.routes.params import ConversationId, DateFrom, DateTo, ImportId, JobId, ModelName, PictureName
from api.services.outbox import Unit
from api.services.workbench import MAX_IMPORT_BYTES, date_range, get_bench, get_tracker
from bot.data.models import AgentAccount
from bot.services import trainer_desk, training_records
from bot.services.trainer_desk import Bench

router = APIRouter(prefix="/api/trainer", tags=["trainer workbench"], responses=schemas.ERROR_RESPONSES)
Trainer = Depends(require_trainer)
Work = Depends(get_unit)
Workbench = Depends(get_bench)
Tracker = Depends(get_tracker)


@router.get("/conversations")
def conversations(
    date_from: DateFrom = None, date_to: DateTo = None,
    intent: Optional[str] = Query(None, max_length=64), max_confidence: Optional[float] = Query(None, ge=0, le=1),
    fallback: Optional[bool] = None, handed_off: Optional[bool] = None,
    outcome: Optional[str] = Query(None, max_length=32), unreviewed: bool = False,
    flagged: Optional[bool] = None, q: Optional[str] = Query(None, max_length=100),
    limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=1_000_000),
    trainer: AgentAccount = Trainer, unit: Unit = Work, tracker: Engine = Tracker,
) -> dict:
    date_from, date_to = date_range(date_from, date_to)  # the last 30 days unless asked otherwise
    filters = dict(date_from=date_from, date_to=date_to, intent=intent, max_confidence=max_confidence,
                   fallback=fallback, handed_off=handed_off, outcome=outcome, unreviewed=unreviewed,
                   flagged=flagged, q=q, limit=limit, offset=offset)
    return trainer_desk.conversations(unit.session, tracker, filters)


@router.get("/conversations/{conversation_id}")
def conversation(conversation_id: ConversationId, trainer: AgentAccount = Trainer, unit: Unit = Work,
                 tracker: Engine = Tracker) -> dict:
    return trainer_desk.conversation(unit.session, tracker, conversation_id)


@router.post("/conversations/{conversation_id}/mark")
def mark(conversation_id: ConversationId, body: schemas.MarkIn, trainer: AgentAccount = Trainer,
         unit: Unit = Work) -> dict:
    return trainer_desk.mark(unit.session, trainer.username, conversation_id, body.flagged, body.tags, body.reviewed)


@router.post("/conversations/{conversation_id}/test-story")
def save_test_story(conversation_id: ConversationId, trainer: AgentAccount = Trainer, unit: Unit = Work,
                    tracker: Engine = Tracker, bench: Bench = Workbench) -> dict:
    return trainer_desk.save_test_story(unit.session, tracker, bench, trainer.username, conversation_id)


@router.get("/intents")
def intents(trainer: AgentAccount = Trainer, bench: Bench = Workbench) -> dict:
    return trainer_desk.intents(bench)


@router.post("/examples/preview")
def preview_example(body: schemas.ExampleIn, trainer: AgentAccount = Trainer, bench: Bench = Workbench) -> dict:
    """The diff adding this example would make; nothing is written."""
    return trainer_desk.example_change(bench, body.text, body.intent, [e.dict() for e in body.entities], apply=False)


@router.post("/examples")
def add_example(body: schemas.ExampleIn, trainer: AgentAccount = Trainer, unit: Unit = Work,
                bench: Bench = Workbench) -> dict:
    return trainer_desk.example_change(bench, body.text, body.intent, [e.dict() for e in body.entities], apply=True,
                                       session=unit.session, actor=trainer.username, import_id=body.import_id)


@router.post("/imports")
async def import_file(request: Request, filename: str = Query("import.csv", max_length=200),
                      trainer: AgentAccount = Trainer, unit: Unit = Work, bench: Bench = Workbench) -> dict:
    """The file is the request body as it is (CSV, or JSON lines when named .jsonl)."""
    content = bytearray()
    async for chunk in request.stream():
        content += chunk
        if len(content) > MAX_IMPORT_BYTES:
            raise ApiError("message_too_long")
    return trainer_desk.import_file(unit.session, bench, trainer.username, filename, bytes(content))


@router.post("/imports/handoffs")
def import_handoffs(trainer: AgentAccount = Trainer, unit: Unit = Work) -> dict:
    return training_records.import_handoffs(unit.session, trainer.username).as_dict()


@router.get("/imports")
def imports(batch: Optional[str] = Query(None, max_length=64), status: Optional[str] = Query(None, max_length=16),
            trainer: AgentAccount = Trainer, unit: Unit = Work) -> dict:
    return {"items": training_records.imports(unit.session, batch=batch, status=status)}


@router.post("/imports/{item_id}/ignore")
def ignore_import(item_id: ImportId, trainer: AgentAccount = Trainer, unit: Unit = Work) -> dict:
    return trainer_desk.ignore_import(unit.session, trainer.username, item_id)


@router.get("/checks")
def checks(with_rasa: bool = True, trainer: AgentAccount = Trainer, bench: Bench = Workbench) -> dict:
    return trainer_desk.checks(bench, with_rasa)


@router.post("/evaluations")
def start_evaluation(body: schemas.EvaluationIn, trainer: AgentAccount = Trainer, unit: Unit = Work,
                     bench: Bench = Workbench) -> dict:
    return trainer_desk.start_evaluation(unit.session, bench, trainer.username, body.model,
                                         body.cross_validation_folds)


@router.get("/evaluations/{job_id}")
def evaluation(job_id: JobId, trainer: AgentAccount = Trainer, bench: Bench = Workbench) -> dict:
    return bench.evaluator.result(job_id)


@router.get("/evaluations/{job_id}/pictures/{name}.png", response_class=FileResponse)
def evaluation_picture(job_id: JobId, name: PictureName, trainer: AgentAccount = Trainer,
                       bench: Bench = Workbench) -> FileResponse:
    return FileResponse(bench.evaluator.picture(job_id, name), media_type="image/png")


@router.post("/training")
def start_training(trainer: AgentAccount = Trainer, unit: Unit = Work, bench: Bench = Workbench) -> dict:
    return trainer_desk.start_training(unit.session, bench, trainer.username)


@router.get("/training/{job_id}")
def training(job_id: JobId, trainer: AgentAccount = Trainer, bench: Bench = Workbench) -> dict:
    return trainer_desk.training(bench, job_id)


@router.get("/models")
def models(trainer: AgentAccount = Trainer, bench: Bench = Workbench) -> dict:
    return trainer_desk.models(bench)


@router.post("/models/rollback")
def rollback(trainer: AgentAccount = Trainer, unit: Unit = Work, bench: Bench = Workbench) -> dict:
    return trainer_desk.rollback(unit.session, bench, trainer.username)


@router.post("/models/{name}/activate")
def activate(name: ModelName, trainer: AgentAccount = Trainer, unit: Unit = Work, bench: Bench = Workbench) -> dict:
    return trainer_desk.activate(unit.session, bench, trainer.username, name)


@router.get("/audit")
def audit(limit: int = Query(100, ge=1, le=500), trainer: AgentAccount = Trainer, unit: Unit = Work) -> dict:
    return {"items": training_records.audit_log(unit.session, limit=limit)}
