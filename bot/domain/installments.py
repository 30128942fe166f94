"""Installment plans with every figure disclosed: monthly payment, total fee, annualized rate.

A plan of principal P over n months at monthly fee rate f is paid as n equal payments
P/n + P*f, each rounded to the fen; the last payment absorbs the rounding so the total is
exact. The annualized rate is 12 times the monthly internal rate of return of those cash
flows, as the regulator requires it to be shown.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, localcontext

from bot.domain.money import FEN, to_money
from bot.domain.product_rules import ProductRules


class InstallmentError(ValueError):
    """A plan was asked for with a principal or term the rules do not allow."""


@dataclass(frozen=True)
class InstallmentPlan:
    principal: Decimal
    term_months: int
    monthly_fee_rate: Decimal
    monthly_payment: Decimal
    last_payment: Decimal
    total_fee: Decimal
    annual_rate: Decimal

    @property
    def total_repayment(self) -> Decimal:
        return to_money(self.principal + self.total_fee)


def build_plan(principal: Decimal, term_months: int, monthly_fee_rate: Decimal) -> InstallmentPlan:
    """Every figure of one standard plan."""
    principal = to_money(principal)
    if principal <= 0:
        raise InstallmentError("an installment needs a positive principal")
    if term_months < 1:
        raise InstallmentError("an installment needs at least one month")
    total_fee = to_money(principal * monthly_fee_rate * term_months)
    exact = principal / term_months + principal * monthly_fee_rate
    monthly = to_money(exact)
    if monthly * (term_months - 1) > principal + total_fee:
        # A few yuan over many months: rounding each payment up would pay more than is owed
        # before the last month; rounding down keeps the last payment, and every one, >= 0.
        monthly = exact.quantize(FEN, rounding=ROUND_DOWN)
    last = to_money(principal + total_fee - monthly * (term_months - 1))
    flows = [monthly] * (term_months - 1) + [last]
    return InstallmentPlan(
        principal=principal,
        term_months=term_months,
        monthly_fee_rate=monthly_fee_rate,
        monthly_payment=monthly,
        last_payment=last,
        total_fee=total_fee,
        annual_rate=annualized_rate(principal, flows),
    )


def annualized_rate(principal: Decimal, monthly_flows: list[Decimal]) -> Decimal:
    """12 x the monthly IRR i solving principal = sum(flow_k / (1+i)^k), to 6 decimal places."""
    with localcontext() as ctx:
        ctx.prec = 40
        low, high = Decimal(0), Decimal(1)
        if sum(monthly_flows) <= principal:
            return Decimal(0)
        for _ in range(200):
            mid = (low + high) / 2
            value = sum(flow / (1 + mid) ** k for k, flow in enumerate(monthly_flows, start=1))
            if value > principal:
                low = mid
            else:
                high = mid
        return (12 * (low + high) / 2).quantize(Decimal("0.000001"))


def term_annual_rate(term_months: int, monthly_fee_rate: Decimal) -> Decimal:
    """The annualized rate of a term whatever the principal (the plan of any amount agrees to the
    basis point; its payments are rounded to the fen), for quoting beside the monthly rate."""
    flows = [Decimal(1) / term_months + monthly_fee_rate] * term_months
    return annualized_rate(Decimal(1), flows)


def standard_options(principal: Decimal, rules: ProductRules) -> list[InstallmentPlan]:
    """One plan for each standard term, shortest first."""
    return [build_plan(principal, term, rules.installment_fee_rates[term]) for term in rules.standard_terms]


def plan_for_term(principal: Decimal, term_months: int, rules: ProductRules) -> InstallmentPlan:
    """The standard plan of exactly this term."""
    if term_months not in rules.installment_fee_rates:
        raise InstallmentError(f"{term_months} months is not a standard term")
    return build_plan(principal, term_months, rules.installment_fee_rates[term_months])


def shortest_plan_within_budget(
    principal: Decimal, monthly_budget: Decimal, rules: ProductRules
) -> InstallmentPlan | None:
    """The shortest standard plan whose monthly payment fits the budget, or None."""
    for plan in standard_options(principal, rules):
        if plan.monthly_payment <= monthly_budget:
            return plan
    return None


def term_for_budget(principal: Decimal, monthly_budget: Decimal, rules: ProductRules) -> int:
    """The shortest standard term whose payment fits the budget; else the personalized term the
    budget needs (principal / budget months, within the personalized range). Budget > 0."""
    plan = shortest_plan_within_budget(principal, monthly_budget, rules)
    if plan is not None:
        return plan.term_months
    needed = math.ceil(principal / monthly_budget)
    return min(max(needed, rules.personalized_min_months), rules.personalized_max_months)


def is_personalized_term(term_months: int, rules: ProductRules) -> bool:
    """Terms beyond the standard ones, up to the cap, need an agent's review."""
    return rules.personalized_min_months <= term_months <= rules.personalized_max_months


def nearest_standard_term(term_months: int, rules: ProductRules) -> int:
    """A term the cardholder named that is not offered maps to the closest standard one."""
    return min(rules.standard_terms, key=lambda term: (abs(term - term_months), term))
