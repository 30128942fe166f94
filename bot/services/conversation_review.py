"""Conversations as the trainer reviews them, read from Rasa's SQL tracker store.

The tracker store is Rasa's own database (`TRACKER_STORE_URL`), not the bank's: its `events`
table (sender_id, type_name, timestamp as epoch seconds, intent_name, action_name, data as the
event's JSON) is read here with SQLAlchemy core, never written. The bank database adds what the
tracker does not know: whether a person took the conversation over (handoff_requests), its
outcome (contact_log) and the trainer's marks (review_marks).

A trainer never sees bank data. What the cardholder typed is shown masked (the tracker store
already masks the verification digits; card, ID and phone numbers are masked here). The bot's
replies carry the cardholder's own figures (amounts owed, dates, reference numbers), so a bot
turn shows the response's name (e.g. utter_balance) and its text with every figure replaced
by "*". Slots show only their names, never their values; the metadata a channel attaches to a
message (which carries the verified customer id) is never shown.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any, Collection, Iterable, Iterator, Mapping, Sequence

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.data.models import ContactLog, HandoffRequest
from bot.domain import labels
from bot.domain.redaction import MASK, SECRET_SLOTS
from bot.log_redaction import redact
from bot.services.errors import ExplainedError, ServiceError
from bot.services.training_records import chunks, marks_for
from bot.settings import BANK_TIMEZONE

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_two_stage_fallback", "utter_default"})
# actions/handoff.py: action_handoff queues for a person; complaint, distress, hardship and
# personalized-installment actions queue too, which the bank's handoff_requests row records.
HANDOFF_ACTIONS = frozenset({"action_handoff"})
PAUSE_EVENT = "pause"
# Bookkeeping a trainer need not read; utter_* actions show as the bot's reply that follows them.
HIDDEN_ACTIONS = frozenset({"action_listen", "action_session_start", "action_extract_slots"})
RANKING_SIZE = 3
PREVIEW_CHARS = 40
EXTRA_OUTCOMES = {"open": "未结束", "handoff": "已转人工"}  # the contact log's own outcomes
_FIGURE = re.compile(r"[0-9０-９]+(?:[,.，．:：][0-9０-９]+)*")

_metadata = MetaData()
# The shape Rasa's SQLTrackerStore creates (rasa.core.tracker_store.SQLTrackerStore.SQLEvent).
EVENTS = Table(
    "events", _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


class ConversationNotFound(ServiceError):
    code = "conversation_not_found"


class TrackerUnavailable(ExplainedError):
    code = "tracker_unavailable"


@lru_cache(maxsize=8)
def tracker_engine(url: str) -> Engine:
    """One engine per tracker-store URL for the process (an engine is a connection pool)."""
    connect_args = {"check_same_thread": False} if url.startswith("sqlite") else {}
    pooling = {} if url.startswith("sqlite") else {"pool_pre_ping": True}
    return create_engine(url, future=True, hide_parameters=True, connect_args=connect_args, **pooling)


@dataclass(frozen=True)
class ReviewFilters:
    """What the trainer's conversation list is narrowed to; dates are the bank's (Asia/Shanghai)."""

    date_from: date | None = None
    date_to: date | None = None
    intent: str | None = None
    max_confidence: float | None = None
    fallback: bool | None = None
    handed_off: bool | None = None
    outcome: str | None = None
    unreviewed: bool = False
    q: str | None = None
    limit: int = 50
    offset: int = 0

    @classmethod
    def of(cls, filters: "ReviewFilters | Mapping[str, Any] | None") -> "ReviewFilters":
        """Filters from a mapping (query parameters, CLI options); unknown keys and None are ignored."""
        if filters is None or isinstance(filters, ReviewFilters):
            return filters or cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in filters.items() if k in known and v is not None})


@dataclass
class TrackerSummary:
    """One conversation of the tracker store, reduced to what the list and the dashboard need."""

    conversation_id: str
    started: datetime
    user_messages: int = 0
    fallback_messages: int = 0
    intents: list[str] = field(default_factory=list)
    min_confidence: float | None = None
    fallback: bool = False
    handoff_event: bool = False
    texts: list[str] = field(default_factory=list)  # masked


class ConversationPage(list):
    """A page of conversation items (a plain list) that also knows how many matched in all."""

    def __init__(self, items: Iterable[dict[str, Any]], total: int) -> None:
        super().__init__(items)
        self.total = total


def list_conversations(tracker_engine: Engine, session: Session,
                       filters: ReviewFilters | Mapping[str, Any] | None = None) -> ConversationPage:
    """The conversations a trainer looks for (misread, fallen back, handed off...), newest first.

    Returns the page's items; `.total` is how many matched before limit and offset.
    """
    wanted = ReviewFilters.of(filters)
    found = tracker_summaries(tracker_engine, wanted.date_from, wanted.date_to, intent=wanted.intent)
    ids = [s.conversation_id for s in found]
    handed = handed_off_ids(session, ids)
    outcomes = _outcomes(session, ids)
    marks = marks_for(session, ids)
    items = [_item(s, s.handoff_event or s.conversation_id in handed, outcomes.get(s.conversation_id),
                   marks[s.conversation_id]) for s in found]
    matched = [item for item, summary in zip(items, found) if _matches(item, summary, wanted)]
    start = max(wanted.offset, 0)
    return ConversationPage(matched[start:start + max(wanted.limit, 0)], len(matched))


def conversation_detail(tracker_engine: Engine, session: Session, conversation_id: str) -> dict[str, Any]:
    """Every turn of one conversation, masked, with what the model read and how sure it was."""
    events = _events_of(tracker_engine, conversation_id)
    if not events:
        raise ConversationNotFound(f"no conversation {conversation_id!r} in the tracker store")
    summary = _summarize(conversation_id, events)
    turns = list(_turns(events))
    handed = (summary.handoff_event or any(_is_handoff_reply(e) for e in events)
              or conversation_id in handed_off_ids(session, [conversation_id]))
    outcome = _outcomes(session, [conversation_id]).get(conversation_id)
    return {
        "conversation_id": conversation_id,
        "started_at": _iso(summary.started),
        "turns": turns,
        "intents": summary.intents,
        "min_confidence": summary.min_confidence,
        "fallback": summary.fallback,
        "handed_off": handed,
        "outcome": outcome,
        "outcome_label": outcome_label(outcome),
        "slots_set": sorted({name for turn in turns for name in turn["slots"]}),
        "mark": marks_for(session, [conversation_id])[conversation_id],
    }


def story_events(tracker_engine: Engine, conversation_id: str,
                 keep_slots: Collection[str] = ()) -> list[dict[str, Any]]:
    """The conversation's events in Rasa's JSON form, masked, for writing a test story from it.

    User texts are masked (card, ID, phone; verification answers were masked by the tracker
    store); bot texts have their figures replaced; slot values other than true/false/None
    become "****" except in `keep_slots` (categorical slots, whose values are choices, not
    personal data); channel metadata and button payloads are dropped.
    """
    events = _events_of(tracker_engine, conversation_id)
    if not events:
        raise ConversationNotFound(f"no conversation {conversation_id!r} in the tracker store")
    return [_masked_event(event, keep_slots) for event in events]


def tracker_summaries(engine: Engine, date_from: date | None, date_to: date | None, *,
                      intent: str | None = None) -> list[TrackerSummary]:
    """Conversations that started within the bank's dates (either end open), newest first."""
    if not _has_events(engine):
        return []
    started = func.min(EVENTS.c.timestamp)
    query = select(EVENTS.c.sender_id, started).group_by(EVENTS.c.sender_id)
    low, high = epoch_bounds(date_from, date_to)
    if low is not None:
        query = query.having(started >= low)
    if high is not None:
        query = query.having(started < high)
    if intent:
        query = query.where(EVENTS.c.sender_id.in_(
            select(EVENTS.c.sender_id).where(EVENTS.c.intent_name == intent).scalar_subquery()))
    with engine.connect() as connection:
        senders = [row[0] for row in connection.execute(query.order_by(started.desc(), EVENTS.c.sender_id))]
        by_sender = _summary_events(connection, senders)
    return [_summarize(sender, by_sender.get(sender, [])) for sender in senders]


def handed_off_ids(session: Session, conversation_ids: Sequence[str]) -> set[str]:
    """The conversations the bank queued for a person (whatever action asked for it)."""
    found: set[str] = set()
    for chunk in chunks(conversation_ids):
        found.update(session.scalars(select(HandoffRequest.conversation_id)
                                     .where(HandoffRequest.conversation_id.in_(chunk))))
    return found


def outcome_label(outcome: str | None) -> str | None:
    return None if outcome is None else labels.OUTCOMES.get(outcome, EXTRA_OUTCOMES.get(outcome, outcome))


def epoch_bounds(date_from: date | None, date_to: date | None) -> tuple[float | None, float | None]:
    """The bank's calendar days as epoch seconds: from the start of `date_from` to the end of `date_to`."""
    low = _day_start(date_from).timestamp() if date_from else None
    high = _day_start(date_to + timedelta(days=1)).timestamp() if date_to else None
    return low, high


def mask_bot_text(text: str) -> str:
    """A bot reply without the cardholder's figures: every number (amount, date, reference) is "*"."""
    return _FIGURE.sub("*", redact(text))


# --- reading the tracker store -------------------------------------------------------------------

def _has_events(engine: Engine) -> bool:
    """Rasa creates the table (and a SQLite file) on its first start; before that there is nothing
    to review. A store that exists but cannot be read raises: that is not "no conversations"."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return False
    return inspect(engine).has_table("events")


def _events_of(engine: Engine, conversation_id: str) -> list[dict[str, Any]]:
    if not _has_events(engine):
        return []
    query = select(EVENTS.c.data).where(EVENTS.c.sender_id == conversation_id).order_by(EVENTS.c.id)
    with engine.connect() as connection:
        return [_loads(row[0]) for row in connection.execute(query)]


def _summary_events(connection: Any, senders: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The user messages, actions and pauses of `senders` (what a summary needs), by sender."""
    by_sender: dict[str, list[dict[str, Any]]] = {}
    for chunk in chunks(senders):
        query = (select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.action_name, EVENTS.c.data)
                 .where(EVENTS.c.sender_id.in_(chunk), EVENTS.c.type_name.in_(("user", "action", PAUSE_EVENT)))
                 .order_by(EVENTS.c.id))
        for sender, type_name, timestamp, action, data in connection.execute(query):
            event = _loads(data) if type_name == "user" else {"event": type_name, "name": action}
            event.setdefault("timestamp", timestamp)
            by_sender.setdefault(sender, []).append(event)
    return by_sender


def _loads(data: str | None) -> dict[str, Any]:
    try:
        event = json.loads(data or "{}")
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


def _summarize(conversation_id: str, events: list[dict[str, Any]]) -> TrackerSummary:
    times = [e["timestamp"] for e in events if isinstance(e.get("timestamp"), (int, float))]
    summary = TrackerSummary(conversation_id, datetime.fromtimestamp(min(times) if times else 0, timezone.utc))
    for event in events:
        kind = event.get("event")
        if kind == "user":
            _add_user(summary, event)
        elif kind == "action" and event.get("name") in FALLBACK_ACTIONS:
            summary.fallback = True
        elif (kind == "action" and event.get("name") in HANDOFF_ACTIONS) or kind == PAUSE_EVENT:
            summary.handoff_event = True
    return summary


def _add_user(summary: TrackerSummary, event: dict[str, Any]) -> None:
    intent, confidence = _intent(event)
    summary.user_messages += 1
    if intent and intent not in summary.intents:
        summary.intents.append(intent)
    if confidence is not None:
        summary.min_confidence = confidence if summary.min_confidence is None else min(summary.min_confidence, confidence)
    if intent == FALLBACK_INTENT:
        summary.fallback, summary.fallback_messages = True, summary.fallback_messages + 1
    summary.texts.append(redact(str(event.get("text") or "")))


def _intent(event: Mapping[str, Any]) -> tuple[str | None, float | None]:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return intent.get("name"), round(float(confidence), 4) if isinstance(confidence, (int, float)) else None


def _is_handoff_reply(event: Mapping[str, Any]) -> bool:
    """The handoff action tells the gateway with a custom message {"handoff": {...}}."""
    custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
    return isinstance(custom, dict) and "handoff" in custom


# --- the list ------------------------------------------------------------------------------------

def _item(summary: TrackerSummary, handed_off: bool, outcome: str | None, mark: dict[str, Any]) -> dict[str, Any]:
    preview = next((text for text in summary.texts if text.strip()), "")
    return {
        "conversation_id": summary.conversation_id,
        "started_at": _iso(summary.started),
        "turns": summary.user_messages,
        "intents": summary.intents,
        "min_confidence": summary.min_confidence,
        "fallback": summary.fallback,
        "handed_off": handed_off,
        "outcome": outcome,
        "outcome_label": outcome_label(outcome),
        "flagged": mark["flagged"],
        "tags": mark["tags"],
        "reviewed": mark["reviewed"],
        "preview": preview[:PREVIEW_CHARS],
    }


def _matches(item: dict[str, Any], summary: TrackerSummary, wanted: ReviewFilters) -> bool:
    if wanted.max_confidence is not None and (item["min_confidence"] is None
                                              or item["min_confidence"] > wanted.max_confidence):
        return False
    if wanted.fallback is not None and item["fallback"] != wanted.fallback:
        return False
    if wanted.handed_off is not None and item["handed_off"] != wanted.handed_off:
        return False
    if wanted.outcome and item["outcome"] != wanted.outcome:
        return False
    if wanted.unreviewed and item["reviewed"]:
        return False
    return not wanted.q or any(wanted.q.strip().lower() in text.lower() for text in summary.texts)


def _outcomes(session: Session, conversation_ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in chunks(conversation_ids):
        found.update(session.execute(select(ContactLog.conversation_id, ContactLog.outcome)
                                     .where(ContactLog.conversation_id.in_(chunk))).all())
    return found


# --- the turns -----------------------------------------------------------------------------------

def _turns(events: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """User messages, bot replies and the actions that are not utterances, each with the slots it set."""
    turns: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "slot" and turns and event.get("name"):
            turns[-1]["slots"].append(str(event["name"]))
        turn = _turn(event, len(turns))
        if turn is not None:
            turns.append(turn)
    for turn in turns:
        turn["slots"] = list(dict.fromkeys(turn["slots"]))
    return iter(turns)


def _turn(event: dict[str, Any], index: int) -> dict[str, Any] | None:
    kind = event.get("event")
    if kind == "user":
        return _user_turn(event, index)
    if kind == "bot":
        name = (event.get("metadata") or {}).get("utter_action")
        return _blank(index, "bot", event, text=mask_bot_text(str(event.get("text") or "")), name=name,
                      fallback=name in FALLBACK_ACTIONS)
    name = event.get("name")
    if kind == "action" and name not in HIDDEN_ACTIONS and not str(name or "").startswith("utter_"):
        return _blank(index, "action", event, name=name, fallback=name in FALLBACK_ACTIONS)
    if kind == PAUSE_EVENT:
        return _blank(index, "action", event, name=PAUSE_EVENT)
    return None


def _user_turn(event: dict[str, Any], index: int) -> dict[str, Any]:
    raw = str(event.get("text") or "")
    text = redact(raw)
    parse = event.get("parse_data") or {}
    intent, confidence = _intent(event)
    ranking = [{"name": r.get("name"), "confidence": round(float(r.get("confidence") or 0), 4)}
               for r in (parse.get("intent_ranking") or [])[:RANKING_SIZE] if isinstance(r, dict)]
    entities = [_entity(e, keep_offsets=text == raw) for e in parse.get("entities") or [] if isinstance(e, dict)]
    return _blank(index, "user", event, text=text, intent=intent, confidence=confidence, entities=entities,
                  ranking=ranking, fallback=intent == FALLBACK_INTENT)


def _entity(entity: dict[str, Any], keep_offsets: bool) -> dict[str, Any]:
    """An entity as read; identity digits never shown, offsets dropped when masking moved the text."""
    name = str(entity.get("entity") or "")
    value = MASK if name in SECRET_SLOTS else redact(str(entity.get("value", "")))
    return {"entity": name, "value": value,
            "start": entity.get("start") if keep_offsets else None, "end": entity.get("end") if keep_offsets else None}


def _blank(index: int, kind: str, event: dict[str, Any], **values: Any) -> dict[str, Any]:
    turn = {"index": index, "kind": kind, "at": _iso_epoch(event.get("timestamp")), "text": None, "name": None,
            "intent": None, "confidence": None, "entities": [], "ranking": [], "fallback": False, "slots": []}
    turn.update(values)
    return turn


# --- masking events for test stories -------------------------------------------------------------

def _masked_event(event: dict[str, Any], keep_slots: Collection[str]) -> dict[str, Any]:
    kind = event.get("event")
    masked = {k: v for k, v in event.items() if k not in ("metadata", "input_channel")}
    if kind == "user":
        masked["text"] = redact(str(event.get("text") or ""))
        parse = dict(event.get("parse_data") or {})
        parse.pop("metadata", None)
        parse["text"] = masked["text"]
        parse["entities"] = [{**e, **_entity(e, keep_offsets=masked["text"] == event.get("text"))}
                             for e in parse.get("entities") or [] if isinstance(e, dict)]
        masked["parse_data"] = parse
    elif kind == "bot":
        masked["text"] = mask_bot_text(str(event.get("text") or ""))
        masked["data"] = {}
        masked["metadata"] = {"utter_action": (event.get("metadata") or {}).get("utter_action")}
    elif kind == "slot" and event.get("name") not in keep_slots and not isinstance(event.get("value"), (bool, type(None))):
        masked["value"] = MASK
    return masked


# --- time ----------------------------------------------------------------------------------------

def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, BANK_TIMEZONE)


def _iso(moment: datetime) -> str:
    return moment.astimezone(BANK_TIMEZONE).isoformat(timespec="seconds")


def _iso_epoch(timestamp: Any) -> str | None:
    return _iso(datetime.fromtimestamp(timestamp, timezone.utc)) if isinstance(timestamp, (int, float)) else None

