"""Recording what a conversation agreed or opened, each with a reference number."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.data.models import (
    CardAccount,
    Cardholder,
    CertificateRequest,
    CollectorReport,
    Complaint,
    ContactPreference,
    DisputeCase,
    FeeWaiverRequest,
    HardshipApplication,
    InstallmentPlanRecord,
    PromiseToPay,
)
from bot.domain.account_position import AccountPosition
from bot.domain.installments import InstallmentPlan
from bot.services.references import new_reference

T = TypeVar("T")


def record_promise(
    session: Session, account: CardAccount, amount: Decimal, promised: date, below_minimum: bool,
    conversation_id: str | None, created_by: str = "assistant",
) -> PromiseToPay:
    promise = PromiseToPay(
        reference=new_reference("PTP"), account_id=account.id, amount=amount, promised_date=promised,
        below_minimum=below_minimum, conversation_id=conversation_id, created_by=created_by,
    )
    return _saved(session, promise)


def record_plan(
    session: Session, account: CardAccount, plan: InstallmentPlan, conversation_id: str | None,
    created_by: str = "assistant",
) -> InstallmentPlanRecord:
    record = InstallmentPlanRecord(
        reference=new_reference("INS"), account_id=account.id, principal=plan.principal,
        term_months=plan.term_months, monthly_fee_rate=plan.monthly_fee_rate,
        monthly_payment=plan.monthly_payment, last_payment=plan.last_payment, total_fee=plan.total_fee,
        annual_rate=plan.annual_rate, conversation_id=conversation_id, created_by=created_by,
    )
    return _saved(session, record)


def open_dispute(
    session: Session, account: CardAccount, description: str, amount: Decimal | None,
    conversation_id: str | None, kind: str = "charge",
) -> DisputeCase:
    case = DisputeCase(
        reference=new_reference("DSP" if kind == "charge" else "TRC"), account_id=account.id, kind=kind,
        description=description, amount=amount, conversation_id=conversation_id,
    )
    return _saved(session, case)


def open_hardship(
    session: Session, account: CardAccount, reason: str, requested_term: int | None,
    monthly_budget: Decimal | None, conversation_id: str | None, income_return: str | None = None,
) -> HardshipApplication:
    application = HardshipApplication(
        reference=new_reference("HDS"), account_id=account.id, reason=reason, requested_term_months=requested_term,
        monthly_budget=monthly_budget, income_return=income_return, conversation_id=conversation_id,
    )
    return _saved(session, application)


def record_fee_waiver(
    session: Session, account: CardAccount, position: AccountPosition, reason: str | None,
    conversation_id: str | None,
) -> FeeWaiverRequest:
    request = FeeWaiverRequest(
        reference=new_reference("FWR"), account_id=account.id, interest_at_request=position.interest_to_date,
        late_fee_at_request=position.late_fee, reason=reason, conversation_id=conversation_id,
    )
    return _saved(session, request)


def record_complaint(
    session: Session, cardholder: Cardholder | None, category: str, description: str,
    do_not_contact_family: bool, conversation_id: str | None,
) -> Complaint:
    """Record a complaint; a do-not-contact-family request is honoured on the cardholder at once."""
    complaint = Complaint(
        reference=new_reference("CMP"), cardholder_id=cardholder.id if cardholder else None, category=category,
        description=description, do_not_contact_family=do_not_contact_family, conversation_id=conversation_id,
    )
    if cardholder is not None and do_not_contact_family:
        cardholder.do_not_contact_family = True
    return _saved(session, complaint)


def record_contact_preference(
    session: Session, cardholder: Cardholder, request: str, conversation_id: str | None
) -> ContactPreference:
    """How and when the cardholder wants to be contacted, in their words (masked), for collections."""
    return _saved(session, ContactPreference(
        reference=new_reference("PRF"), cardholder_id=cardholder.id, request=request, conversation_id=conversation_id,
    ))


def record_certificate_request(
    session: Session, account: CardAccount, kind: str, request: str, conversation_id: str | None
) -> CertificateRequest:
    return _saved(session, CertificateRequest(
        reference=new_reference("CRT"), account_id=account.id, kind=kind, request=request,
        conversation_id=conversation_id,
    ))


def record_collector_report(
    session: Session, cardholder: Cardholder | None, description: str, conversation_id: str | None
) -> CollectorReport:
    """Someone claiming to collect for the bank: kept for the bank to check."""
    return _saved(session, CollectorReport(
        reference=new_reference("RPT"), cardholder_id=cardholder.id if cardholder else None,
        description=description, conversation_id=conversation_id,
    ))


def _saved(session: Session, record: T) -> T:
    """Add and flush, so the caller can quote the record's reference at once."""
    session.add(record)
    session.flush()
    return record


def promises_of(session: Session, conversation_id: str) -> list[PromiseToPay]:
    return list(session.scalars(select(PromiseToPay).where(PromiseToPay.conversation_id == conversation_id)))


def plans_of(session: Session, conversation_id: str) -> list[InstallmentPlanRecord]:
    return list(
        session.scalars(select(InstallmentPlanRecord).where(InstallmentPlanRecord.conversation_id == conversation_id))
    )
