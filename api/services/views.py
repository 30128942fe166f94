"""Stored rows as the contract's bodies; everything shown to agents has personal data masked."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from api import schemas
from bot.clock import as_utc
from bot.data.models import AgentNote, ChatMessage, Complaint, Conversation, HandoffRequest, utcnow
from bot.domain.agent_wording import WordingCheck
from bot.domain.compliance import mask_name, mask_text
from bot.domain.queue_estimate import estimated_wait_minutes
from bot.domain.redaction import mask_digits
from bot.services import agent_desk
from bot.services.agent_records import complaints_of
from bot.services.assist import Assist
from bot.services.conversations import messages_after
from bot.services.delivery import is_pending


def message_view(message: ChatMessage, *, for_agent: bool) -> schemas.Message:
    """Verification answers are masked for everyone; agents also see card, ID and phone numbers
    masked, and the digits of a message the assistant has not read yet (it may be an answer)."""
    text = message.text
    if message.secret or (for_agent and is_pending(message)):
        text = mask_digits(text)
    return schemas.Message(
        id=message.id,
        conversation_id=message.conversation_id,
        sender=message.sender,
        text=mask_text(text) if for_agent else text,
        buttons=[schemas.Button(**button) for button in message.buttons or []],
        created_at=as_utc(message.created_at),
        agent_name=message.agent.display_name if message.agent else None,
    )


def state_view(session: Session, conversation: Conversation) -> schemas.State:
    state = schemas.State(mode=conversation.mode)
    handoff = agent_desk.open_handoff(session, conversation.id)
    if conversation.mode == "waiting" and handoff is not None:
        position = agent_desk.queue_position(session, handoff)
        if position is not None:
            state.queue_position, state.estimated_wait_minutes = position, estimated_wait_minutes(position)
    if conversation.mode == "agent" and handoff is not None and handoff.assigned_agent is not None:
        state.agent_name = handoff.assigned_agent.display_name
    return state


def queue_item(handoff: HandoffRequest, now: datetime | None = None) -> schemas.QueueItem:
    """A handoff as the console lists it: masked name, the bot's figures, how long it has waited."""
    summary = handoff.summary or {}
    until = handoff.claimed_at if handoff.status != "waiting" and handoff.claimed_at else (now or utcnow())
    customer = handoff.cardholder.name if handoff.cardholder else None
    return schemas.QueueItem(
        handoff_id=handoff.id,
        conversation_id=handoff.conversation_id,
        reference=handoff.reference,
        reason=handoff.reason,
        priority=handoff.priority,
        status=handoff.status,
        waiting_seconds=max(int((as_utc(until) - as_utc(handoff.created_at)).total_seconds()), 0),
        verified=bool(summary.get("verified")),
        customer_masked=mask_name(customer) if customer else (summary.get("customer") or {}).get("name"),
        total_due=(summary.get("figures") or {}).get("total_due"),
        sentiment=summary.get("sentiment"),
        assigned_agent=handoff.assigned_agent.username if handoff.assigned_agent else None,
        callback=handoff.callback_requested,
    )


def note_view(note: AgentNote) -> schemas.Note:
    return schemas.Note(id=note.id, agent=note.agent.username, text=mask_text(note.text), created_at=as_utc(note.created_at))


def complaint_ref(complaint: Complaint) -> dict[str, object]:
    return {"id": complaint.id, "reference": complaint.reference, "category": complaint.category,
            "status": complaint.status.value}


def conversation_detail(session: Session, conversation: Conversation) -> schemas.ConversationDetail:
    """What an agent needs on one screen: state, the handoff and its summary, transcript, notes.

    The summary is the bot's, plus `complaints` (id, reference, status) so the console can resolve them.
    """
    handoff = agent_desk.latest_handoff(session, conversation.id)
    complaints = [complaint_ref(c) for c in complaints_of(session, conversation.id)]
    return schemas.ConversationDetail(
        conversation_id=conversation.id,
        state=state_view(session, conversation),
        handoff=queue_item(handoff) if handoff else None,
        summary={**((handoff.summary if handoff else None) or {}), "complaints": complaints},
        messages=[message_view(m, for_agent=True) for m in messages_after(session, conversation.id)],
        notes=[note_view(n) for n in agent_desk.notes_of(session, conversation.id)],
    )


def assist_view(conversation_id: str, result: Assist) -> schemas.AssistOut:
    """Keys only (intent, sentiment, offer kind): the console labels them from GET /api/agent/labels."""
    reading = result.reading
    return schemas.AssistOut(
        conversation_id=conversation_id,
        message_id=result.message_id,
        reading=None if reading is None else schemas.ReadingOut(
            intent=reading.intent, confidence=round(reading.confidence, 3), sentiment=reading.sentiment,
            entities=[schemas.EntityOut(entity=name, value=value, shown=shown) for name, value, shown in reading.entities]),
        suggestions=[schemas.SuggestionOut(id=s.id, text=s.text) for s in result.suggestions],
        offer=schemas.OfferOut(kind=result.offer.kind, figures=result.offer.figures, disclosure=result.offer.disclosure),
        summary=result.summary,
    )


def check_view(check: WordingCheck, reasons: dict[str, str]) -> schemas.CheckOut:
    return schemas.CheckOut(
        verdict=check.verdict, findings=[schemas.Finding(rule=f.rule, excerpt=mask_text(f.excerpt)) for f in check.findings],
        reasons=[reasons.get(rule, rule) for rule in check.rules], rewording=check.rewording,
    )
