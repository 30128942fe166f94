"""Where a card account stands today: what is owed, what lateness has cost, what follows.

Everything the assistant says about an account's figures comes from `AccountPosition`, so
the balance reply, the consequence reply and the handoff summary can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable, Sequence

from bot.domain.money import to_money
from bot.domain.product_rules import ProductRules

ZERO = Decimal("0")


@dataclass(frozen=True)
class PaymentLine:
    """A payment made after the statement was issued."""

    paid_on: date
    amount: Decimal


@dataclass(frozen=True)
class AccountPosition:
    statement_balance: Decimal
    minimum_payment: Decimal
    due_date: date
    paid_since_statement: Decimal
    outstanding_principal: Decimal
    unpaid_minimum: Decimal
    days_overdue: int
    interest_to_date: Decimal
    late_fee: Decimal
    credit_reported: bool
    card_suspended: bool
    days_until_credit_report: int | None
    days_until_suspension: int | None
    today: date

    @property
    def total_due(self) -> Decimal:
        """Everything needed to clear the account today."""
        return to_money(self.outstanding_principal + self.interest_to_date + self.late_fee)

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def charges_to_date(self) -> Decimal:
        return to_money(self.interest_to_date + self.late_fee)


def compute_position(
    *,
    statement_balance: Decimal,
    minimum_payment: Decimal,
    due_date: date,
    payments: Iterable[PaymentLine],
    today: date,
    rules: ProductRules,
    suspended_by_bank: bool = False,
) -> AccountPosition:
    """Apply the bank's rules to one statement and the payments made since it."""
    paid_lines = sorted((p for p in payments if p.paid_on <= today), key=lambda p: p.paid_on)
    paid = to_money(sum((p.amount for p in paid_lines), ZERO))
    outstanding = to_money(max(statement_balance - paid, ZERO))
    unpaid_minimum = to_money(max(minimum_payment - paid, ZERO))
    days_overdue = (today - due_date).days if unpaid_minimum > 0 and today > due_date else 0

    grace_end = due_date + timedelta(days=rules.grace_period_days)
    paid_by_grace_end = sum((p.amount for p in paid_lines if p.paid_on <= grace_end), ZERO)
    minimum_missed = today > grace_end and paid_by_grace_end < minimum_payment
    late_fee = to_money((minimum_payment - paid_by_grace_end) * rules.late_fee_rate) if minimum_missed else to_money(ZERO)

    suspended = suspended_by_bank or days_overdue > rules.card_suspension_after_days
    return AccountPosition(
        statement_balance=to_money(statement_balance),
        minimum_payment=to_money(minimum_payment),
        due_date=due_date,
        paid_since_statement=paid,
        outstanding_principal=outstanding,
        unpaid_minimum=unpaid_minimum,
        days_overdue=days_overdue,
        interest_to_date=_interest(statement_balance, due_date, paid_lines, today, rules.daily_interest_rate),
        late_fee=late_fee,
        credit_reported=minimum_missed,
        card_suspended=suspended,
        days_until_credit_report=(grace_end - today).days + 1 if unpaid_minimum > 0 and not minimum_missed else None,
        days_until_suspension=(
            rules.card_suspension_after_days - days_overdue + 1 if days_overdue > 0 and not suspended else None
        ),
        today=today,
    )


def _interest(
    balance: Decimal, due_date: date, payments: Sequence[PaymentLine], today: date, daily_rate: Decimal
) -> Decimal:
    """Daily interest on the unpaid balance for each day from the due date up to yesterday.

    Nothing accrues when the balance was cleared by the due date.
    """
    remaining = Decimal(balance)
    for payment in payments:
        if payment.paid_on <= due_date:
            remaining -= payment.amount
    if remaining <= 0 or today <= due_date:
        return to_money(ZERO)
    total = ZERO
    day = due_date
    later_payments = [p for p in payments if p.paid_on > due_date]
    for payment in later_payments + [PaymentLine(today, ZERO)]:
        end = min(payment.paid_on, today)
        if end > day and remaining > 0:
            total += remaining * daily_rate * (end - day).days
            day = end
        remaining -= payment.amount
    return to_money(total)
