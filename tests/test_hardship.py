"""The hardship path proposes the lightest arrangement that fits what the cardholder said."""
from datetime import date, timedelta
from decimal import Decimal as D

from bot.domain.hardship import OfferKind, hardship_offer

TODAY = date(2026, 12, 2)


def test_income_back_within_the_promise_window_is_a_promise_on_that_day(rules):
    offer = hardship_offer(D("12680"), D("300"), TODAY + timedelta(days=8), TODAY, rules)
    assert offer.kind is OfferKind.PROMISE and offer.pay_on == date(2026, 12, 10)


def test_income_back_beyond_the_window_is_not_a_promise(rules):
    far = TODAY + timedelta(days=rules.promise_max_days_ahead + 1)
    assert hardship_offer(D("12680"), D("1200"), far, TODAY, rules).kind is OfferKind.INSTALLMENT


def test_a_budget_gets_the_shortest_standard_plan_that_fits(rules):
    # DOMAIN.md check values for 12,680.00: 12 months 1,140.35 a month, 24 months 610.75
    assert hardship_offer(D("12680"), D("1200"), None, TODAY, rules).term_months == 12
    assert hardship_offer(D("12680"), D("1140.34"), None, TODAY, rules).term_months == 24


def test_a_budget_no_standard_plan_fits_or_no_budget_is_a_personalized_application(rules):
    assert hardship_offer(D("12680"), D("200"), None, TODAY, rules).kind is OfferKind.PERSONALIZED
    assert hardship_offer(D("12680"), None, None, TODAY, rules).kind is OfferKind.PERSONALIZED
    assert hardship_offer(D("12680"), D("0"), TODAY - timedelta(days=1), TODAY, rules).kind is OfferKind.PERSONALIZED
