"""The agent console's use cases: a bot.services call, the live frames it causes, the reply body."""
from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi.responses import JSONResponse

from api import schemas
from api.core.errors import ApiError, error_response
from api.services.outbox import Unit
from api.services.views import assist_view, check_view, conversation_detail, message_view, note_view, queue_item, state_view
from bot.clock import bank_today
from bot.data.models import AgentAccount, ChatMessage, utcnow
from bot.domain import labels
from bot.domain.agent_phrases import load_phrases
from bot.domain.agent_wording import BLOCK
from bot.domain.assist import Situation, figures_for, installment_offer
from bot.domain.knowledge import IndexCache, KnowledgeIndex
from bot.domain.product_rules import load_rules
from bot.services import agent_desk, agent_records, assist
from bot.services.agents import active_counts, is_supervisor, list_agents
from bot.domain.figures import plan_figures
from bot.domain.money import format_yuan
from bot.services.conversations import get_conversation
from bot.settings import REPO_ROOT

log = logging.getLogger(__name__)
KNOWLEDGE = IndexCache(REPO_ROOT / "domain.yml", REPO_ROOT / "data" / "responses", REPO_ROOT / "data" / "nlu",
                       REPO_ROOT / "data" / "jieba" / "userdict.txt")


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


def reply(unit: Unit, conversation_id: str, agent: AgentAccount, body: schemas.AgentReplyIn,
          max_chars: int) -> schemas.AgentReplyOut | JSONResponse:
    """Sent when the guard allows it; a block (422 reply_blocked) or an unconfirmed warning (409
    reply_needs_confirmation) comes back with the reasons and the approved rewording, and is recorded."""
    phrases = load_phrases()
    suggestion = (body.suggestion_id, body.suggestion_text or "") if body.suggestion_id else None
    sent = assist.guarded_reply(unit.session, conversation_id, agent, body.text, max_chars, load_rules(), phrases,
                                suggestion=suggestion, confirmed=body.confirmed)
    check = check_view(sent.check, phrases.reasons)
    if sent.message is None:
        code = "reply_blocked" if sent.check.verdict == BLOCK else "reply_needs_confirmation"
        return error_response(code, check=check)
    unit.outbox.message(unit.session, sent.message)
    return schemas.AgentReplyOut(message=message_view(sent.message, for_agent=True), check=check)


def check(unit: Unit, conversation_id: str, agent: AgentAccount, text: str) -> schemas.CheckOut:
    agent_desk.require_holder_or_supervisor(unit.session, conversation_id, agent)
    phrases = load_phrases()
    return check_view(assist.check_reply(unit.session, conversation_id, text, load_rules(), phrases), phrases.reasons)


def latest_customer_text(unit: Unit, conversation_id: str, agent: AgentAccount) -> tuple[int, str] | None:
    """The message assist reads when the console asks (opening or reloading a conversation)."""
    agent_desk.require_holder_or_supervisor(unit.session, conversation_id, agent)
    message = assist.latest_customer_message(unit.session, conversation_id)
    return (message.id, message.text) if message is not None else None


def assist_for(unit: Unit, conversation_id: str, agent: AgentAccount, parse: dict[str, Any] | None,
               message_id: int | None) -> schemas.AssistOut:
    agent_desk.require_holder_or_supervisor(unit.session, conversation_id, agent)
    result = assist.assist(unit.session, conversation_id, parse, message_id, load_rules(), load_phrases(), bank_today())
    if not is_supervisor(agent):
        assist.record_shown(unit.session, conversation_id, agent.id, result.suggestions, message_id)
    return assist_view(conversation_id, result)


def wrap_up(unit: Unit, conversation_id: str, agent: AgentAccount, outcome: str) -> schemas.WrapUpOut:
    agent_desk.require_holder_or_supervisor(unit.session, conversation_id, agent)
    rules, phrases, today = load_rules(), load_phrases(), bank_today()
    customer = assist.conversation_customer(unit.session, conversation_id, rules)
    summary = assist.running_summary(unit.session, conversation_id, customer, phrases, today)
    return schemas.WrapUpOut(note=assist.draft_note(summary, outcome, phrases))


def quote(amount: Decimal, term_months: int) -> schemas.QuoteOut:
    """The calculator: the same plan code the assistant uses, for any amount and standard term."""
    rules, phrases = load_rules(), load_phrases()
    if term_months not in rules.standard_terms:
        raise ApiError("invalid_term")
    if amount <= 0:
        raise ApiError("not_positive")
    offer = installment_offer(amount, term_months, phrases, rules)
    return schemas.QuoteOut(**_plan_fields(offer.figures), total_repayment=offer.figures["total"],
                            disclosure=offer.disclosure or "")


def knowledge(query: str) -> schemas.KnowledgePage:
    return schemas.KnowledgePage(items=[schemas.KnowledgeHit(id=e.id, text=e.text) for e in _knowledge().search(query)])


def warm_knowledge() -> None:
    """Build the index (and load jieba) before the first search; a failure waits for that search."""
    try:
        _knowledge()
    except Exception:  # noqa: BLE001 - at start-up a broken file is reported by the first search instead
        log.warning("the knowledge index could not be built at start-up", exc_info=True)


def _knowledge() -> KnowledgeIndex:
    rules, phrases = load_rules(), load_phrases()
    return KNOWLEDGE.get(phrases, figures_for(Situation(today=bank_today()), rules))


def assist_report(unit: Unit, days: int) -> schemas.AssistReport:
    report = assist.assist_report(unit.session, utcnow() - timedelta(days=days))
    return schemas.AssistReport(**report)


def labels_view() -> schemas.LabelsOut:
    return schemas.LabelsOut(
        intents=labels.INTENTS, unsure_intent=labels.UNSURE_INTENT, entities=labels.ENTITIES,
        sentiments=labels.SENTIMENTS, reasons=labels.HANDOFF_REASONS, modes=labels.MODES, offer_figures=labels.OFFER_FIGURES,
        handoff_statuses=labels.HANDOFF_STATUSES, case_kinds=labels.CASE_KINDS, case_statuses=labels.CASE_STATUSES,
        complaint_categories=labels.COMPLAINT_CATEGORIES, outcomes=labels.OUTCOMES, offers=labels.OFFERS,
        figures=labels.FIGURES, guard_reasons=load_phrases().reasons, standard_terms=load_rules().standard_terms,
    )


def note(unit: Unit, conversation_id: str, agent: AgentAccount, text: str, max_chars: int) -> schemas.Note:
    """Internal: stored and returned to the console, never sent to the cardholder's sockets."""
    return note_view(agent_desk.add_note(unit.session, conversation_id, agent, text, max_chars))


def close(unit: Unit, conversation_id: str, agent: AgentAccount, outcome: str, note: str | None) -> schemas.State:
    conversation = agent_desk.close(unit.session, conversation_id, agent, outcome)
    if note:
        assist.confirm_note(unit.session, conversation_id, agent, outcome, note)
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
    return schemas.PlanOut(reference=record.reference, **_plan_fields(plan_figures(figures)))


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


def _plan_fields(figures: dict[str, Any]) -> dict[str, Any]:
    """bot.domain.figures.plan_figures as the API names them."""
    return {"term_months": figures["term"], "principal": figures["principal"], "monthly_payment": figures["monthly"],
            "last_payment": figures["last"], "total_fee": figures["fee"], "annual_rate": figures["rate"]}


def _changed(unit: Unit, conversation_id: str, notices: list[ChatMessage]) -> schemas.ConversationDetail:
    """Who holds the conversation changed: tell the cardholder, the holder and the whole desk."""
    conversation = get_conversation(unit.session, conversation_id)
    for notice in notices:
        unit.outbox.message(unit.session, notice)
    unit.outbox.state(unit.session, conversation)
    unit.outbox.queue(unit.session)
    return conversation_detail(unit.session, conversation)
