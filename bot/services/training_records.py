"""The trainers' records in the bank database: marks on conversations, the audit log, imported messages.

Everything stored here is what a trainer may see: no bank data, and free text masked with
bot.log_redaction.redact (card, ID and phone numbers, tokens) before it is written. Every change
a trainer makes to what the assistant understands is written to the audit log with their name.
"""
from __future__ import annotations

import csv
import io
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Collection, Iterable, Iterator, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import as_utc, now_in_bank_tz
from bot.data.models import AgentAccount, ChatMessage, HandoffRequest, ImportedMessage, ReviewMark, TrainingAuditEntry, utcnow
from bot.log_redaction import redact
from bot.services.errors import ExplainedError
from bot.settings import BANK_TIMEZONE

AUDIT_ACTIONS: dict[str, str] = {
    "add_example": "新增训练样例", "correct_example": "更正样例意图", "flag": "标记对话", "tag": "给对话加标签",
    "review": "审阅对话", "save_test": "保存为测试对话", "import": "导入语料", "train": "训练模型",
    "activate": "上线模型", "rollback": "回滚模型", "evaluate": "评估模型",
}
IMPORT_SOURCES: dict[str, str] = {"file": "文件导入", "handoff": "转人工对话"}
IMPORT_STATUSES: dict[str, str] = {"new": "待处理", "added": "已加入训练数据", "ignored": "已忽略"}
MAX_TAGS = 10
MAX_TAG_CHARS = 20
MAX_IMPORT_ROWS = 5000
MAX_TEXT_CHARS = 500
TEXT_COLUMN = "text"
LABEL_COLUMNS = ("label", "intent")
INTENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:/[A-Za-z0-9_]+)?$")
_CHUNK = 500


class TrainingRecordError(ExplainedError):
    """A trainer's request cannot be recorded as asked; the message says why, in Chinese."""

    code = "invalid_training_record"


class InvalidMark(TrainingRecordError):
    code = "invalid_mark"


class ImportNotFound(TrainingRecordError):
    code = "import_not_found"


# --- marks ---------------------------------------------------------------------------------------

def mark_of(session: Session, conversation_id: str) -> dict[str, Any]:
    """The trainer's mark on one conversation (unmarked when nobody marked it yet)."""
    return marks_for(session, [conversation_id])[conversation_id]


def marks_for(session: Session, conversation_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Marks of many conversations in one go (the list shows a page of them)."""
    found = {cid: _mark_dict(cid, None, None) for cid in conversation_ids}
    for chunk in chunks(list(found)):
        rows = session.execute(select(ReviewMark, AgentAccount.username)
                               .outerjoin(AgentAccount, AgentAccount.id == ReviewMark.reviewed_by)
                               .where(ReviewMark.conversation_id.in_(chunk)))
        for mark, username in rows:
            found[mark.conversation_id] = _mark_dict(mark.conversation_id, mark, username)
    return found


def set_mark(session: Session, conversation_id: str, actor: str, *, flagged: bool | None = None,
             tags: Iterable[str] | None = None, reviewed: bool | None = None) -> dict[str, Any]:
    """Flag, tag or mark a conversation reviewed (None leaves that part as it is); each change audited.

    `actor` is the trainer's username; `reviewed_by` points at their console account when they have one
    (the command line may run as an operating-system user).
    """
    clean_tags = _clean_tags(tags) if tags is not None else None
    mark = session.scalar(select(ReviewMark).where(ReviewMark.conversation_id == conversation_id))
    if mark is None:
        mark = ReviewMark(conversation_id=conversation_id, flagged=False, tags=[], reviewed=False)
        session.add(mark)
    if flagged is not None and flagged != mark.flagged:
        mark.flagged = flagged
        record(session, actor, "flag", conversation_id, {"flagged": flagged})
    if clean_tags is not None and clean_tags != list(mark.tags or []):
        mark.tags = clean_tags
        record(session, actor, "tag", conversation_id, {"tags": clean_tags})
    if reviewed is not None and reviewed != mark.reviewed:
        mark.reviewed = reviewed
        mark.reviewed_by = _account_id(session, actor) if reviewed else None
        record(session, actor, "review", conversation_id, {"reviewed": reviewed})
    mark.updated_at = utcnow()
    session.flush()
    return mark_of(session, conversation_id)


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned = list(dict.fromkeys(str(tag).strip() for tag in tags if str(tag).strip()))
    if len(cleaned) > MAX_TAGS:
        raise InvalidMark(f"一个对话最多{MAX_TAGS}个标签")
    if any(len(tag) > MAX_TAG_CHARS for tag in cleaned):
        raise InvalidMark(f"每个标签最多{MAX_TAG_CHARS}个字")
    return [redact(tag) for tag in cleaned]


def _account_id(session: Session, username: str) -> int | None:
    return session.scalar(select(AgentAccount.id).where(AgentAccount.username == username))


def _mark_dict(conversation_id: str, mark: ReviewMark | None, reviewer: str | None) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "flagged": bool(mark and mark.flagged),
        "tags": list(mark.tags or []) if mark else [],
        "reviewed": bool(mark and mark.reviewed),
        "reviewed_by": reviewer,
        "updated_at": _iso(mark.updated_at) if mark else None,
    }


# --- the audit log -------------------------------------------------------------------------------

def record(session: Session, actor: str, action: str, target: str = "",
           detail: Mapping[str, Any] | None = None) -> TrainingAuditEntry:
    """Write one audit entry; every string in `detail` (a diff, a file name) is masked first."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = TrainingAuditEntry(actor=actor[:64], at=utcnow(), action=action, target=redact(target)[:255],
                               detail=_masked(dict(detail or {})))
    session.add(entry)
    session.flush()
    return entry


def audit_log(session: Session, *, action: str | None = None, actor: str | None = None, target: str | None = None,
              limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """The newest entries first, optionally of one action, actor or target."""
    query = select(TrainingAuditEntry).order_by(TrainingAuditEntry.at.desc(), TrainingAuditEntry.id.desc())
    if action:
        query = query.where(TrainingAuditEntry.action == action)
    if actor:
        query = query.where(TrainingAuditEntry.actor == actor)
    if target:
        query = query.where(TrainingAuditEntry.target == target)
    rows = session.scalars(query.limit(max(limit, 0)).offset(max(offset, 0)))
    return [{"id": e.id, "actor": e.actor, "at": _iso(e.at), "action": e.action,
             "action_label": AUDIT_ACTIONS.get(e.action, e.action), "target": e.target, "detail": e.detail}
            for e in rows]


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    return value


# --- imports -------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    """What an import did: how many new messages, how many already there, which rows were refused."""

    batch: str
    imported: int = 0
    skipped: int = 0  # already imported (here or in an earlier batch), or twice in this file
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"row": n, "message": 中文}

    def as_dict(self) -> dict[str, Any]:
        return {"batch": self.batch, "imported": self.imported, "skipped": self.skipped, "errors": self.errors}


@dataclass(frozen=True)
class _Row:
    number: int
    text: str
    label: str | None


def import_file(session: Session, data: bytes, actor: str, *, filename: str | None = None,
                known_intents: Collection[str] | None = None) -> ImportResult:
    """Import messages for labelling from CSV (header `text`, optional `label` or `intent`) or JSON
    lines ({"text": ..., "label": ...}), UTF-8 with or without BOM.

    A bad row is reported with its number (a CSV's header is row 1, a JSON-lines file counts its
    lines) and the others are imported: one mistake does not cost a trainer the whole file. A label
    must be an intent name (one of `known_intents` when given). Texts are masked before storing.
    """
    result = ImportResult(new_batch())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append({"row": 0, "message": "文件不是UTF-8编码，请另存为UTF-8后再导入"})
        return _finish_import(session, result, actor, "file", filename)
    parse = _json_rows if _looks_like_json_lines(text, filename) else _csv_rows
    rows: list[_Row] = []
    for count, row in enumerate(parse(text, result), start=1):
        if count > MAX_IMPORT_ROWS:
            result.errors.append({"row": row.number, "message": f"一次最多导入{MAX_IMPORT_ROWS}行，从这一行起未导入"})
            break
        if _valid(row, result, known_intents):
            rows.append(row)
    _store(session, rows, result, actor, "file")
    return _finish_import(session, result, actor, "file", filename)


def import_handoffs(session: Session, actor: str) -> ImportResult:
    """Import what cardholders wrote in conversations handed to a person: the bot did not serve
    them, so their words are the examples worth labelling. Verification answers are skipped, texts
    masked, and a message already imported is not imported again."""
    result = ImportResult(new_batch())
    query = (select(ChatMessage.id, ChatMessage.text)
             .where(ChatMessage.sender == "customer", ChatMessage.secret.is_(False),
                    ChatMessage.conversation_id.in_(select(HandoffRequest.conversation_id).scalar_subquery()))
             .order_by(ChatMessage.id))
    rows = [_Row(message_id, text.strip(), None) for message_id, text in session.execute(query)
            if text and text.strip() and len(text.strip()) <= MAX_TEXT_CHARS]
    _store(session, rows, result, actor, "handoff")
    return _finish_import(session, result, actor, "handoff", None)


def imports(session: Session, *, batch: str | None = None, status: str | None = None, limit: int = 200,
            offset: int = 0) -> list[dict[str, Any]]:
    """Imported messages, newest first, optionally of one batch or status."""
    query = select(ImportedMessage).order_by(ImportedMessage.id.desc())
    if batch:
        query = query.where(ImportedMessage.batch == batch)
    if status:
        query = query.where(ImportedMessage.status == status)
    return [_import_dict(m) for m in session.scalars(query.limit(max(limit, 0)).offset(max(offset, 0)))]


def update_import(session: Session, message_id: int, actor: str, *, annotated_intent: str | None = None,
                  entities: list[dict[str, Any]] | None = None, status: str | None = None) -> dict[str, Any]:
    """A trainer labels an imported message, or marks it added to the data or ignored."""
    message = session.get(ImportedMessage, message_id)
    if message is None:
        raise ImportNotFound(f"没有编号为{message_id}的导入语料")
    if annotated_intent is not None:
        if not INTENT_NAME.match(annotated_intent):
            raise TrainingRecordError(f"“{annotated_intent[:64]}”不是有效的意图名称")
        message.annotated_intent = annotated_intent
    if entities is not None:
        message.entities = _checked_entities(entities, message.text)
    if status is not None:
        if status not in IMPORT_STATUSES:
            raise TrainingRecordError("状态只能是：" + "、".join(IMPORT_STATUSES.values()))
        message.status = status
    session.flush()
    return _import_dict(message)


def new_batch() -> str:
    """A batch id a person can read and sort: the bank's time of the import and a random tail."""
    return f"{now_in_bank_tz():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def _looks_like_json_lines(text: str, filename: str | None) -> bool:
    name = (filename or "").lower()
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return True
    if name.endswith((".csv", ".txt")):
        return False
    return text.lstrip().startswith("{")


def _csv_rows(text: str, result: ImportResult) -> Iterator[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
    except csv.Error:
        header = []
    if TEXT_COLUMN not in header:
        result.errors.append({"row": 1, "message": "第一行应为表头，并包含 text 列（可选 label 或 intent 列）"})
        return
    text_at = header.index(TEXT_COLUMN)
    label_at = next((header.index(name) for name in LABEL_COLUMNS if name in header), None)
    number = 1
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            result.errors.append({"row": number, "message": "这一行的格式无法识别（引号不配对或含有非法字符），已停止读取"})
            return
        if not any(cell.strip() for cell in cells):
            continue
        yield _Row(number, _cell(cells, text_at), _cell(cells, label_at) or None)


def _json_rows(text: str, result: ImportResult) -> Iterator[_Row]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            result.errors.append({"row": number, "message": "这一行不是有效的JSON"})
            continue
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            result.errors.append({"row": number, "message": "每一行应为 {\"text\": \"...\", \"label\": \"...\"}"})
            continue
        label = item.get("label", item.get("intent"))
        if label is not None and not isinstance(label, str):
            result.errors.append({"row": number, "message": "label 应为意图名称（文字）"})
            continue
        yield _Row(number, item["text"], (label or "").strip() or None)


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _valid(row: _Row, result: ImportResult, known_intents: Collection[str] | None) -> bool:
    problem = _problem(row, known_intents)
    if problem is not None:
        result.errors.append({"row": row.number, "message": problem})
    return problem is None


def _problem(row: _Row, known_intents: Collection[str] | None) -> str | None:
    text = row.text.strip()
    if not text:
        return "这一行没有文本"
    if len(text) > MAX_TEXT_CHARS:
        return f"文本超过{MAX_TEXT_CHARS}个字"
    if row.label is not None and not INTENT_NAME.match(row.label):
        return "标签不是有效的意图名称"
    if row.label is not None and known_intents is not None and row.label.split("/")[0] not in known_intents:
        return "标签不是已有的意图"
    return None


def _store(session: Session, rows: list[_Row], result: ImportResult, actor: str, source: str) -> None:
    """Add the rows not yet imported (by masked text, in any batch); repeats count as skipped."""
    masked = [(redact(row.text.strip()), row.label) for row in rows]
    existing = _existing_texts(session, [text for text, _ in masked])
    for text, label in masked:
        if text in existing:
            result.skipped += 1
            continue
        existing.add(text)
        session.add(ImportedMessage(batch=result.batch, source=source, text=text, label=label, entities=[],
                                    created_by=actor[:64], created_at=utcnow(), status="new"))
        result.imported += 1
    session.flush()


def _existing_texts(session: Session, texts: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(list(dict.fromkeys(texts))):
        found.update(session.scalars(select(ImportedMessage.text).where(ImportedMessage.text.in_(chunk))))
    return found


def _finish_import(session: Session, result: ImportResult, actor: str, source: str, filename: str | None) -> ImportResult:
    detail = {"source": source, "imported": result.imported, "skipped": result.skipped, "errors": len(result.errors)}
    if filename:
        detail["filename"] = filename[:200]
    record(session, actor, "import", result.batch, detail)
    return result


def _checked_entities(entities: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    checked = []
    for entity in entities:
        start, end, name = entity.get("start"), entity.get("end"), entity.get("entity")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text) and name):
            raise TrainingRecordError("实体的位置或名称不正确")
        item = {"start": start, "end": end, "entity": str(name)}
        if entity.get("value") not in (None, ""):
            item["value"] = redact(str(entity["value"]))
        checked.append(item)
    return checked


def _import_dict(message: ImportedMessage) -> dict[str, Any]:
    return {
        "id": message.id, "batch": message.batch, "source": message.source,
        "source_label": IMPORT_SOURCES.get(message.source, message.source), "text": message.text,
        "label": message.label, "annotated_intent": message.annotated_intent, "entities": list(message.entities or []),
        "status": message.status, "status_label": IMPORT_STATUSES.get(message.status, message.status),
        "created_by": message.created_by, "created_at": _iso(message.created_at),
    }


def _iso(moment: datetime) -> str:
    return as_utc(moment).astimezone(BANK_TIMEZONE).isoformat(timespec="seconds")


def chunks(values: Sequence[str]) -> Iterator[list[str]]:
    """`values` in slices small enough for one SQL `IN (...)` on every supported database."""
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]
