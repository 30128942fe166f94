"""Figures as a person reads them, for the assistant's responses and the agents' phrases alike:
an account, the bank's rules, an installment plan (amounts to the fen, dates as 10月19日)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.domain.account_position import AccountPosition
from bot.domain.installments import InstallmentPlan
from bot.domain.money import format_percent, format_yuan
from bot.domain.product_rules import ProductRules
from bot.domain.wording import format_date


def account_figures(position: AccountPosition, today: date) -> dict[str, Any]:
    return {
        "statement_balance": format_yuan(position.statement_balance),
        "minimum_payment": format_yuan(position.minimum_payment),
        "due_date": format_date(position.due_date, today),
        "paid": format_yuan(position.paid_since_statement),
        "outstanding": format_yuan(position.outstanding_principal),
        "interest": format_yuan(position.interest_to_date),
        "late_fee": format_yuan(position.late_fee),
        "total_due": format_yuan(position.total_due),
        "unpaid_minimum": format_yuan(position.unpaid_minimum),
        "days_overdue": position.days_overdue,
    }


def rule_figures(rules: ProductRules) -> dict[str, Any]:
    return {
        "daily_rate": format_percent(rules.daily_interest_rate),
        "late_fee_rate": format_percent(rules.late_fee_rate, places=0),
        "grace_days": rules.grace_period_days,
        "retention_years": rules.credit_report_retention_years,
        "suspension_days": rules.card_suspension_after_days,
        "max_months": rules.personalized_max_months,
        "hotline": rules.regulator_hotline,
    }


def plan_figures(plan: InstallmentPlan) -> dict[str, Any]:
    return {
        "principal": format_yuan(plan.principal),
        "term": plan.term_months,
        "monthly": format_yuan(plan.monthly_payment),
        "last": format_yuan(plan.last_payment),
        "fee": format_yuan(plan.total_fee),
        "rate": format_percent(plan.annual_rate),
        "total": format_yuan(plan.total_repayment),
    }


def entity_shown(entity: str, value: str, today: date) -> str:
    """An entity's normalized value as a person reads it: 2,000.00元, 12月11日, 12期."""
    try:
        if entity == "amount":
            return f"{format_yuan(Decimal(value))}元"
        if entity == "date":
            return format_date(date.fromisoformat(value), today)
        if entity == "installment_term":
            return f"{int(float(value))}期"
    except (ValueError, InvalidOperation):
        pass
    return value
