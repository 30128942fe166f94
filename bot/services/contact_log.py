"""The contact log: one row per conversation, kept as regulation asks."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.data.models import ContactLog, utcnow

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
    entry = session.scalar(select(ContactLog).where(ContactLog.conversation_id == conversation_id))
    if entry is None:
        entry = ContactLog(conversation_id=conversation_id, channel=channel, intents=[])
        session.add(entry)
    entry.verified = entry.verified or verified
    entry.cardholder_id = cardholder_id or entry.cardholder_id
    entry.intents = list(dict.fromkeys([*entry.intents, *intents]))
    entry.outcome = max(entry.outcome or "open", outcome, key=_rank)
    entry.updated_at = utcnow()
    session.flush()
    return entry


def _rank(outcome: str) -> int:
    return OUTCOME_RANK.index(outcome) if outcome in OUTCOME_RANK else 0
