"""Agent assist: what to say next and what to offer, from the cardholder's words and their account.

Plain functions over a `Situation`, so the console, the tests and a benchmark get the same answer.
Every suggestion is an approved phrase (bot/agent_phrases.yml) filled with this cardholder's
figures; every offer is computed by the code the assistant uses (installments, promises,
hardship), so an agent is never offered what the bot would refuse.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bot.domain.account_position import AccountPosition
from bot.domain.agent_phrases import ANY, AgentPhrases, fill
from bot.domain.figures import account_figures, plan_figures, rule_figures
from bot.domain.hardship import OfferKind, hardship_offer
from bot.domain.installments import build_plan
from bot.domain.money import format_yuan, to_money
from bot.domain.product_rules import ProductRules
from bot.domain.promises import check_date
from bot.domain.wording import format_date

CARE, VERIFY, DISPUTE, PROMISE, INSTALLMENT, PERSONALIZED, ASK_BUDGET, NOTHING_DUE = (
    "care", "verify", "dispute", "promise", "installment", "personalized", "ask_budget", "nothing_due")
_ZERO_FIGURES = ("0.00", "0")  # a phrase that would say "0.00元" is not offered (no zero lines)
_FILLED_ONLY = ("interest", "late_fee", "unpaid_minimum", "days_overdue", "total_due")


@dataclass(frozen=True)
class Situation:
    """What the console knows when the cardholder's message arrives."""

    today: date
    intent: str | None = None
    amount: Decimal | None = None  # an amount in the latest message
    promised_on: date | None = None  # a date in the latest message
    position: AccountPosition | None = None  # None until the cardholder is known
    monthly_budget: Decimal | None = None  # said earlier (hardship form) or in this message
    income_back: date | None = None
    broken_promises: int = 0
    open_cases: tuple[str, ...] = ()  # kinds, bot.domain.labels.CASE_KINDS
    sentiment: str = "neutral"


@dataclass(frozen=True)
class Suggestion:
    id: str
    text: str


@dataclass(frozen=True)
class Offer:
    """The next best action: what to propose, its figures, and what the cardholder must hear."""

    kind: str
    figures: dict[str, Any] = field(default_factory=dict)
    disclosure: str | None = None


def figures_for(situation: Situation, rules: ProductRules) -> dict[str, str]:
    """Every figure a phrase may name: the rules' always, the account's once it is known."""
    values: dict[str, Any] = {
        **rule_figures(rules),
        "standard_terms": "/".join(str(t) for t in rules.standard_terms),
        "promise_max_date": format_date(situation.today + timedelta(days=rules.promise_max_days_ahead), situation.today),
        "crisis_hotline": rules.crisis_hotline,
        "emergency_numbers": rules.emergency_numbers,
        "objection_days": rules.credit_objection_reply_days,
    }
    if situation.position is not None:
        account = account_figures(situation.position, situation.today)
        values.update({k: v for k, v in account.items() if not (k in _FILLED_ONLY and str(v) in _ZERO_FIGURES)})
    return {k: str(v) for k, v in values.items()}


def suggest(situation: Situation, phrases: AgentPhrases, rules: ProductRules, limit: int = 3) -> list[Suggestion]:
    """The approved phrases that answer the latest message, filled, best first; general ones fill up."""
    values = figures_for(situation, rules)
    intent = "distress" if situation.sentiment == "distressed" else situation.intent  # care before anything
    ranked = [p for p in phrases.suggestions if p.fits(intent)]
    ranked += [p for p in phrases.suggestions if p.fits(ANY)]
    out: list[Suggestion] = []
    for phrase in ranked:
        text = fill(phrase.text, values)
        if text is not None:
            out.append(Suggestion(phrase.id, text))
        if len(out) == limit:
            break
    return out


def next_best_action(situation: Situation, phrases: AgentPhrases, rules: ProductRules) -> Offer:
    """What to propose now, lightest first, as the hardship rules order it (bot.domain.hardship)."""
    if situation.intent == "distress" or situation.sentiment == "distressed":
        return Offer(CARE)
    if situation.intent in ("dispute_bill", "report_fraud"):
        return Offer(DISPUTE, disclosure=phrases.disclosures.get(DISPUTE))
    position = situation.position
    if position is None:
        return Offer(VERIFY)
    if position.outstanding_principal <= 0 and position.total_due <= 0:
        return Offer(NOTHING_DUE)
    if situation.promised_on is not None or situation.intent == "promise_to_pay":
        offer = _promise(situation, position, phrases, rules)
        if offer is not None:
            return offer
    wants_plan = situation.intent in ("request_installment", "report_hardship") or situation.broken_promises > 0
    if "hardship" in situation.open_cases and wants_plan:  # an application is with the bank: no second offer
        return _personalized(situation, phrases, rules, in_review=True)
    if situation.monthly_budget is not None or situation.income_back is not None or wants_plan:
        choice = hardship_offer(position.outstanding_principal, situation.monthly_budget, situation.income_back,
                                situation.today, rules)
        if choice.kind == OfferKind.PROMISE:
            return _promise(situation, position, phrases, rules, on=choice.pay_on) or Offer(ASK_BUDGET)
        if choice.kind == OfferKind.INSTALLMENT and choice.term_months is not None:
            return installment_offer(position.outstanding_principal, choice.term_months, phrases, rules)
        if situation.monthly_budget is None:
            return Offer(ASK_BUDGET)
        return _personalized(situation, phrases, rules, budget=format_yuan(situation.monthly_budget))
    return _promise(situation, position, phrases, rules) or Offer(ASK_BUDGET)


def installment_offer(principal: Decimal, term: int, phrases: AgentPhrases, rules: ProductRules) -> Offer:
    """A standard plan with every figure and the sentence that discloses them (the calculator's too)."""
    values = plan_figures(build_plan(principal, term, rules.installment_fee_rates[term]))
    values["annual_rate"] = values["rate"]
    return Offer(INSTALLMENT, values, fill(phrases.disclosures.get(INSTALLMENT, ""), {k: str(v) for k, v in values.items()}))


def _personalized(situation: Situation, phrases: AgentPhrases, rules: ProductRules, **figures: Any) -> Offer:
    """An application for a personalized plan, decided by the bank after review (DOMAIN: negotiated plan)."""
    return Offer(PERSONALIZED, {"max_months": rules.personalized_max_months, **figures},
                 fill(phrases.disclosures.get(PERSONALIZED, ""), figures_for(situation, rules)))


def _promise(situation: Situation, position: AccountPosition, phrases: AgentPhrases, rules: ProductRules,
             on: date | None = None) -> Offer | None:
    """A promise on the day named (if the rules allow it), else before the grace period ends, else in a week."""
    today = situation.today
    candidates = [on, situation.promised_on, position.due_date + timedelta(days=rules.grace_period_days),
                  today + timedelta(days=7)]
    day = next((d for d in candidates if d is not None and check_date(d, today, rules.promise_max_days_ahead) is None), None)
    amount = to_money(situation.amount) if situation.amount and situation.amount > 0 else (
        position.unpaid_minimum if position.unpaid_minimum > 0 else position.total_due)
    if day is None or amount <= 0:
        return None
    values = {"date": format_date(day, today), "amount": format_yuan(amount), "iso_date": day.isoformat(),
              "below_minimum": amount < position.unpaid_minimum}
    said = {k: str(v) for k, v in values.items()} | {"unpaid_minimum": format_yuan(position.unpaid_minimum)}
    disclosure = fill(phrases.disclosures.get(PROMISE, ""), said)
    if values["below_minimum"]:  # the cardholder must hear that the account stays overdue
        disclosure = f"{disclosure}{fill(phrases.disclosures.get('promise_below_minimum', ''), said) or ''}"
    return Offer(PROMISE, values, disclosure)
