"""Finding and verifying cardholders, and computing an account's position from stored data."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import bank_date_of
from bot.data.models import CardAccount, Cardholder, CardStatus, Payment, Statement
from bot.domain.account_position import AccountPosition, PaymentLine, compute_position
from bot.domain.product_rules import ProductRules


class AccountNotFound(LookupError):
    """The cardholder has no card account with a statement."""


def verify_identity(session: Session, card_last4: str, id_last6: str) -> Cardholder | None:
    """The cardholder who owns a card ending in `card_last4` and whose ID ends in `id_last6`."""
    holders = session.scalars(
        select(Cardholder).join(CardAccount).where(CardAccount.card_last4 == card_last4)
    ).all()
    return next((h for h in holders if h.id_last6 == id_last6.upper()), None)


def cardholder_by_customer_id(session: Session, customer_id: str) -> Cardholder | None:
    return session.scalar(select(Cardholder).where(Cardholder.customer_id == customer_id))


def primary_account(session: Session, cardholder_id: int) -> CardAccount:
    """The cardholder's card with the most recent statement (the one the conversation is about)."""
    account = session.scalar(
        select(CardAccount)
        .join(Statement)
        .where(CardAccount.cardholder_id == cardholder_id)
        .order_by(Statement.due_date.desc())
        .limit(1)
    )
    if account is None:
        raise AccountNotFound(f"cardholder {cardholder_id} has no statement")
    return account


def latest_statement(session: Session, account_id: int) -> Statement:
    statement = session.scalar(
        select(Statement).where(Statement.account_id == account_id).order_by(Statement.due_date.desc()).limit(1)
    )
    if statement is None:
        raise AccountNotFound(f"account {account_id} has no statement")
    return statement


def payments_since(session: Session, account_id: int, since: date) -> list[Payment]:
    """Payments made on or after the bank's calendar day `since`, oldest first."""
    rows = session.scalars(select(Payment).where(Payment.account_id == account_id).order_by(Payment.paid_at)).all()
    return [p for p in rows if bank_date_of(p.paid_at) >= since]


def account_position(session: Session, account: CardAccount, today: date, rules: ProductRules) -> AccountPosition:
    statement = latest_statement(session, account.id)
    payments = payments_since(session, account.id, statement.statement_date)
    return compute_position(
        statement_balance=statement.balance,
        minimum_payment=statement.minimum_payment,
        due_date=statement.due_date,
        payments=[PaymentLine(bank_date_of(p.paid_at), p.amount) for p in payments],
        today=today,
        rules=rules,
        suspended_by_bank=account.status == CardStatus.SUSPENDED,
    )
