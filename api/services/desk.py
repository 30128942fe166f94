"""The agent console's use cases: a bot.services call, the live frames it causes, the reply body."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from api import schemas
from api.services.outbox import Unit
from api.services.views import conversation_detail, message_view, note_view, queue_item, state_view
from bot.data.models import AgentAccount, ChatMessage
from bot.domain.money import format_percent, format_yuan
from bot.domain.product_rules import load_rules
from bot.services import agent_desk, agent_records
from bot.services.agents import active_counts, list_agents
from bot.services.conversations import get_conversation


def queue(unit: Unit, agent: AgentAccount) -> schemas.QueuePage:
    return schemas.QueuePage(items=[queue_item(h) for h in agent_desk.queue(unit.session, agent)])


def claim(unit: Unit, handoff_id: int, agent: AgentAccount) -> schemas.ConversationDetail:
    handoff, notices = agent_desk.claim(unit.session, handoff_id, agent)
    return _changed(unit, handoff.conversation_id, notices)


def assign(unit: Unit, handoff_id: int, username: str) -> schemas.QueueItem:
    handoff, notices = agent_desk.assign(unit.session, handoff_id, username)
    _changed(unit, handoff.conversation_id, notices)
    return queue_item(handoff)


def detail(unit: Unit, conversation_id: str, agent: AgentAccount) -> schemas.ConversationDetail:
    agent_desk.require_view(unit.session, conversation_id, agent)
    return conversation_detail(unit.session, get_conversation(unit.session, conversation_id))


def reply(unit: Unit, conversation_id: str, agent: AgentAccount, text: str, max_chars: int) -> schemas.Message:
    message = agent_desk.agent_reply(unit.session, conversation_id, agent, text, max_chars)
    unit.outbox.message(unit.session, message)
    return message_view(message, for_agent=True)


def note(unit: Unit, conversation_id: str, agent: AgentAccount, text: str, max_chars: int) -> schemas.Note:
    """Internal: stored and returned to the console, never sent to the cardholder's sockets."""
    return note_view(agent_desk.add_note(unit.session, conversation_id, agent, text, max_chars))


def close(unit: Unit, conversation_id: str, agent: AgentAccount, outcome: str) -> schemas.State:
    conversation = agent_desk.close(unit.session, conversation_id, agent, outcome)
    unit.outbox.state(unit.session, conversation)
    unit.outbox.queue(unit.session)
    return state_view(unit.session, conversation)


def promise(unit: Unit, conversation_id: str, agent: AgentAccount, amount: Decimal, promised: date) -> schemas.PromiseOut:
    record, check = agent_records.promise(unit.session, conversation_id, agent, amount, promised, load_rules())
    return schemas.PromiseOut(
        reference=record.reference, amount=format_yuan(record.amount), date=record.promised_date,
        below_minimum=check.below_minimum, clears_balance=check.clears_balance,
    )


def plan(unit: Unit, conversation_id: str, agent: AgentAccount, term_months: int) -> schemas.PlanOut:
    record, figures = agent_records.plan(unit.session, conversation_id, agent, term_months, load_rules())
    return schemas.PlanOut(
        reference=record.reference, term_months=figures.term_months, principal=format_yuan(figures.principal),
        monthly_payment=format_yuan(figures.monthly_payment), last_payment=format_yuan(figures.last_payment),
        total_fee=format_yuan(figures.total_fee), annual_rate=format_percent(figures.annual_rate),
    )


def dispute(
    unit: Unit, conversation_id: str, agent: AgentAccount, description: str, amount: Decimal | None
) -> schemas.ReferenceOut:
    case = agent_records.dispute(unit.session, conversation_id, agent, description, amount, load_rules())
    return schemas.ReferenceOut(reference=case.reference)


def resolve_complaint(unit: Unit, key: str, agent: AgentAccount, resolution: str) -> schemas.ReferenceOut:
    return schemas.ReferenceOut(reference=agent_records.resolve_complaint(unit.session, key, agent, resolution).reference)


def agents(unit: Unit) -> schemas.AgentsPage:
    counts = active_counts(unit.session)
    return schemas.AgentsPage(items=[
        schemas.AgentSummary(username=a.username, display_name=a.display_name, role=a.role,
                             active_conversations=counts.get(a.id, 0))
        for a in list_agents(unit.session)
    ])


def _changed(unit: Unit, conversation_id: str, notices: list[ChatMessage]) -> schemas.ConversationDetail:
    """Who holds the conversation changed: tell the cardholder, the holder and the whole desk."""
    conversation = get_conversation(unit.session, conversation_id)
    for notice in notices:
        unit.outbox.message(unit.session, notice)
    unit.outbox.state(unit.session, conversation)
    unit.outbox.queue(unit.session)
    return conversation_detail(unit.session, conversation)
