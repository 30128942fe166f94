"""What to offer a cardholder in hardship, once they have said what they earn, what they can
pay a month and when their income returns: the lightest arrangement that fits comes first.

* income back within the promise window: a promise to pay on that day (a short delay);
* a monthly budget a standard installment fits: the shortest such plan;
* otherwise: an application for a personalized plan (个性化分期), decided by an agent
  (../shared/DOMAIN.md, "negotiated plan").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from bot.domain.installments import shortest_plan_within_budget
from bot.domain.product_rules import ProductRules
from bot.domain.promises import check_date


class OfferKind(str, Enum):
    PROMISE = "promise"
    INSTALLMENT = "installment"
    PERSONALIZED = "personalized"


@dataclass(frozen=True)
class HardshipOffer:
    kind: OfferKind
    pay_on: date | None = None  # PROMISE: the day income returns
    term_months: int | None = None  # INSTALLMENT: the shortest standard term within the budget


def hardship_offer(
    principal: Decimal, monthly_budget: Decimal | None, income_back: date | None, today: date, rules: ProductRules
) -> HardshipOffer:
    """The lightest arrangement that fits what the cardholder said."""
    if income_back is not None and check_date(income_back, today, rules.promise_max_days_ahead) is None:
        return HardshipOffer(OfferKind.PROMISE, pay_on=income_back)
    if monthly_budget is not None and monthly_budget > 0 and principal > 0:
        plan = shortest_plan_within_budget(principal, monthly_budget, rules)
        if plan is not None:
            return HardshipOffer(OfferKind.INSTALLMENT, term_months=plan.term_months)
    return HardshipOffer(OfferKind.PERSONALIZED)
