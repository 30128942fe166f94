"""Agent assist: the suggested replies and the next best action for a cardholder's message."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from bot.domain.account_position import PaymentLine, compute_position
from bot.domain.agent_phrases import AgentPhrasesError, AgentPhrases, load_phrases
from bot.domain.assist import (
    ASK_BUDGET,
    CARE,
    DISPUTE,
    INSTALLMENT,
    NOTHING_DUE,
    PERSONALIZED,
    PROMISE,
    VERIFY,
    Situation,
    installment_offer,
    next_best_action,
    suggest,
)

TODAY = date(2026, 12, 2)
PHRASES = load_phrases()


def position(rules, *, days_overdue: int = 20, balance: str = "12680", paid: str = "0"):
    """A statement of `balance` due `days_overdue` days ago, minimum payment 10%."""
    due = TODAY - timedelta(days=days_overdue)
    payments = [PaymentLine(due, D(paid))] if D(paid) > 0 else []
    return compute_position(statement_balance=D(balance), minimum_payment=D(balance) / 10, due_date=due,
                            payments=payments, today=TODAY, rules=rules)


def situation(rules, **kwargs) -> Situation:
    kwargs.setdefault("position", position(rules))
    return Situation(today=TODAY, **kwargs)


def test_suggestions_answer_the_message_with_the_cardholders_own_figures(rules):
    offered = suggest(situation(rules, intent="ask_balance"), PHRASES, rules)
    assert 2 <= len(offered) <= 3
    assert offered[0].id == "balance_total"
    p = position(rules)
    assert f"{p.total_due:,.2f}" in offered[0].text and f"{p.interest_to_date:,.2f}" in offered[0].text
    assert all("{" not in s.text for s in offered)


def test_a_phrase_that_needs_the_account_is_not_offered_before_the_cardholder_is_known(rules):
    offered = suggest(Situation(today=TODAY, intent="ask_balance"), PHRASES, rules)
    assert offered and all(s.id not in ("balance_total", "balance_minimum") for s in offered)


def test_no_suggestion_says_a_zero_amount(rules):
    current = position(rules, days_overdue=1, paid="1268")  # minimum paid, no late fee, no overdue
    offered = suggest(situation(rules, intent="ask_balance", position=current), PHRASES, rules, limit=5)
    assert all("0.00元" not in s.text and "逾期0天" not in s.text for s in offered)


def test_distress_gets_care_and_the_hotline_before_anything_else(rules):
    offered = suggest(situation(rules, intent="ask_balance", sentiment="distressed"), PHRASES, rules)
    assert offered[0].id in ("distress_care", "hardship_listen") and any(rules.crisis_hotline in s.text for s in offered)
    assert next_best_action(situation(rules, intent="ask_balance", sentiment="distressed"), PHRASES, rules).kind == CARE


@pytest.mark.parametrize("intent, kind", [("dispute_bill", DISPUTE), ("report_fraud", DISPUTE), ("distress", CARE)])
def test_situations_that_come_before_money(rules, intent, kind):
    assert next_best_action(situation(rules, intent=intent), PHRASES, rules).kind == kind


def test_an_unknown_cardholder_is_verified_first(rules):
    assert next_best_action(Situation(today=TODAY, intent="request_installment"), PHRASES, rules).kind == VERIFY


def test_a_stated_budget_gets_the_shortest_plan_that_fits_with_every_figure(rules):
    # DOMAIN.md check values for 12,680.00: 12 months at 1,140.35 a month, 14.31%
    offer = next_best_action(situation(rules, intent="inform", monthly_budget=D("1200")), PHRASES, rules)
    assert offer.kind == INSTALLMENT and offer.figures["term"] == 12
    assert offer.figures["monthly"] == "1,140.35" and offer.figures["annual_rate"] == "14.31%"
    for figure in ("1,140.35", "1,004.26", "14.31%", "利息和违约金不计入分期"):
        assert figure in offer.disclosure


def test_a_budget_no_standard_plan_fits_is_a_personalized_application(rules):
    offer = next_best_action(situation(rules, intent="report_hardship", monthly_budget=D("200")), PHRASES, rules)
    assert offer.kind == PERSONALIZED and "60个月" in offer.disclosure and "审核" in offer.disclosure


def test_asking_for_a_plan_without_a_budget_asks_for_the_budget(rules):
    assert next_best_action(situation(rules, intent="request_installment"), PHRASES, rules).kind == ASK_BUDGET


def test_a_promise_is_on_the_day_named_when_the_rules_allow_it(rules):
    named = TODAY + timedelta(days=5)
    offer = next_best_action(situation(rules, intent="promise_to_pay", promised_on=named, amount=D("1268")), PHRASES, rules)
    assert offer.kind == PROMISE and offer.figures["iso_date"] == named.isoformat()
    assert offer.figures["amount"] == "1,268.00" and "12月7日" in offer.disclosure
    assert "低于" not in offer.disclosure  # the whole unpaid minimum: nothing to warn about


def test_a_promise_below_the_minimum_says_the_account_stays_overdue(rules):
    offer = next_best_action(situation(rules, intent="promise_to_pay", amount=D("500")), PHRASES, rules)
    assert offer.figures["below_minimum"] is True
    assert "500.00元低于本期还需还的最低还款额1,268.00元" in offer.disclosure and "逾期" in offer.disclosure


def test_a_promise_too_far_ahead_is_moved_within_the_rules(rules):
    far = TODAY + timedelta(days=rules.promise_max_days_ahead + 10)
    offer = next_best_action(situation(rules, intent="promise_to_pay", promised_on=far), PHRASES, rules)
    assert offer.kind == PROMISE
    assert date.fromisoformat(offer.figures["iso_date"]) <= TODAY + timedelta(days=rules.promise_max_days_ahead)


def test_within_the_grace_period_the_promise_is_before_the_grace_period_ends(rules):
    in_grace = position(rules, days_overdue=1)
    offer = next_best_action(situation(rules, intent="promise_to_pay", position=in_grace), PHRASES, rules)
    grace_end = in_grace.due_date + timedelta(days=rules.grace_period_days)
    assert offer.figures["iso_date"] == grace_end.isoformat()
    assert offer.figures["amount"] == f"{in_grace.unpaid_minimum:,.2f}"


def test_income_back_soon_is_a_promise_on_that_day(rules):
    back = TODAY + timedelta(days=8)
    offer = next_best_action(situation(rules, intent="report_hardship", income_back=back), PHRASES, rules)
    assert offer.kind == PROMISE and offer.figures["iso_date"] == back.isoformat()


def test_a_broken_promise_leads_to_a_plan(rules):
    offer = next_best_action(situation(rules, intent="inform", broken_promises=1, monthly_budget=D("700")), PHRASES, rules)
    assert offer.kind == INSTALLMENT and offer.figures["term"] == 24


def test_an_application_in_review_is_not_offered_a_second_arrangement(rules):
    offer = next_best_action(situation(rules, intent="request_installment", monthly_budget=D("1200"),
                                       open_cases=("hardship",)), PHRASES, rules)
    assert offer.kind == PERSONALIZED and offer.figures["in_review"] is True


def test_nothing_owed_offers_nothing(rules):
    paid = position(rules, paid="12680")
    assert next_best_action(situation(rules, intent="ask_balance", position=paid), PHRASES, rules).kind == NOTHING_DUE


@pytest.mark.parametrize("term, monthly, fee, rate", [
    (3, "4,321.77", "285.30", "13.45%"), (6, "2,202.09", "532.56", "14.26%"), (24, "610.75", "1,978.08", "14.33%"),
    (36, "434.64", "2,967.12", "14.21%"),
])
def test_the_calculator_matches_the_domain_check_values(rules, term, monthly, fee, rate):
    offer = installment_offer(D("12680.00"), term, PHRASES, rules)
    assert (offer.figures["monthly"], offer.figures["fee"], offer.figures["annual_rate"]) == (monthly, fee, rate)
    assert monthly in offer.disclosure and rate in offer.disclosure


def test_a_phrases_file_without_a_guard_rule_is_refused():
    with pytest.raises(AgentPhrasesError):
        AgentPhrases.from_mapping({"guard": {"threat": {"reason": "x"}}, "suggestions": [], "disclosures": {},
                                   "summary": {}, "wrap_up": {}})
