"""Getting each stored cardholder message to the assistant exactly once, in order.

A message the bot should answer is stored "pending". A forwarder leases the conversation's
oldest pending message (a conditional UPDATE, so two forwarders never both win), sends it,
stores the replies and marks it "done" in one transaction. If the process dies in between,
the lease runs out and the sweep (at start-up and every few seconds) forwards it again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.data.models import ChatMessage, utcnow
from bot.domain.redaction import mask_digits

PENDING, DONE = "pending", "done"
COMMAND_PREFIX, SAFE_PREFIX = "/", "／"


@dataclass(frozen=True)
class Lease:
    """One pending message handed to one forwarder; `retried` when an earlier lease ran out."""

    message_id: int
    conversation_id: str
    text: str
    retried: bool


def lease_next(session: Session, conversation_id: str, lease: timedelta, now: datetime | None = None) -> Lease | None:
    """The conversation's oldest pending message, leased to the caller; None if there is none
    or another forwarder holds it (then that one goes on with the rest, in order)."""
    now = now or utcnow()
    message = session.scalar(
        select(ChatMessage)
        .where(ChatMessage.conversation_id == conversation_id, ChatMessage.forward_state == PENDING)
        .order_by(ChatMessage.id)
        .limit(1)
        .execution_options(populate_existing=True)  # the row as it is now, not as this session last saw it
    )
    if message is None:
        return None
    held_until = message.forward_lease_until
    if held_until is not None and as_utc(held_until) > now:
        return None
    still_free = ChatMessage.forward_lease_until.is_(None) if held_until is None else (
        ChatMessage.forward_lease_until == held_until)
    taken = session.execute(
        update(ChatMessage)
        .where(ChatMessage.id == message.id, ChatMessage.forward_state == PENDING, still_free)
        .values(forward_lease_until=now + lease)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        return None
    return Lease(message.id, conversation_id, assistant_text(session, message), retried=held_until is not None)


def finish(session: Session, message_id: int, secret: bool = False) -> ChatMessage:
    """The message has been answered (or routed elsewhere): never forward it again.

    A verification answer keeps only its masked text from here on; the digits were needed
    only to reach the assistant.
    """
    message = session.get(ChatMessage, message_id)
    message.forward_state, message.forward_lease_until = DONE, None
    if secret or message.secret:
        message.secret, message.text = True, mask_digits(message.text)
    session.flush()
    return message


def is_pending(message: ChatMessage) -> bool:
    return message.forward_state == PENDING


def conversations_waiting(session: Session, now: datetime | None = None, settle: timedelta = timedelta(seconds=5)) -> list[str]:
    """Conversations with a pending message no live forwarder holds, older than `settle`."""
    now = now or utcnow()
    rows = session.scalars(
        select(ChatMessage.conversation_id)
        .where(
            ChatMessage.forward_state == PENDING,
            ChatMessage.created_at <= now - settle,
            or_(ChatMessage.forward_lease_until.is_(None), and_(ChatMessage.forward_lease_until <= now)),
        )
        .distinct()
    )
    return list(rows)


def assistant_text(session: Session, message: ChatMessage) -> str:
    """The text Rasa gets: a "/intent" command only when it is a button the bot just offered.

    Rasa reads any text starting with "/" as a command (/restart, /intent{"slot": ...}); a
    typed one is passed on with a full-width slash, so the assistant reads it as words.
    """
    text = message.text
    if not text.startswith(COMMAND_PREFIX) or text in offered_payloads(session, message):
        return text
    return SAFE_PREFIX + text.lstrip(COMMAND_PREFIX)


def offered_payloads(session: Session, message: ChatMessage) -> set[str]:
    """The button payloads of the assistant's replies since the cardholder's previous message."""
    mine = (ChatMessage.conversation_id == message.conversation_id, ChatMessage.id < message.id)
    previous = session.scalar(
        select(ChatMessage.id).where(*mine, ChatMessage.sender == "customer").order_by(ChatMessage.id.desc()).limit(1)
    )
    replies = session.scalars(
        select(ChatMessage.buttons).where(*mine, ChatMessage.sender == "bot", ChatMessage.id > (previous or 0))
    )
    return {str(b.get("payload")) for buttons in replies for b in buttons or [] if isinstance(b, dict) and b.get("payload")}

