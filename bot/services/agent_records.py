"""Outcomes an agent records, through the same rules and services the assistant uses.

A promise is checked by `check_promise`, a plan computed by `plan_for_term`, and both are
stored by `bot.services.records`, so an agent cannot book what the assistant would refuse.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import bank_today
from bot.data.models import (
    AgentAccount,
    CaseStatus,
    Complaint,
    Conversation,
    DisputeCase,
    HandoffRequest,
    InstallmentPlanRecord,
    PromiseToPay,
)
from bot.domain.installments import InstallmentError, InstallmentPlan, plan_for_term
from bot.domain.product_rules import ProductRules
from bot.domain.promises import PromiseCheck, check_promise
from bot.services.accounts import AccountNotFound
from bot.services.agent_desk import held_handoff
from bot.services.agents import is_supervisor
from bot.services.contact_log import log_contact
from bot.services.customers import CustomerAccount, customer_account
from bot.services.errors import ServiceError
from bot.services.records import open_dispute, record_plan, record_promise
from bot.settings import get_settings


class RecordRefused(ServiceError):
    """The outcome cannot be recorded; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def customer_of(session: Session, handoff: HandoffRequest, rules: ProductRules) -> CustomerAccount:
    """Signed in on the bank site, or verified by the assistant before the handoff; otherwise refused.

    An agent may take a callback long after the chat's own verification has expired, so the
    cardholder the conversation was opened for or handed off with counts here.
    """
    conversation = session.get(Conversation, handoff.conversation_id)
    cardholder = (conversation.cardholder if conversation else None) or handoff.cardholder
    if cardholder is None:
        raise RecordRefused("customer_not_verified", "the cardholder of this conversation is not verified")
    try:
        return customer_account(session, cardholder, rules)
    except AccountNotFound as exc:
        raise RecordRefused("account_not_found", str(exc)) from exc


def promise(
    session: Session, conversation_id: str, agent: AgentAccount, amount: Decimal, promised: date, rules: ProductRules
) -> tuple[PromiseToPay, PromiseCheck]:
    handoff = held_handoff(session, conversation_id, agent)
    customer = customer_of(session, handoff, rules)
    check = check_promise(
        amount, promised, today=bank_today(), max_days_ahead=rules.promise_max_days_ahead,
        unpaid_minimum=customer.position.unpaid_minimum, total_due=customer.position.total_due,
    )
    if check.problem is not None:
        raise RecordRefused(check.problem.value, f"promise refused: {check.problem.value}")
    record = record_promise(
        session, customer.account, amount, promised, check.below_minimum, conversation_id, created_by=agent.username
    )
    _log(session, conversation_id, customer, "promise_recorded")
    return record, check


def plan(
    session: Session, conversation_id: str, agent: AgentAccount, term_months: int, rules: ProductRules
) -> tuple[InstallmentPlanRecord, InstallmentPlan]:
    handoff = held_handoff(session, conversation_id, agent)
    customer = customer_of(session, handoff, rules)
    try:
        figures = plan_for_term(customer.position.outstanding_principal, term_months, rules)
    except InstallmentError as exc:
        raise RecordRefused("invalid_term", str(exc)) from exc
    record = record_plan(session, customer.account, figures, conversation_id, created_by=agent.username)
    _log(session, conversation_id, customer, "plan_booked")
    return record, figures


def dispute(
    session: Session, conversation_id: str, agent: AgentAccount, description: str, amount: Decimal | None,
    rules: ProductRules,
) -> DisputeCase:
    handoff = held_handoff(session, conversation_id, agent)
    customer = customer_of(session, handoff, rules)
    case = open_dispute(session, customer.account, description, amount, conversation_id)
    _log(session, conversation_id, customer, "case_opened")
    return case


def resolve_complaint(session: Session, key: str, agent: AgentAccount, resolution: str) -> Complaint:
    """Mark a complaint resolved; an agent may resolve only the complaints of a conversation they hold."""
    found_by = Complaint.id == int(key) if key.isascii() and key.isdigit() else Complaint.reference == key
    complaint = session.scalar(select(Complaint).where(found_by))
    if complaint is None:
        raise RecordRefused("complaint_not_found", f"no complaint {key!r}")
    if not is_supervisor(agent):
        held_handoff(session, complaint.conversation_id or "", agent)
    complaint.status, complaint.resolution = CaseStatus.RESOLVED, resolution
    session.flush()
    return complaint


def complaints_of(session: Session, conversation_id: str) -> list[Complaint]:
    query = select(Complaint).where(Complaint.conversation_id == conversation_id).order_by(Complaint.id)
    return list(session.scalars(query))


def _log(session: Session, conversation_id: str, customer: CustomerAccount, outcome: str) -> None:
    log_contact(
        session, conversation_id, channel=get_settings().contact_channel, verified=True,
        cardholder_id=customer.cardholder.id, intents=[], outcome=outcome,
    )
