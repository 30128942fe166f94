from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.domain.promises import PromiseProblem, check_promise

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "amount, days_ahead, problem, below_minimum",
    [
        ("1268.00", 1, None, False),
        ("500", 0, None, True),
        ("12965.30", 30, None, False),
        ("0", 1, PromiseProblem.NOT_POSITIVE, False),
        ("-100", 1, PromiseProblem.NOT_POSITIVE, False),
        ("0.004", 1, PromiseProblem.NOT_POSITIVE, False),
        ("1000", -1, PromiseProblem.IN_PAST, False),
        ("1000", 31, PromiseProblem.TOO_FAR, False),
    ],
)
def test_promise_checks(amount, days_ahead, problem, below_minimum):
    check = check_promise(
        Decimal(amount), TODAY + timedelta(days=days_ahead), today=TODAY, max_days_ahead=30,
        unpaid_minimum=Decimal("1268.00"), total_due=Decimal("12965.30"),
    )
    assert check.problem is problem
    assert check.below_minimum is below_minimum
    assert check.ok is (problem is None)


def test_paying_everything_is_noted():
    check = check_promise(Decimal("13000"), TODAY, today=TODAY, max_days_ahead=30,
                          unpaid_minimum=Decimal("1268.00"), total_due=Decimal("12965.30"))
    assert check.clears_balance
