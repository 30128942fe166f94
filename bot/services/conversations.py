"""Chat conversations and their messages: every message is stored before it goes anywhere.

A conversation's `mode` decides who answers a cardholder's message: the assistant (bot, and
while waiting for a person or a callback), or the agent holding it; a closed conversation is
taken up again by the assistant. Message ids only increase, so a client that reconnects asks
for the ids after the last it saw.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import bank_today
from bot.data.models import AgentAccount, Cardholder, ChatMessage, Conversation, HandoffRequest, utcnow
from bot.domain.product_rules import ProductRules
from bot.domain.redaction import mask_digits
from bot.services.accounts import AccountNotFound, account_position, primary_account
from bot.services.delivery import PENDING
from bot.services.errors import ServiceError
from bot.services.handoff import ConversationFacts, request_handoff

NOTICE_ASSISTANT_UNAVAILABLE = "抱歉，智能助手暂时无法回复。您的消息已保存，人工客服会尽快跟进。"
NOTICE_ASSISTANT_UNAVAILABLE_SAVED = "抱歉，智能助手暂时无法回复，您的消息已保存。"
NOTICE_SERVICE_HOURS = "人工客服的服务时间是每天{start}-{end}，请在服务时间内再来咨询。"
NOTICE_AGENT_JOINED = "人工客服{name}已加入对话"
NOTICE_AGENT_LEFT = "人工客服已离开，智能助手继续为您服务"
UNAVAILABLE_REASON = "assistant_unavailable"
ASSISTANT_MODES: tuple[str, ...] = ("bot", "waiting", "callback")
RATE_WINDOW = timedelta(minutes=1)


class ChatError(ServiceError):
    """A cardholder's message or conversation request was refused."""


class ConversationNotFound(ChatError):
    code = "conversation_not_found"


class EmptyMessage(ChatError):
    code = "empty_message"


class MessageTooLong(ChatError):
    code = "message_too_long"


class RateLimited(ChatError):
    code = "rate_limited"


@dataclass(frozen=True)
class MessageLimits:
    """What one conversation may send: characters per message and customer messages per minute."""

    max_chars: int
    per_minute: int


def open_conversation(session: Session, cardholder: Cardholder | None, client_key: str | None = None) -> Conversation:
    """A new conversation, bound to the cardholder when the bank site vouched for one.

    `client_key` stands for the address it was opened from (a keyed hash, not the address):
    wrong identity answers are also counted per address.
    """
    conversation = Conversation(
        id=f"web-{uuid.uuid4().hex}", cardholder_id=cardholder.id if cardholder else None, mode="bot",
        client_key=client_key,
    )
    session.add(conversation)
    session.flush()
    return conversation


def answered_by_assistant(conversation: Conversation) -> bool:
    """Never silent: while nobody holds the conversation (bot, or waiting for a person, or for a
    callback) the assistant answers; once an agent holds it, the agent does."""
    return conversation.mode in ASSISTANT_MODES


def get_conversation(session: Session, conversation_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise ConversationNotFound(f"no conversation {conversation_id!r}")
    return conversation


def checked_text(text: str, max_chars: int) -> str:
    """The text to store, trimmed; refuses empty and overlong messages from anyone."""
    text = (text or "").strip()
    if not text:
        raise EmptyMessage("a message needs some text")
    if len(text) > max_chars:
        raise MessageTooLong(f"a message has at most {max_chars} characters")
    return text


def accept_customer_message(
    session: Session, conversation: Conversation, text: str, client_id: str | None, limits: MessageLimits
) -> tuple[ChatMessage, bool]:
    """Store the cardholder's message once; a retried `client_id` gets the stored one back (False)."""
    client_id = client_id or None  # an empty id names nothing: it cannot make two messages one
    if client_id:
        existing = session.scalar(
            select(ChatMessage).where(ChatMessage.conversation_id == conversation.id, ChatMessage.client_id == client_id)
        )
        if existing is not None:
            return existing, False
    text = checked_text(text, limits.max_chars)
    if _recent_customer_messages(session, conversation.id, utcnow() - RATE_WINDOW) >= limits.per_minute:
        raise RateLimited(f"at most {limits.per_minute} messages a minute")
    if conversation.mode == "closed":  # never silent: the assistant takes a closed conversation up again
        conversation.mode = "bot"
    message = add_message(session, conversation, "customer", text, client_id=client_id)
    message.secret = conversation.expects_secret
    message.forward_state = PENDING if answered_by_assistant(conversation) else None
    session.flush()
    return message, True


def add_message(
    session: Session, conversation: Conversation, sender: str, text: str, *, buttons: list[dict] | None = None,
    client_id: str | None = None, agent: AgentAccount | None = None,
) -> ChatMessage:
    message = ChatMessage(
        conversation_id=conversation.id, sender=sender, text=text, buttons=buttons or [], client_id=client_id,
        agent_id=agent.id if agent else None, created_at=utcnow(),
    )
    conversation.updated_at = message.created_at
    session.add(message)
    session.flush()
    return message


def messages_after(session: Session, conversation_id: str, after: int = 0) -> list[ChatMessage]:
    """The messages a client has not seen yet, oldest first."""
    return list(
        session.scalars(
            select(ChatMessage)
            .where(ChatMessage.conversation_id == conversation_id, ChatMessage.id > after)
            .order_by(ChatMessage.id)
        )
    )


def follow_handoff(conversation: Conversation, handoff: HandoffRequest) -> None:
    """The conversation is queued for a person: the cardholder's messages now go to the queue."""
    conversation.mode = "callback" if handoff.callback_requested else "waiting"
    conversation.updated_at = utcnow()


def handoff_by_reference(session: Session, conversation_id: str, reference: str) -> HandoffRequest | None:
    return session.scalar(
        select(HandoffRequest).where(
            HandoffRequest.reference == reference, HandoffRequest.conversation_id == conversation_id
        )
    )


def report_assistant_unavailable(
    session: Session, conversation: Conversation, rules: ProductRules
) -> tuple[ChatMessage, HandoffRequest | None]:
    """The assistant could not answer: queue the conversation for a person and say so; an
    anonymous visitor outside service hours is told the hours instead of a follow-up that
    cannot happen."""
    handoff = request_handoff(session, _facts(session, conversation, UNAVAILABLE_REASON, rules), rules)
    if handoff is None:
        hours = NOTICE_SERVICE_HOURS.format(start=f"{rules.service_start:%H:%M}", end=f"{rules.service_end:%H:%M}")
        return add_message(session, conversation, "system", NOTICE_ASSISTANT_UNAVAILABLE_SAVED + hours), None
    follow_handoff(conversation, handoff)
    return add_message(session, conversation, "system", NOTICE_ASSISTANT_UNAVAILABLE), handoff


def _facts(session: Session, conversation: Conversation, reason: str, rules: ProductRules) -> ConversationFacts:
    cardholder = conversation.cardholder
    account = position = None
    if cardholder is not None:
        try:
            account = primary_account(session, cardholder.id)
            position = account_position(session, account, bank_today(), rules)
        except AccountNotFound:
            account = None
    written = session.execute(
        select(ChatMessage.text, ChatMessage.secret)
        .where(ChatMessage.conversation_id == conversation.id, ChatMessage.sender == "customer")
        .order_by(ChatMessage.id)
    )
    texts = [mask_digits(text) if secret else text for text, secret in written]
    return ConversationFacts(
        conversation_id=conversation.id, reason=reason, intents=[], user_texts=texts,
        cardholder=cardholder, account=account, position=position,
    )


def _recent_customer_messages(session: Session, conversation_id: str, since: datetime) -> int:
    return session.scalar(
        select(func.count())
        .select_from(ChatMessage)
        .where(
            ChatMessage.conversation_id == conversation_id,
            ChatMessage.sender == "customer",
            ChatMessage.created_at >= since,
        )
    ) or 0
