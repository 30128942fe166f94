"""Units of work: database changes and the live frames they cause, delivered only after commit.

A frame that announced a rolled-back message would show the cardholder something that never
happened, so frames wait in the unit's outbox until its transaction has committed.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from fastapi.encoders import jsonable_encoder
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.services.hub import Frame, Hub
from api.services.views import message_view, queue_item, state_view
from bot.data.db import session_factory, session_scope
from bot.data.models import AgentAccount, ChatMessage, Conversation
from bot.services import agent_desk


class Database:
    """The bank database as the API uses it; the engine is made on first use, not at import."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._factory: sessionmaker | None = None
        self._lock = threading.Lock()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._lock:
            if self._factory is None:
                self._factory = session_factory(self.url)
        with session_scope(self._factory) as session:
            yield session


class Outbox:
    """Frames gathered during a unit of work; `deliver` hands them to the hub."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._pending: list[Callable[[], None]] = []
        self._stated: set[str] = set()

    def message(self, session: Session, message: ChatMessage, *, to_agents: bool = True) -> None:
        """The cardholder's sockets get the message as is; agents get it masked."""
        customer_frame = {"type": "message", "message": _json(message_view(message, for_agent=False))}
        self.to_conversation(message.conversation_id, customer_frame)
        if to_agents:
            self.to_agents_only(session, message)

    def to_agents_only(self, session: Session, message: ChatMessage) -> None:
        """The message, masked, to the agent holding its conversation and to supervisors."""
        holder = agent_desk.holder_of(session, message.conversation_id)
        agent_frame = {"type": "message", "message": _json(message_view(message, for_agent=True))}
        self.to_agents(agent_frame, holder.username if holder else None)

    def state(self, session: Session, conversation: Conversation) -> None:
        """The conversation's state, once per unit of work (computed from the unit's final changes)."""
        if conversation.id in self._stated:
            return
        self._stated.add(conversation.id)
        self.to_conversation(conversation.id, {"type": "state", "state": _json(state_view(session, conversation))})

    def queue(self, session: Session) -> None:
        """The queue changed: every desk socket gets its view, every waiting cardholder a new place."""
        for subscriber, identity in self._hub.agents():
            account = session.get(AgentAccount, identity.id)
            if account is not None:
                frame = queue_frame(session, account)
                self._pending.append(lambda s=subscriber, f=frame: s.offer(f))
        watched = self._hub.watched_conversations()
        if watched:
            waiting = session.scalars(
                select(Conversation).where(Conversation.id.in_(watched), Conversation.mode == "waiting")
            )
            for conversation in waiting:
                self.state(session, conversation)

    def to_conversation(self, conversation_id: str, frame: Frame) -> None:
        self._pending.append(lambda: self._hub.to_conversation(conversation_id, frame))

    def to_agents(self, frame: Frame, holder: str | None) -> None:
        """To every supervisor and to `holder`, the agent holding the conversation."""
        self._pending.append(lambda: self._hub.to_agents(frame, holder))

    def deliver(self) -> None:
        pending, self._pending = self._pending, []
        for send in pending:
            send()


@dataclass
class Unit:
    session: Session
    outbox: Outbox


@contextmanager
def unit_of_work(database: Database, hub: Hub) -> Iterator[Unit]:
    """Commit, then deliver the frames; on any error, roll back and deliver nothing."""
    outbox = Outbox(hub)
    with database.session() as session:
        yield Unit(session, outbox)
    outbox.deliver()


def queue_frame(session: Session, account: AgentAccount) -> Frame:
    items = [queue_item(handoff) for handoff in agent_desk.queue(session, account)]
    return {"type": "queue", "items": _json(items)}


def _json(value: object) -> object:
    return jsonable_encoder(value)
