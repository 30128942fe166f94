"""Interest, late fee, credit-report and card status of the demo accounts and edge cases."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.domain.account_position import PaymentLine, compute_position
from bot.domain.consequences import asks_about_crime, consequence_responses, consequence_topic

D = Decimal
TODAY = date(2026, 11, 23)


def position(rules, balance, minimum, due_days_ago, payments=(), suspended=False):
    return compute_position(
        statement_balance=D(balance), minimum_payment=D(minimum), due_date=TODAY - timedelta(days=due_days_ago),
        payments=[PaymentLine(TODAY - timedelta(days=d), D(a)) for d, a in payments], today=TODAY, rules=rules,
        suspended_by_bank=suspended,
    )


def test_zhang_wei_35_days_overdue(rules):
    p = position(rules, "12680.00", "1268.00", 35)
    assert p.days_overdue == 35
    assert p.interest_to_date == D("221.90")  # 12,680 x 0.05% x 35
    assert p.late_fee == D("63.40")  # 5% of the unpaid minimum
    assert p.total_due == D("12965.30")
    assert p.credit_reported and not p.card_suspended
    assert p.days_until_suspension == 26


def test_li_na_paid_within_grace_is_current(rules):
    p = position(rules, "3450.50", "345.05", 5, [(3, "1000.00")])
    assert p.paid_since_statement == D("1000.00")
    assert p.outstanding_principal == D("2450.50")
    assert p.days_overdue == 0 and not p.is_overdue
    assert p.late_fee == D("0.00") and not p.credit_reported
    # 3,450.50 for 2 days, then 2,450.50 for 3 days, at 0.05% a day
    assert p.interest_to_date == D("7.13")


def test_wang_fang_95_days_overdue_and_suspended(rules):
    p = position(rules, "56000.00", "5600.00", 95, suspended=True)
    assert p.interest_to_date == D("2660.00")
    assert p.late_fee == D("280.00")
    assert p.total_due == D("58940.00")
    assert p.card_suspended and p.days_until_suspension is None


def test_suspension_follows_the_rule_even_if_the_bank_has_not_flagged_it(rules):
    assert position(rules, "1000", "100", 61).card_suspended
    assert not position(rules, "1000", "100", 60).card_suspended


@pytest.mark.parametrize("days, reported", [(1, False), (3, False), (4, True), (30, True)])
def test_credit_report_only_after_the_grace_period(rules, days, reported):
    p = position(rules, "1000", "100", days)
    assert p.credit_reported is reported
    assert (p.days_until_credit_report is None) is reported


def test_partial_payment_of_the_minimum_still_costs_a_late_fee_on_the_rest(rules):
    p = position(rules, "10000", "1000", 10, [(8, "400")])
    assert p.late_fee == D("30.00")  # 5% of the 600 still missing at the end of grace
    assert p.unpaid_minimum == D("600.00")


def test_paid_in_full_before_due_date_costs_nothing(rules):
    p = position(rules, "1000", "100", 10, [(12, "1000")])
    assert p.total_due == D("0.00") and p.interest_to_date == D("0.00") and not p.is_overdue


def test_not_yet_due_costs_nothing(rules):
    p = position(rules, "1000", "100", -5)
    assert p.total_due == D("1000.00") and p.days_overdue == 0 and p.days_until_credit_report == 9


def test_future_dated_payments_are_ignored(rules):
    assert position(rules, "1000", "100", 10, [(-2, "1000")]).paid_since_statement == D("0.00")


def test_consequences_follow_the_facts(rules):
    assert consequence_responses(position(rules, "12680", "1268", 35)) == [
        "utter_consequence_reported", "utter_consequence_costs", "utter_consequence_card_countdown"]
    assert consequence_responses(position(rules, "56000", "5600", 95, suspended=True))[-1] == "utter_card_suspended"
    assert consequence_responses(position(rules, "1000", "100", 2))[0] == "utter_consequence_grace"
    assert consequence_responses(position(rules, "3450.50", "345.05", 5, [(3, "1000")])) == ["utter_consequence_current"]


@pytest.mark.parametrize("text, crime", [("会被起诉吗", False), ("不还会坐牢吗", True), ("恶意透支是什么", True),
                                         ("会被抓吗", True), ("我会抓紧还", False), ("会影响征信吗", False), ("", False)])
def test_crime_words_are_recognized(text, crime):
    assert asks_about_crime(text) is crime


@pytest.mark.parametrize("selected, text, topic", [
    ("lawsuit", "会被起诉吗", "lawsuit"),        # being sued: civil facts
    ("lawsuit", "会被起诉坐牢吗", "crime"),       # the cardholder's words are about crime
    ("crime", "法院会判我吗", "overview"),         # the model said crime, the words do not
    (None, "逾期会怎样", "overview"),
])
def test_the_topic_answered_follows_the_question(selected, text, topic):
    assert consequence_topic(selected, text) == topic
