"""Validation of a promise to pay: the checks a careful agent would make before recording it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from bot.domain.money import to_money


class PromiseProblem(str, Enum):
    NOT_POSITIVE = "not_positive"
    IN_PAST = "in_past"
    TOO_FAR = "too_far"


@dataclass(frozen=True)
class PromiseCheck:
    problem: PromiseProblem | None
    below_minimum: bool
    clears_balance: bool

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_amount(amount: Decimal) -> PromiseProblem | None:
    return PromiseProblem.NOT_POSITIVE if to_money(amount) <= 0 else None


def check_date(promised: date, today: date, max_days_ahead: int) -> PromiseProblem | None:
    if promised < today:
        return PromiseProblem.IN_PAST
    if promised > today + timedelta(days=max_days_ahead):
        return PromiseProblem.TOO_FAR
    return None


def check_promise(
    amount: Decimal,
    promised: date,
    *,
    today: date,
    max_days_ahead: int,
    unpaid_minimum: Decimal,
    total_due: Decimal,
) -> PromiseCheck:
    """All checks at once; below-minimum is allowed but must be explained to the cardholder."""
    problem = check_amount(amount) or check_date(promised, today, max_days_ahead)
    amount = to_money(amount)
    return PromiseCheck(
        problem=problem,
        below_minimum=problem is None and amount < unpaid_minimum,
        clears_balance=problem is None and amount >= total_due,
    )


_CANCEL = re.compile(r"取消|撤销|撤掉|作废|不要了|删掉|删除")


def wants_cancel(text: str) -> bool:
    """"取消我的还款承诺" cancels a recorded promise; anything else about it changes it."""
    return bool(_CANCEL.search(text or ""))
