"""Agent assist over the bank's records: what a cardholder's message means, what to reply and to
offer (bot.domain.assist), the running summary, the drafted wrap-up note, and the guard on what
the agent sends, with every suggestion used or ignored and every block or override recorded.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import bank_today
from bot.data.models import (
    AgentAccount,
    AssistEvent,
    ChatMessage,
    Conversation,
    HardshipApplication,
    InstallmentPlanRecord,
    PromiseToPay,
    utcnow,
)
from bot.domain import labels
from bot.domain.agent_phrases import AgentPhrases, fill
from bot.domain.agent_wording import BLOCK, WARN, WordingCheck, check_wording
from bot.domain.account_position import AccountPosition
from bot.domain.assist import Offer, Situation, Suggestion, figures_for, next_best_action, suggest
from bot.domain.compliance import mask_text
from bot.domain.figures import entity_shown
from bot.domain.money import format_yuan
from bot.domain.product_rules import ProductRules
from bot.domain.redaction import mask_digits
from bot.domain.sentiment import sentiment_of
from bot.domain.wording import format_date
from bot.services.agent_desk import held_handoff, latest_handoff
from bot.services.cases import CaseLine, cases_of
from bot.services.contact_log import log_contact
from bot.services.conversations import add_message, checked_text
from bot.services.customers import CustomerAccount, customer_account
from bot.services.identity import bound_cardholder
from bot.settings import get_settings

OPEN_STATUSES = ("open", "in_review")
READ_ENTITIES = ("amount", "date", "installment_term")  # identity digits are never shown back
SUGGESTION, GUARD = "suggestion", "guard"


@dataclass(frozen=True)
class Reading:
    """What one cardholder message means, as the assistant's model reads it."""

    intent: str | None
    confidence: float
    entities: tuple[tuple[str, str, str], ...]  # (entity, normalized value, as a person reads it)
    sentiment: str


@dataclass(frozen=True)
class Assist:
    message_id: int | None
    reading: Reading | None
    suggestions: list[Suggestion]
    offer: Offer
    summary: dict[str, Any]


@dataclass(frozen=True)
class GuardedReply:
    message: ChatMessage | None  # None: not sent
    check: WordingCheck


def reading_of(parse: dict[str, Any] | None, texts: list[str], today: date) -> Reading | None:
    """Rasa's /model/parse result as the console shows it; nlu_fallback is no intent."""
    if not parse:
        return None
    intent = (parse.get("intent") or {}).get("name")
    entities = tuple((str(e["entity"]), str(e["value"]), entity_shown(str(e["entity"]), str(e["value"]), today))
                     for e in parse.get("entities") or []
                     if e.get("entity") in READ_ENTITIES and e.get("value") is not None)
    return Reading(intent if intent in labels.INTENTS else None, float((parse.get("intent") or {}).get("confidence") or 0),
                   entities, sentiment_of(texts[-3:]))


def conversation_customer(session: Session, conversation_id: str, rules: ProductRules) -> CustomerAccount | None:
    """The cardholder the conversation is about: signed in, verified in the chat, or handed off as."""
    conversation = session.get(Conversation, conversation_id)
    handoff = latest_handoff(session, conversation_id)
    cardholder = ((conversation.cardholder if conversation else None) or bound_cardholder(session, conversation_id)
                  or (handoff.cardholder if handoff else None))
    if cardholder is None or not cardholder.accounts:
        return None
    return customer_account(session, cardholder, rules)


def customer_texts(session: Session, conversation_id: str) -> list[str]:
    """What the cardholder wrote, verification answers hidden, numbers masked."""
    rows = session.scalars(select(ChatMessage).where(ChatMessage.conversation_id == conversation_id,
                                                     ChatMessage.sender == "customer").order_by(ChatMessage.id))
    return [mask_text(mask_digits(m.text) if m.secret else m.text) for m in rows]


@dataclass(frozen=True)
class Gathered:
    """What the bank's records say about a conversation, read in one go (no ORM object escapes),
    so the model's reading of the message can be awaited at the same time."""

    texts: list[str]
    position: AccountPosition | None
    hardship_budget: Decimal | None  # from the latest hardship application
    broken_promises: int
    open_kinds: tuple[str, ...]
    summary: dict[str, Any]


def gather(session: Session, conversation_id: str, rules: ProductRules, phrases: AgentPhrases, today: date) -> Gathered:
    texts = customer_texts(session, conversation_id)
    customer = conversation_customer(session, conversation_id, rules)
    cases = cases_of(session, customer.cardholder, limit=10) if customer is not None else []
    budget, broken = None, 0
    if customer is not None:
        account_id = customer.account.id
        budget = session.scalar(select(HardshipApplication.monthly_budget).where(
            HardshipApplication.account_id == account_id).order_by(HardshipApplication.id.desc()).limit(1))
        broken = session.scalar(select(func.count()).select_from(PromiseToPay).where(
            PromiseToPay.account_id == account_id, PromiseToPay.status == "broken")) or 0
    return Gathered(texts, customer.position if customer else None, budget, broken,
                    tuple(line.kind for line in cases if line.status in OPEN_STATUSES),
                    running_summary(session, conversation_id, customer, phrases, today, texts=texts, cases=cases))


def compose(gathered: Gathered, parse: dict[str, Any] | None, message_id: int | None, rules: ProductRules,
            phrases: AgentPhrases, today: date) -> Assist:
    """Assist from the records and the model's reading; no database."""
    reading = reading_of(parse, gathered.texts, today)
    situation = _situation(reading, gathered, today)
    return Assist(message_id, reading, suggest(situation, phrases, rules), next_best_action(situation, phrases, rules),
                  gathered.summary)


def assist(session: Session, conversation_id: str, parse: dict[str, Any] | None, message_id: int | None,
           rules: ProductRules, phrases: AgentPhrases, today: date) -> Assist:
    return compose(gather(session, conversation_id, rules, phrases, today), parse, message_id, rules, phrases, today)


def latest_customer_message(session: Session, conversation_id: str) -> ChatMessage | None:
    return session.scalar(select(ChatMessage).where(ChatMessage.conversation_id == conversation_id,
                                                    ChatMessage.sender == "customer").order_by(ChatMessage.id.desc()).limit(1))


def confirm_note(session: Session, conversation_id: str, agent: AgentAccount, outcome: str, note: str) -> None:
    """The wrap-up the agent confirmed at close goes into the contact log, personal data masked."""
    conversation = session.get(Conversation, conversation_id)
    cardholder_id = conversation.cardholder_id if conversation else None
    entry = log_contact(session, conversation_id, channel=get_settings().contact_channel, verified=cardholder_id is not None,
                        cardholder_id=cardholder_id, intents=[], outcome=outcome)
    entry.note, entry.noted_by = mask_text(note.strip())[:4000], agent.id
    session.flush()


def record_shown(session: Session, conversation_id: str, agent_id: int, shown: list[Suggestion],
                 message_id: int | None) -> None:
    for suggestion in shown:
        _record(session, conversation_id, agent_id, SUGGESTION, "shown", suggestion.id, {"message_id": message_id})


def check_reply(session: Session, conversation_id: str, text: str, rules: ProductRules,
                phrases: AgentPhrases) -> WordingCheck:
    """The guard's verdict; the cardholder's own words may be quoted back."""
    figures = figures_for(Situation(today=bank_today()), rules)
    rewordings = {rule: fill(wording, figures) or "" for rule, wording in phrases.rewordings.items()}
    return check_wording(text, rules, rewordings, customer_texts(session, conversation_id))


def guarded_reply(session: Session, conversation_id: str, agent: AgentAccount, text: str, max_chars: int,
                  rules: ProductRules, phrases: AgentPhrases, *, suggestion: tuple[str, str] | None = None,
                  confirmed: bool = False) -> GuardedReply:
    """Send the holder's reply unless the guard blocks it, or warns and the agent has not confirmed.

    `suggestion` is the (id, text) the agent inserted: sent unchanged it was used, changed it was
    edited; the other suggestions shown since the agent's last reply were ignored.
    """
    handoff = held_handoff(session, conversation_id, agent)
    text = checked_text(text, max_chars)
    check = check_reply(session, conversation_id, text, rules, phrases)
    detail = {"rules": check.rules, "excerpts": [mask_text(f.excerpt) for f in check.findings][:5]}
    if check.verdict == BLOCK or (check.verdict == WARN and not confirmed):
        _record(session, conversation_id, agent.id, GUARD, "blocked" if check.verdict == BLOCK else "warned",
                ",".join(check.rules)[:64], detail)
        return GuardedReply(None, check)
    if check.verdict == WARN:
        _record(session, conversation_id, agent.id, GUARD, "overridden", ",".join(check.rules)[:64], detail)
    _record_suggestions_on_send(session, conversation_id, agent, text, suggestion)
    conversation = session.get(Conversation, handoff.conversation_id)
    return GuardedReply(add_message(session, conversation, "agent", text, agent=agent), check)


def assist_report(session: Session, since: datetime) -> dict[str, list[dict[str, Any]]]:
    """For supervisors: how each suggestion fares (shown, used, edited, ignored) and each agent's
    blocked, warned and overridden replies since `since`, newest guard events first."""
    rows = session.execute(select(AssistEvent.kind, AssistEvent.item, AssistEvent.action, func.count())
                           .where(AssistEvent.created_at >= since)
                           .group_by(AssistEvent.kind, AssistEvent.item, AssistEvent.action)).all()
    suggestions: dict[str, dict[str, Any]] = {}
    for kind, item, action, count in rows:
        if kind == SUGGESTION:
            suggestions.setdefault(item, {"id": item, "shown": 0, "used": 0, "edited": 0, "ignored": 0})[action] = count
    guard = [{"agent": e.agent.username, "conversation_id": e.conversation_id, "action": e.action,
              "rules": e.detail.get("rules", []), "excerpts": e.detail.get("excerpts", []), "at": e.created_at}
             for e in session.scalars(select(AssistEvent).where(AssistEvent.kind == GUARD, AssistEvent.created_at >= since)
                                      .order_by(AssistEvent.id.desc()).limit(200))]
    return {"suggestions": sorted(suggestions.values(), key=lambda s: -s["shown"]), "guard": guard}


def running_summary(session: Session, conversation_id: str, customer: CustomerAccount | None,
                    phrases: AgentPhrases, today: date, *, texts: list[str] | None = None,
                    cases: list[CaseLine] | None = None) -> dict[str, Any]:
    """What was agreed in this conversation and what is still open for the cardholder."""
    if texts is None:
        texts = customer_texts(session, conversation_id)
    if cases is None:
        cases = cases_of(session, customer.cardholder, limit=10) if customer is not None else []
    agreed = []
    for promise in session.scalars(select(PromiseToPay).where(PromiseToPay.conversation_id == conversation_id)):
        detail = fill(phrases.summary["promise"], {"date": format_date(promise.promised_date, today),
                                                   "amount": format_yuan(promise.amount)})
        agreed.append(_item("promise", promise.reference, promise.status, detail, format_date(promise.promised_date, today)))
    for plan in session.scalars(select(InstallmentPlanRecord).where(InstallmentPlanRecord.conversation_id == conversation_id)):
        detail = fill(phrases.summary["plan"], {"term": str(plan.term_months), "monthly": format_yuan(plan.monthly_payment)})
        agreed.append(_item("plan", plan.reference, str(plan.status), detail))
    agreed_refs = {item["reference"] for item in agreed}
    open_cases = [_item(line.kind, line.reference, line.status, labels.CASE_STATUSES.get(line.status, line.status))
                  for line in cases if line.status in OPEN_STATUSES and line.reference not in agreed_refs]
    return {"agreed": agreed, "open": open_cases, "sentiment": sentiment_of(texts[-3:])}


def draft_note(summary: dict[str, Any], outcome: str, phrases: AgentPhrases) -> str:
    """The contact-log note the agent confirms at close: outcome, what was agreed, what is open, next step."""
    lines = phrases.wrap_up

    def describe(items: list[dict[str, Any]]) -> str:
        return "；".join(fill(lines["item"], {"kind": i["kind_label"], "reference": i["reference"],
                                             "detail": i["detail"]}) or "" for i in items)

    note = [fill(lines["outcome"], {"outcome": labels.OUTCOMES.get(outcome, outcome)})]
    if summary["agreed"]:
        note.append(fill(lines["agreed"], {"items": describe(summary["agreed"])}))
    if summary["open"]:
        note.append(fill(lines["open"], {"items": describe(summary["open"])}))
    note.append(_next_step(summary, lines))
    return "\n".join(line for line in note if line)


def _next_step(summary: dict[str, Any], lines: dict[str, str]) -> str | None:
    promise = next((i for i in summary["agreed"] if i["kind"] == "promise" and i["status"] == "open"), None)
    if promise is not None:
        return fill(lines["next_promise"], {"date": promise["date"]})
    if any(i["kind"] == "plan" for i in summary["agreed"]):
        return lines["next_plan"]
    if summary["open"]:
        return fill(lines["next_case"], {"kind": summary["open"][0]["kind_label"]})
    return lines["next_none"]


def _item(kind: str, reference: str, status: str, detail: str | None, due: str | None = None) -> dict[str, Any]:
    """One record as the summary lists it; a promise carries its date (10月19日) for the next step."""
    item = {"kind": kind, "kind_label": labels.CASE_KINDS.get(kind, kind), "reference": reference,
            "status": status, "status_label": labels.CASE_STATUSES.get(status, status), "detail": detail or ""}
    return {**item, "date": due} if due else item


def _situation(reading: Reading | None, gathered: Gathered, today: date) -> Situation:
    values = {entity: value for entity, value, _ in reading.entities} if reading else {}
    intent = reading.intent if reading else None
    amount = _decimal(values.get("amount"))
    stated_budget = amount if intent in ("inform", "request_installment", "report_hardship") else None
    promised_on = _date(values.get("date"))
    return Situation(
        today=today, intent=intent, amount=amount if intent == "promise_to_pay" else None,
        promised_on=promised_on if intent in ("promise_to_pay", "inform", "change_promise") else None,
        position=gathered.position,
        monthly_budget=stated_budget if stated_budget is not None else (
            gathered.hardship_budget if gathered.position is not None else None),
        income_back=promised_on if intent == "report_hardship" else None, broken_promises=gathered.broken_promises,
        open_cases=gathered.open_kinds, sentiment=reading.sentiment if reading else "neutral",
    )


def _record_suggestions_on_send(session: Session, conversation_id: str, agent: AgentAccount, text: str,
                                suggestion: tuple[str, str] | None) -> None:
    last_reply = session.scalar(select(func.max(ChatMessage.created_at)).where(
        ChatMessage.conversation_id == conversation_id, ChatMessage.sender == "agent"))
    shown_query = select(AssistEvent.item).where(
        AssistEvent.conversation_id == conversation_id, AssistEvent.agent_id == agent.id,
        AssistEvent.kind == SUGGESTION, AssistEvent.action == "shown")
    if last_reply is not None:
        shown_query = shown_query.where(AssistEvent.created_at > last_reply)
    shown = list(dict.fromkeys(session.scalars(shown_query)))
    if suggestion is not None:
        used_id, inserted = suggestion
        _record(session, conversation_id, agent.id, SUGGESTION, "used" if text.strip() == inserted.strip() else "edited",
                used_id[:64], {})
    for item in shown:
        if suggestion is None or item != suggestion[0]:
            _record(session, conversation_id, agent.id, SUGGESTION, "ignored", item, {})


def _record(session: Session, conversation_id: str, agent_id: int, kind: str, action: str, item: str,
            detail: dict[str, Any]) -> None:
    session.add(AssistEvent(conversation_id=conversation_id, agent_id=agent_id, kind=kind, action=action,
                            item=item, detail=detail, created_at=utcnow()))
    session.flush()


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
