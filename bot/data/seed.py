"""Demo cardholders whose figures are relative to the day the seed runs.

`python -m bot.data.seed` creates them when missing; `--reset` rebuilds them for today.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.clock import bank_today
from bot.data.db import migrate, session_factory, session_scope
from bot.data.models import CardAccount, Cardholder, CardStatus, Payment, Statement
from bot.settings import BANK_TIMEZONE, Settings


@dataclass(frozen=True)
class DemoCardholder:
    customer_id: str
    name: str
    id_number: str
    phone: str
    card_number: str
    credit_limit: Decimal
    balance: Decimal
    minimum: Decimal
    due_days_ago: int
    payments: tuple[tuple[int, Decimal], ...]  # (days ago, amount)
    status: CardStatus


DEMO_CARDHOLDERS: tuple[DemoCardholder, ...] = (
    DemoCardholder("C0001", "张伟", "11010519851203121X", "13800006217", "6222021234566217",
                   Decimal("20000.00"), Decimal("12680.00"), Decimal("1268.00"), 35, (), CardStatus.ACTIVE),
    DemoCardholder("C0002", "李娜", "310104199208200315", "13900008848", "6222031234568848",
                   Decimal("10000.00"), Decimal("3450.50"), Decimal("345.05"), 5,
                   ((3, Decimal("1000.00")),), CardStatus.ACTIVE),
    DemoCardholder("C0003", "王芳", "44010619880705266X", "13700000310", "6222041234560310",
                   Decimal("60000.00"), Decimal("56000.00"), Decimal("5600.00"), 95, (), CardStatus.SUSPENDED),
)


def seed_demo(session: Session, today: date, *, reset: bool = False) -> int:
    """Create the demo cardholders that are missing (all of them again with `reset`)."""
    created = 0
    for demo in DEMO_CARDHOLDERS:
        existing = session.scalar(select(Cardholder).where(Cardholder.customer_id == demo.customer_id))
        if existing and not reset:
            continue
        if existing:
            _remove_demo_figures(session, existing)
        holder = existing or Cardholder(customer_id=demo.customer_id)
        holder.name, holder.id_number, holder.phone = demo.name, demo.id_number, demo.phone
        session.add(holder)
        account = session.scalar(select(CardAccount).where(CardAccount.card_number == demo.card_number))
        account = account or CardAccount(card_number=demo.card_number, card_last4=demo.card_number[-4:])
        account.cardholder, account.status, account.credit_limit = holder, demo.status, demo.credit_limit
        session.add(account)
        session.flush()
        due = today - timedelta(days=demo.due_days_ago)
        session.add(Statement(account_id=account.id, statement_date=due - timedelta(days=20), due_date=due,
                              balance=demo.balance, minimum_payment=demo.minimum))
        for days_ago, amount in demo.payments:
            paid_at = datetime.combine(today - timedelta(days=days_ago), time(10, 30), BANK_TIMEZONE)
            paid_at = paid_at.astimezone(timezone.utc)
            session.add(Payment(account_id=account.id, amount=amount, paid_at=paid_at, channel="手机银行"))
        created += 1
    return created


def _remove_demo_figures(session: Session, holder: Cardholder) -> None:
    for account in holder.accounts:
        session.execute(delete(Statement).where(Statement.account_id == account.id))
        session.execute(delete(Payment).where(Payment.account_id == account.id))


def main() -> None:
    parser = argparse.ArgumentParser(description="Create the schema and the demo cardholders.")
    parser.add_argument("--reset", action="store_true", help="rebuild the demo figures relative to today")
    args = parser.parse_args()
    url = Settings.from_env().database_url
    migrate(url)
    with session_scope(session_factory(url)) as session:
        created = seed_demo(session, bank_today(), reset=args.reset)
    print(f"demo data ready ({created} cardholder(s) written)")


if __name__ == "__main__":
    main()
