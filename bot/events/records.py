"""An event as Rasa's broker publishes it, reduced to what the figures need and nothing a person wrote.

Pure functions: no database, no broker. A user event keeps its intent, never its text or entities;
a slot event keeps the slot's name, never its value.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

MAX_CONVERSATION_ID = 128
MAX_NAME = 128
_KIND = re.compile(r"^[a-z_]{1,32}$")


class MalformedEvent(ValueError):
    """A message that is not one of Rasa's events; `reason` is safe to log (it quotes nothing)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class EventRecord:
    """What is kept of one event; `key` is the same for every delivery of the same event."""

    key: str
    conversation_id: str
    kind: str
    name: str | None
    occurred_at: datetime


def parse_event(body: bytes) -> EventRecord:
    """The record of one broker message, or MalformedEvent when it cannot be one of Rasa's events."""
    try:
        event = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise MalformedEvent("not JSON") from None
    if not isinstance(event, dict):
        raise MalformedEvent("not a JSON object")
    conversation_id = event.get("sender_id")
    if not isinstance(conversation_id, str) or not conversation_id or len(conversation_id) > MAX_CONVERSATION_ID:
        raise MalformedEvent("no usable sender_id")
    kind = event.get("event")
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise MalformedEvent("no usable event type")
    timestamp = _timestamp(event.get("timestamp"))
    name = event_name(event)
    return EventRecord(
        key=idempotency_key(conversation_id, timestamp, kind, event),
        conversation_id=conversation_id,
        kind=kind,
        name=name[:MAX_NAME] if name else None,
        occurred_at=datetime.fromtimestamp(timestamp, timezone.utc),
    )


def event_name(event: dict[str, Any]) -> str | None:
    """The intent of a user event, the response template of a bot event, else the event's `name`
    (an action, a slot, a form); only names the domain defines, so no personal data."""
    kind = event.get("event")
    if kind == "user":
        intent = (_mapping(event.get("parse_data")).get("intent")) or {}
        return _text(_mapping(intent).get("name"))
    if kind == "bot":
        return _text(_mapping(event.get("metadata")).get("utter_action"))
    return _text(event.get("name"))


def idempotency_key(conversation_id: str, timestamp: float, kind: str, event: dict[str, Any]) -> str:
    """sha256 over the fields that tell one event from another: the conversation, the moment (as
    Rasa's float, exactly), the type, and the message id, name and response template when present.
    A redelivery, or Rasa publishing the same event again, gives the same key; no text goes in."""
    metadata = _mapping(event.get("metadata"))
    parts = [conversation_id, repr(timestamp), kind, _text(event.get("message_id")) or "",
             _text(event.get("name")) or "", _text(metadata.get("utter_action")) or ""]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _timestamp(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise MalformedEvent("no usable timestamp")
    return float(value)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
