"""Demo cardholders whose figures are relative to the day the seed runs, and demo console accounts.

`python -m bot.data.seed` migrates the schema and, in demo mode only (APP_ENV=demo), creates
the demo data when missing; `--reset` rebuilds it for today. Outside demo mode it migrates and
seeds nothing: a bank's database gets no account with a published password.
The demo agents' password comes from DEMO_AGENT_PASSWORD (a demo value by default).
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.clock import bank_today
from bot.data.db import migrate, session_factory, session_scope
from bot.data.models import AgentAccount, CardAccount, Cardholder, CardStatus, Payment, Statement
from bot.services.passwords import hash_password
from bot.settings import BANK_TIMEZONE, get_settings


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


DEMO_AGENTS: tuple[tuple[str, str, str], ...] = (  # username, display name, role
    ("agent1", "客服小李", "agent"),
    ("agent2", "客服小王", "agent"),
    ("super1", "主管老陈", "supervisor"),
    ("trainer1", "训练师小周", "trainer"),
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


def seed_demo_agents(session: Session, password: str, *, reset: bool = False) -> int:
    """Create the demo console accounts that are missing (all of them again with `reset`)."""
    written = 0
    for username, display_name, role in DEMO_AGENTS:
        account = session.scalar(select(AgentAccount).where(AgentAccount.username == username))
        if account is not None and not reset:
            continue
        account = account or AgentAccount(username=username)
        account.display_name, account.role, account.active = display_name, role, True
        account.password_hash = _demo_hash(username, password)
        session.add(account)
        written += 1
    session.flush()
    return written


@lru_cache(maxsize=16)
def _demo_hash(username: str, password: str) -> str:
    """Hashing is slow on purpose; a test run seeds many databases, so each account hashes once."""
    return hash_password(password)


def _remove_demo_figures(session: Session, holder: Cardholder) -> None:
    for account in holder.accounts:
        session.execute(delete(Statement).where(Statement.account_id == account.id))
        session.execute(delete(Payment).where(Payment.account_id == account.id))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Create the schema, the demo cardholders and the demo agent accounts.")
    parser.add_argument("--reset", action="store_true",
                        help="rebuild the demo figures relative to today and reset the demo agents")
    args = parser.parse_args(argv)
    settings = get_settings()
    migrate(settings.database_url)
    if not settings.is_demo:
        print(f"schema migrated; APP_ENV={settings.app_env}: no demo data seeded (demo data exists only with APP_ENV=demo)")
        return
    with session_scope(session_factory(settings.database_url)) as session:
        created = seed_demo(session, bank_today(), reset=args.reset)
        agents = seed_demo_agents(session, settings.demo_agent_password, reset=args.reset)
    print(f"demo data ready ({created} cardholder(s), {agents} agent account(s) written)")


if __name__ == "__main__":
    main()
