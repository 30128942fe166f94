"""One event, one transaction: remember it (once), then recompute its conversation's contact-log figures.

Recomputing from every stored event of the conversation, rather than adding this one to running
totals, is what makes a redelivery change nothing and an out-of-order arrival end where the
in-order one does. A conversation gets a contact-log entry once the cardholder has written in it
(a chat opened without a word is no contact); events before that are kept and counted then.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.data.db import session_scope
from bot.data.models import ContactLog, ConversationEvent
from bot.events.figures import USER, StoredEvent, conversation_figures
from bot.events.inserts import insert_if_absent
from bot.events.records import EventRecord
from bot.services.contact_log import apply_event_figures, existing_entry, open_entry


def store_event(factory: sessionmaker, record: EventRecord, *, channel: str) -> bool:
    """Commit `record` and its conversation's figures; False (and nothing written) when it was stored before."""
    with session_scope(factory) as session:
        return record_event(session, record, channel=channel)


def record_event(session: Session, record: EventRecord, *, channel: str) -> bool:
    """The work of store_event inside the caller's transaction."""
    _one_writer_per_conversation(session, record.conversation_id)
    # On SQLite the insert takes the database's write lock, so what is read below is current.
    inserted = insert_if_absent(session, ConversationEvent.__table__, {
        "event_key": record.key, "conversation_id": record.conversation_id, "kind": record.kind,
        "name": record.name, "occurred_at": record.occurred_at,
    }, unique=["event_key"])
    if not inserted:
        return False
    entry = _entry(session, record, channel)
    if entry is not None:
        figures = conversation_figures(_events_of(session, record.conversation_id))
        if figures is not None:
            apply_event_figures(entry, figures)
    return True


def _one_writer_per_conversation(session: Session, conversation_id: str) -> None:
    """On PostgreSQL two consumers may take events of one conversation at once; a lock held until
    commit makes the second wait and then read the first one's event, so neither misses the other's."""
    if session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256(conversation_id.encode("utf-8")).digest()
        session.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest[:8], "big", signed=True))))


def _entry(session: Session, record: EventRecord, channel: str) -> ContactLog | None:
    entry = existing_entry(session, record.conversation_id)
    if entry is not None:
        return entry
    wrote = session.scalar(select(exists().where(
        ConversationEvent.conversation_id == record.conversation_id, ConversationEvent.kind == USER)))
    return open_entry(session, record.conversation_id, channel=channel, at=record.occurred_at) if wrote else None


def _events_of(session: Session, conversation_id: str) -> list[StoredEvent]:
    rows = session.execute(select(ConversationEvent.event_key, ConversationEvent.kind, ConversationEvent.name,
                                  ConversationEvent.occurred_at)
                           .where(ConversationEvent.conversation_id == conversation_id))
    return [StoredEvent(key, kind, name, occurred_at) for key, kind, name, occurred_at in rows]
