"""The contact log: one row per conversation, kept as regulation asks.

Two writers share a row: the action server (log_contact: intents its tracker saw, the outcome,
whether the cardholder was verified) and the event consumer (apply_event_figures: times, turns and
the intents' order from Rasa's events). Each merges into what is there and never takes anything
away, so neither undoes the other whichever writes first.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.data.models import ContactLog, utcnow
from bot.events.figures import ConversationFigures, merged_intents
from bot.events.inserts import insert_if_absent

# A conversation's outcome is the most consequential thing that happened in it.
OUTCOME_RANK: tuple[str, ...] = (
    "open", "informed", "not_cardholder", "verification_failed", "declined", "case_opened",
    "promise_recorded", "plan_booked", "complaint", "handoff",
)


def log_contact(
    session: Session, conversation_id: str, *, channel: str, verified: bool, cardholder_id: int | None,
    intents: list[str], outcome: str,
) -> ContactLog:
    """Create or update the conversation's entry; intents are kept in order, without repeats."""
    entry = open_entry(session, conversation_id, channel=channel)
    entry.verified = entry.verified or verified
    entry.cardholder_id = cardholder_id or entry.cardholder_id
    entry.intents = list(dict.fromkeys([*entry.intents, *intents]))
    entry.outcome = max(entry.outcome or "open", outcome, key=_rank)
    entry.updated_at = utcnow()
    session.flush()
    return entry


def open_entry(session: Session, conversation_id: str, *, channel: str, at: datetime | None = None) -> ContactLog:
    """The conversation's entry, created if missing, locked for this transaction (PostgreSQL; SQLite
    has one writer at a time): the consumer and an action updating it at once do not lose a change."""
    moment = at or utcnow()
    insert_if_absent(session, ContactLog.__table__, {
        "conversation_id": conversation_id, "channel": channel, "started_at": moment, "updated_at": moment,
        "verified": False, "intents": [], "outcome": "open",
    }, unique=["conversation_id"])
    return session.scalars(select(ContactLog).where(ContactLog.conversation_id == conversation_id)
                           .with_for_update().execution_options(populate_existing=True)).one()


def existing_entry(session: Session, conversation_id: str) -> ContactLog | None:
    """The conversation's entry if there is one, locked like open_entry's."""
    return session.scalars(select(ContactLog).where(ContactLog.conversation_id == conversation_id)
                           .with_for_update().execution_options(populate_existing=True)).one_or_none()


def apply_event_figures(entry: ContactLog, figures: ConversationFigures) -> None:
    """The events' figures replace the derived columns (they are recomputed from every event); the
    start only moves earlier and the last update only later; intents from events come first, in
    time order, then those only the actions saw; outcome, verification and notes stay the actions'."""
    entry.first_event_at = figures.first_event_at
    entry.last_event_at = figures.last_event_at
    entry.user_turns = figures.user_turns
    entry.intents = merged_intents(figures.intents, entry.intents or [])
    entry.started_at = min(as_utc(entry.started_at), figures.first_event_at)
    entry.updated_at = max(as_utc(entry.updated_at), figures.last_event_at)


def _rank(outcome: str) -> int:
    return OUTCOME_RANK.index(outcome) if outcome in OUTCOME_RANK else 0
