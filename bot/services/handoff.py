"""Handing a conversation to a person, with a summary that holds no raw personal data."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import now_in_bank_tz
from bot.data.models import CardAccount, Cardholder, HandoffRequest
from bot.domain.account_position import AccountPosition
from bot.domain.compliance import mask_card_number, mask_name, mask_text
from bot.domain.handoff_priority import REASON_WEIGHT, handoff_priority
from bot.domain.money import format_yuan
from bot.domain.product_rules import ProductRules
from bot.domain.sentiment import sentiment_of
from bot.domain.service_hours import within_service_hours
from bot.services.records import plans_of, promises_of
from bot.services.references import new_reference


@dataclass(frozen=True)
class ConversationFacts:
    """What the action server knows of a conversation when it asks for a person."""

    conversation_id: str
    reason: str
    intents: list[str]
    user_texts: list[str]
    cardholder: Cardholder | None
    account: CardAccount | None
    position: AccountPosition | None


def build_summary(session: Session, facts: ConversationFacts) -> dict[str, Any]:
    """The agent's first screen: who (masked), what was asked, which figures and records exist."""
    summary: dict[str, Any] = {
        "verified": facts.cardholder is not None,
        "reason": facts.reason,
        "intents": facts.intents,
        "sentiment": sentiment_of(facts.user_texts),
        "last_messages": [mask_text(text)[:200] for text in facts.user_texts[-3:]],
    }
    if facts.cardholder is not None:
        summary["customer"] = {"customer_id": facts.cardholder.customer_id, "name": mask_name(facts.cardholder.name)}
    if facts.account is not None:
        summary["card"] = mask_card_number(facts.account.card_number)
    if facts.position is not None:
        p = facts.position
        summary["figures"] = {
            "outstanding_principal": format_yuan(p.outstanding_principal),
            "interest_to_date": format_yuan(p.interest_to_date),
            "late_fee": format_yuan(p.late_fee),
            "total_due": format_yuan(p.total_due),
            "minimum_unpaid": format_yuan(p.unpaid_minimum),
            "days_overdue": p.days_overdue,
            "due_date": p.due_date.isoformat(),
            "credit_reported": p.credit_reported,
            "card_suspended": p.card_suspended,
        }
    summary["promises"] = [
        {"reference": r.reference, "amount": format_yuan(r.amount), "date": r.promised_date.isoformat()}
        for r in promises_of(session, facts.conversation_id)
    ]
    summary["plans"] = [
        {"reference": r.reference, "term_months": r.term_months, "monthly_payment": format_yuan(r.monthly_payment)}
        for r in plans_of(session, facts.conversation_id)
    ]
    return summary


def request_handoff(session: Session, facts: ConversationFacts, rules: ProductRules) -> HandoffRequest | None:
    """Queue the conversation for an agent, or for a callback outside service hours.

    A conversation already waiting keeps its one request, refreshed with the newest summary.
    None for an anonymous visitor outside service hours: the bank cannot call back someone it
    cannot identify, so nothing is queued and the visitor is told the hours instead.
    """
    open_now = within_service_hours(now_in_bank_tz(), rules)
    if facts.cardholder is None and not open_now:
        return None
    summary = build_summary(session, facts)
    priority = handoff_priority(facts.reason, summary["sentiment"], facts.position.total_due if facts.position else None)
    existing = session.scalar(
        select(HandoffRequest).where(
            HandoffRequest.conversation_id == facts.conversation_id, HandoffRequest.status == "waiting"
        )
    )
    handoff = existing or HandoffRequest(reference=new_reference("HND"), conversation_id=facts.conversation_id)
    handoff.cardholder_id = facts.cardholder.id if facts.cardholder else None
    handoff.reason = facts.reason if existing is None else _stronger(existing.reason, facts.reason)
    handoff.priority = max(priority, existing.priority if existing else 0)
    handoff.summary = summary
    handoff.callback_requested = not open_now
    session.add(handoff)
    session.flush()
    return handoff


def _stronger(current: str, new: str) -> str:
    return max((current, new), key=lambda reason: REASON_WEIGHT.get(reason, 0))
