"""Plan arithmetic against the check values the bank publishes (DOMAIN notes)."""
from decimal import Decimal

import pytest

from bot.domain.installments import (
    InstallmentError,
    annualized_rate,
    build_plan,
    is_personalized_term,
    nearest_standard_term,
    plan_for_term,
    shortest_plan_within_budget,
    standard_options,
    term_for_budget,
)
from bot.domain.money import format_percent

D = Decimal


@pytest.mark.parametrize(
    "term, monthly, fee, rate",
    [
        (3, "4321.77", "285.30", "13.45%"),
        (6, "2202.09", "532.56", "14.26%"),
        (12, "1140.35", "1004.26", "14.31%"),
        (24, "610.75", "1978.08", "14.33%"),
        (36, "434.64", "2967.12", "14.21%"),
    ],
)
def test_plans_for_12680_match_the_published_check_values(rules, term, monthly, fee, rate):
    plan = plan_for_term(D("12680.00"), term, rules)
    assert plan.monthly_payment == D(monthly)
    assert plan.total_fee == D(fee)
    assert format_percent(plan.annual_rate) == rate


@pytest.mark.parametrize("principal", ["12680.00", "3450.50", "2450.50", "56000.00", "0.03", "99999.99", "100.01"])
@pytest.mark.parametrize("term", [3, 6, 12, 24, 36])
def test_payments_add_up_to_principal_plus_fee_to_the_fen(rules, principal, term):
    plan = plan_for_term(D(principal), term, rules)
    total = plan.monthly_payment * (term - 1) + plan.last_payment
    assert total == plan.principal + plan.total_fee == plan.total_repayment
    assert abs(plan.last_payment - plan.monthly_payment) < D("0.01") * term
    for amount in (plan.monthly_payment, plan.last_payment, plan.total_fee):
        assert amount == amount.quantize(D("0.01"))


@pytest.mark.parametrize("principal, term, monthly, last", [
    ("0.15", 36, "0.00", "0.19"),   # half-up (0.01 x 35 = 0.35) would overpay before the last month
    ("1.00", 36, "0.03", "0.18"),   # half-up still fits: the published rounding is kept
    ("0.02", 3, "0.01", "0.00"),
])
def test_a_tiny_principal_never_has_a_negative_last_payment(rules, principal, term, monthly, last):
    plan = plan_for_term(D(principal), term, rules)
    assert (plan.monthly_payment, plan.last_payment) == (D(monthly), D(last))
    assert plan.monthly_payment * (term - 1) + plan.last_payment == plan.total_repayment


@pytest.mark.parametrize("budget, term", [
    ("5000", 3),     # 4,321.77 fits
    ("2000", 12),    # 6 months is 2,202.09: too much; 12 months is 1,140.35
    ("434.64", 36),  # exactly the 36-month payment
    ("300", 43),     # no standard plan fits: 12,680 / 300 = 42.3 -> 43 months, to be reviewed
    ("400", 37),     # 32 months would do, but a personalized plan starts at 37
    ("100", 60),     # 127 months needed; the cap is 60
])
def test_a_monthly_budget_chooses_the_term(rules, budget, term):
    assert term_for_budget(D("12680.00"), D(budget), rules) == term


def test_annualized_rate_is_twelve_times_the_monthly_irr():
    # 1000 repaid as 12 x 88.85 (annuity at 1%/month) is exactly 12% a year
    assert annualized_rate(D("1000"), [D("88.8487886783417")] * 12).quantize(D("0.0001")) == D("0.1200")
    assert annualized_rate(D("1000"), [D("100")] * 10) == D("0")


def test_annualized_rate_is_far_above_the_nominal_fee_rate(rules):
    plan = plan_for_term(D("10000"), 12, rules)
    assert plan.annual_rate > 12 * plan.monthly_fee_rate * D("1.7")


@pytest.mark.parametrize(
    "budget, expected_term",
    [("5000", 3), ("4321.77", 3), ("4321.76", 6), ("2202.09", 6), ("2000", 12), ("1140.35", 12),
     ("1000", 24), ("611", 24), ("500", 36), ("434.64", 36)],
)
def test_budget_picks_the_shortest_term_that_fits(rules, budget, expected_term):
    plan = shortest_plan_within_budget(D("12680.00"), D(budget), rules)
    assert plan is not None and plan.term_months == expected_term


def test_budget_below_every_standard_plan_finds_none(rules):
    assert shortest_plan_within_budget(D("12680.00"), D("434.63"), rules) is None


@pytest.mark.parametrize("term, expected", [(37, True), (48, True), (60, True), (36, False), (61, False), (12, False)])
def test_personalized_terms_are_37_to_60_months(rules, term, expected):
    assert is_personalized_term(term, rules) is expected


@pytest.mark.parametrize("term, expected", [(1, 3), (2, 3), (4, 3), (5, 6), (9, 6), (10, 12), (18, 12), (20, 24), (30, 24), (31, 36)])
def test_unoffered_terms_map_to_the_nearest_standard_term(rules, term, expected):
    assert nearest_standard_term(term, rules) == expected


def test_standard_options_are_ordered_by_term(rules):
    assert [p.term_months for p in standard_options(D("5000"), rules)] == [3, 6, 12, 24, 36]


@pytest.mark.parametrize("principal, term", [("0", 12), ("-5", 12), ("100", 0)])
def test_nonsense_plans_are_refused(principal, term):
    with pytest.raises(InstallmentError):
        build_plan(D(principal), term, D("0.0066"))


def test_terms_the_bank_does_not_offer_are_refused(rules):
    with pytest.raises(InstallmentError):
        plan_for_term(D("1000"), 18, rules)
