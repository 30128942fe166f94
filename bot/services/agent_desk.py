"""The agent desk: the queue of handoffs, who holds which conversation, and handing it back.

A conversation is written to by the one agent holding its handoff; supervisors see every
conversation and can give a handoff to anyone. A claim is a conditional update, so two agents
clicking at once cannot both win.
"""
from __future__ import annotations

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from bot.data.models import AgentAccount, AgentNote, ChatMessage, Conversation, HandoffRequest, utcnow
from bot.services.agents import agent_by_username, is_supervisor
from bot.services.conversations import NOTICE_AGENT_JOINED, NOTICE_AGENT_LEFT, add_message, checked_text
from bot.services.errors import ServiceError

OPEN_STATUSES: tuple[str, ...] = ("waiting", "claimed")
RELEASED_OUTCOME = "returned_to_bot"


class DeskError(ServiceError):
    """An agent asked for something the desk does not allow."""


class HandoffNotFound(DeskError):
    code = "handoff_not_found"


class AlreadyClaimed(DeskError):
    code = "already_claimed"


class HandoffClosed(DeskError):
    code = "handoff_closed"


class NotHolder(DeskError):
    code = "not_assigned"


class NotVisible(DeskError):
    code = "not_visible"


class AgentNotFound(DeskError):
    code = "agent_not_found"


# Verified cardholders are served before anonymous visitors, whatever their urgency: a flood of
# anonymous requests cannot bury a real hardship case. Within each group, most urgent first,
# then longest waiting.
_ANONYMOUS = HandoffRequest.cardholder_id.is_(None)
SERVICE_ORDER = (_ANONYMOUS, HandoffRequest.priority.desc(), HandoffRequest.created_at, HandoffRequest.id)


def queue(session: Session, viewer: AgentAccount) -> list[HandoffRequest]:
    """Open handoffs in service order; agents see the waiting ones and their own."""
    query = select(HandoffRequest).where(HandoffRequest.status.in_(OPEN_STATUSES))
    if not is_supervisor(viewer):
        query = query.where(
            or_(HandoffRequest.status == "waiting", HandoffRequest.assigned_agent_id == viewer.id)
        )
    return list(session.scalars(query.order_by(*SERVICE_ORDER)))


def queue_position(session: Session, handoff: HandoffRequest) -> int | None:
    """How many waiting conversations are served before this one ("前面还有N位"); None off the live queue."""
    if handoff.status != "waiting" or handoff.callback_requested:
        return None
    same_group = _ANONYMOUS if handoff.cardholder_id is None else ~_ANONYMOUS
    served_first_in_group = or_(
        HandoffRequest.priority > handoff.priority,
        and_(HandoffRequest.priority == handoff.priority, HandoffRequest.created_at < handoff.created_at),
        and_(HandoffRequest.priority == handoff.priority, HandoffRequest.created_at == handoff.created_at,
             HandoffRequest.id < handoff.id),
    )
    ahead = and_(same_group, served_first_in_group)
    if handoff.cardholder_id is None:
        ahead = or_(~_ANONYMOUS, ahead)
    return session.scalar(
        select(func.count()).select_from(HandoffRequest).where(
            HandoffRequest.status == "waiting",
            HandoffRequest.callback_requested.is_(False),
            HandoffRequest.id != handoff.id,
            ahead,
        )
    ) or 0


def open_handoff(session: Session, conversation_id: str) -> HandoffRequest | None:
    """The conversation's handoff that is waiting or held, if any."""
    return session.scalar(
        select(HandoffRequest)
        .where(HandoffRequest.conversation_id == conversation_id, HandoffRequest.status.in_(OPEN_STATUSES))
        .order_by(HandoffRequest.id.desc())
        .limit(1)
    )


def latest_handoff(session: Session, conversation_id: str) -> HandoffRequest | None:
    return session.scalar(
        select(HandoffRequest)
        .where(HandoffRequest.conversation_id == conversation_id)
        .order_by(HandoffRequest.id.desc())
        .limit(1)
    )


def holder_of(session: Session, conversation_id: str) -> AgentAccount | None:
    """The agent holding the conversation right now."""
    handoff = open_handoff(session, conversation_id)
    return handoff.assigned_agent if handoff is not None and handoff.status == "claimed" else None


def can_view(session: Session, conversation_id: str, agent: AgentAccount) -> bool:
    """Supervisors see everything; an agent sees what they hold and what waits in the queue."""
    if is_supervisor(agent):
        return True
    handoff = open_handoff(session, conversation_id)
    return handoff is not None and (handoff.status == "waiting" or handoff.assigned_agent_id == agent.id)


def require_view(session: Session, conversation_id: str, agent: AgentAccount) -> None:
    if not can_view(session, conversation_id, agent):
        raise NotVisible(f"{agent.username} may not see conversation {conversation_id}")


def held_handoff(session: Session, conversation_id: str, agent: AgentAccount) -> HandoffRequest:
    """The handoff `agent` holds on this conversation; anyone else is refused."""
    handoff = open_handoff(session, conversation_id)
    if handoff is None or handoff.status != "claimed" or handoff.assigned_agent_id != agent.id:
        raise NotHolder(f"{agent.username} does not hold conversation {conversation_id}")
    return handoff


def claim(session: Session, handoff_id: int, agent: AgentAccount) -> tuple[HandoffRequest, list[ChatMessage]]:
    """Take a waiting handoff; claiming one you already hold changes nothing."""
    handoff = _handoff(session, handoff_id)
    if handoff.status == "claimed" and handoff.assigned_agent_id == agent.id:
        return handoff, []
    taken = session.execute(
        update(HandoffRequest)
        .where(HandoffRequest.id == handoff_id, HandoffRequest.status == "waiting")
        .values(status="claimed", assigned_agent_id=agent.id, claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(handoff)
    if not taken:
        if handoff.status == "closed":
            raise HandoffClosed(f"handoff {handoff_id} is closed")
        raise AlreadyClaimed(f"handoff {handoff_id} is held by another agent")
    return handoff, [_join(session, handoff, agent)]


def assign(session: Session, handoff_id: int, username: str) -> tuple[HandoffRequest, list[ChatMessage]]:
    """A supervisor gives an open handoff to `username`, taking it from whoever held it."""
    handoff = _handoff(session, handoff_id)
    if handoff.status not in OPEN_STATUSES:
        raise HandoffClosed(f"handoff {handoff_id} is closed")
    target = agent_by_username(session, username)
    if target is None or not target.active:
        raise AgentNotFound(f"no active agent {username!r}")
    if handoff.status == "claimed" and handoff.assigned_agent_id == target.id:
        return handoff, []
    handoff.status, handoff.assigned_agent_id, handoff.claimed_at = "claimed", target.id, utcnow()
    session.flush()
    session.refresh(handoff)
    return handoff, [_join(session, handoff, target)]


def release(session: Session, conversation_id: str, agent: AgentAccount) -> tuple[Conversation, ChatMessage]:
    """Hand the conversation back to the assistant (the caller resumes the Rasa tracker first)."""
    handoff = held_handoff(session, conversation_id, agent)
    _finish(handoff, RELEASED_OUTCOME)
    conversation = _conversation(session, handoff)
    conversation.mode = "bot"
    return conversation, add_message(session, conversation, "system", NOTICE_AGENT_LEFT)


def close(session: Session, conversation_id: str, agent: AgentAccount, outcome: str) -> Conversation:
    """End the conversation with the agent's outcome; the cardholder can send nothing more."""
    handoff = held_handoff(session, conversation_id, agent)
    _finish(handoff, outcome)
    conversation = _conversation(session, handoff)
    conversation.mode = "closed"
    conversation.updated_at = utcnow()
    session.flush()
    return conversation


def add_note(session: Session, conversation_id: str, agent: AgentAccount, text: str, max_chars: int) -> AgentNote:
    """An internal note: by the holding agent, or by a supervisor on any conversation."""
    if not is_supervisor(agent):
        held_handoff(session, conversation_id, agent)
    elif session.get(Conversation, conversation_id) is None:
        raise NotVisible(f"no conversation {conversation_id}")
    note = AgentNote(
        conversation_id=conversation_id, agent_id=agent.id, text=checked_text(text, max_chars), created_at=utcnow()
    )
    session.add(note)
    session.flush()
    return note


def notes_of(session: Session, conversation_id: str) -> list[AgentNote]:
    query = select(AgentNote).where(AgentNote.conversation_id == conversation_id).order_by(AgentNote.id)
    return list(session.scalars(query))


def _handoff(session: Session, handoff_id: int) -> HandoffRequest:
    handoff = session.get(HandoffRequest, handoff_id)
    if handoff is None:
        raise HandoffNotFound(f"no handoff {handoff_id}")
    return handoff


def _conversation(session: Session, handoff: HandoffRequest) -> Conversation:
    """The handoff's conversation; one queued from another channel (e.g. rasa shell) gets a row here."""
    conversation = session.get(Conversation, handoff.conversation_id)
    if conversation is None:
        conversation = Conversation(id=handoff.conversation_id, cardholder_id=handoff.cardholder_id, mode="waiting")
        session.add(conversation)
        session.flush()
    return conversation


def _join(session: Session, handoff: HandoffRequest, agent: AgentAccount) -> ChatMessage:
    conversation = _conversation(session, handoff)
    conversation.mode = "agent"
    return add_message(session, conversation, "system", NOTICE_AGENT_JOINED.format(name=agent.display_name))


def _finish(handoff: HandoffRequest, outcome: str) -> None:
    handoff.status, handoff.closed_at, handoff.outcome = "closed", utcnow(), outcome


def require_holder_or_supervisor(session: Session, conversation_id: str, agent: AgentAccount) -> None:
    """Assist belongs to whoever answers the cardholder, and to supervisors; not to the queue's viewers."""
    if is_supervisor(agent):
        if session.get(Conversation, conversation_id) is None:
            raise NotVisible(f"no conversation {conversation_id}")
        return
    held_handoff(session, conversation_id, agent)
