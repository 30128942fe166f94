"""A cardholder's own records and where each stands; changing or cancelling a promise to pay.

What `ask_case_status` lists, newest first: promises, plans, disputes and payment traces,
complaints, hardship applications, fee-waiver requests, certificate requests.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import bank_date_of
from bot.data.models import (
    CardAccount,
    Cardholder,
    CertificateRequest,
    Complaint,
    DisputeCase,
    FeeWaiverRequest,
    HardshipApplication,
    InstallmentPlanRecord,
    PromiseToPay,
)

OPEN = "open"


@dataclass(frozen=True)
class CaseLine:
    """One record as the cardholder hears it: kind and status are keys of bot.domain.labels."""

    kind: str
    reference: str
    status: str
    created_on: date
    created_at: datetime


def cases_of(session: Session, cardholder: Cardholder, limit: int = 5) -> list[CaseLine]:
    """The cardholder's newest records of every kind, at most `limit`."""
    accounts = [account.id for account in cardholder.accounts]
    found: list[CaseLine] = []
    for model, kind in ((PromiseToPay, "promise"), (InstallmentPlanRecord, "plan"), (HardshipApplication, "hardship"),
                        (FeeWaiverRequest, "fee_waiver"), (CertificateRequest, "certificate")):
        found += [_line(kind, row) for row in session.scalars(select(model).where(model.account_id.in_(accounts)))]
    for case in session.scalars(select(DisputeCase).where(DisputeCase.account_id.in_(accounts))):
        found.append(_line("dispute" if case.kind == "charge" else "payment_trace", case))
    for complaint in session.scalars(select(Complaint).where(Complaint.cardholder_id == cardholder.id)):
        found.append(_line("complaint", complaint))
    return sorted(found, key=lambda line: line.created_at, reverse=True)[:limit]


def latest_open_promise(session: Session, account: CardAccount) -> PromiseToPay | None:
    return session.scalar(
        select(PromiseToPay)
        .where(PromiseToPay.account_id == account.id, PromiseToPay.status == OPEN)
        .order_by(PromiseToPay.created_at.desc(), PromiseToPay.id.desc())
        .limit(1)
    )


def close_promise(session: Session, promise: PromiseToPay, status: str) -> PromiseToPay:
    """Cancelled by the cardholder, or replaced by a new promise; kept on record either way."""
    promise.status = status
    session.flush()
    return promise


def promise_by_reference(session: Session, reference: str) -> PromiseToPay | None:
    return session.scalar(select(PromiseToPay).where(PromiseToPay.reference == reference))


def _line(kind: str, row: object) -> CaseLine:
    status = getattr(row, "status")
    status = status.value if hasattr(status, "value") else str(status)
    created_at = getattr(row, "created_at")
    return CaseLine(kind, getattr(row, "reference"), status, bank_date_of(created_at), created_at)

