"""Rasa's SQL tracker store, keeping no verification answer: `tracker_store.type` in endpoints.yml.

Before a turn is saved (and streamed to an event broker), the cardholder's message that
answered the identity questions and the identity slots it set are masked in the tracker's own
events (bot.domain.redaction decides which). Rasa saves once at the end of a turn and reads
the tracker back at the next one, so the digits live only in memory for the turn that checks
them; the card digits wait for the ID digits in the bank's database, not in a slot.
"""
from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.domain.redaction import MASK, SECRET_SLOTS, redact_event, secret_turns


def redact_last_turn(tracker: DialogueStateTracker) -> None:
    """Mask the verification digits of the tracker's last turn, in place (earlier turns were
    masked when they were saved)."""
    events = list(tracker.events)
    start = max((i for i, e in enumerate(events) if isinstance(e, UserUttered)), default=0)
    turn = events[start:]
    secret = secret_turns([event.as_dict() for event in turn])
    for index, event in enumerate(turn):
        if index in secret and isinstance(event, UserUttered):
            _mask_user(event)
        elif isinstance(event, SlotSet) and event.key in SECRET_SLOTS and event.value not in (None, ""):
            event.value = MASK


def _mask_user(event: UserUttered) -> None:
    masked: dict[str, Any] = redact_event(event.as_dict())
    event.text = masked["text"]
    event.parse_data = masked["parse_data"]
    event.entities = list(masked["parse_data"].get("entities") or [])


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that masks verification answers before they are written or streamed."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        redact_last_turn(tracker)
        await super().save(tracker)
