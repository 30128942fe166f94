"""What a conversation's stored events say, and how that joins what the action server wrote.

Pure functions over the whole set of a conversation's events, ordered by time (ties by key), so
the result does not depend on the order the events arrived in nor on how often.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Sequence

from bot.clock import as_utc

USER = "user"


@dataclass(frozen=True)
class StoredEvent:
    key: str
    kind: str
    name: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class ConversationFigures:
    first_event_at: datetime
    last_event_at: datetime
    user_turns: int
    intents: tuple[str, ...]  # in the order the cardholder expressed them, each once


def conversation_figures(events: Iterable[StoredEvent]) -> ConversationFigures | None:
    """The figures of a conversation's events; None without any event."""
    ordered = sorted(events, key=lambda e: (as_utc(e.occurred_at), e.key))
    if not ordered:
        return None
    users = [e for e in ordered if e.kind == USER]
    return ConversationFigures(
        first_event_at=as_utc(ordered[0].occurred_at),
        last_event_at=as_utc(ordered[-1].occurred_at),
        user_turns=len(users),
        intents=tuple(dict.fromkeys(e.name for e in users if e.name)),
    )


def merged_intents(from_events: Sequence[str], logged: Sequence[str]) -> list[str]:
    """The events' intents in their time order, then any the actions logged that no event showed.

    The contact log's intents only ever grow: actions append what their tracker saw, this puts the
    events' order first. Applying it again, or after more events, gives the same list for the same
    events, whichever arrived first.
    """
    return list(dict.fromkeys([*from_events, *logged]))
