"""Properties that must hold for every input, not just the table rows a person wrote down.

hypothesis generates balances, payments, dates, terms and free text; the fee and plan
arithmetic must never go negative and must add up to the fen, the entity normalizer must
never raise, and the verification-lock arithmetic must only ever grow the wait.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.account_position import PaymentLine, compute_position
from bot.domain.installments import plan_for_term
from bot.domain.money import FEN, to_money
from bot.domain.product_rules import load_rules
from bot.domain.redaction import mask_digits, redact_events
from bot.domain.verification_lock import LockPolicy, locked_until
from bot.nlu.normalizer import extract_entities, normalize
from bot.log_redaction import redact

RULES = load_rules()
TODAY = date(2026, 12, 1)
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2)


def is_fen(amount: Decimal) -> bool:
    return amount == amount.quantize(FEN)


@settings(max_examples=300, deadline=None)
@given(
    balance=money,
    minimum_share=st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=2),
    due_days_ago=st.integers(min_value=-30, max_value=400),
    payments=st.lists(st.tuples(st.integers(min_value=0, max_value=60), money), max_size=5),
)
def test_an_account_position_is_never_negative_and_adds_up(balance, minimum_share, due_days_ago, payments):
    minimum = to_money(balance * minimum_share)
    due = TODAY - timedelta(days=due_days_ago)
    lines = [PaymentLine(TODAY - timedelta(days=ago), amount) for ago, amount in payments]
    position = compute_position(statement_balance=balance, minimum_payment=minimum, due_date=due,
                                payments=lines, today=TODAY, rules=RULES)
    figures = (position.outstanding_principal, position.interest_to_date, position.late_fee,
               position.unpaid_minimum, position.total_due, position.paid_since_statement)
    assert all(figure >= 0 and is_fen(figure) for figure in figures)
    assert position.total_due == position.outstanding_principal + position.interest_to_date + position.late_fee
    assert position.outstanding_principal <= position.statement_balance
    assert position.late_fee <= to_money(minimum * RULES.late_fee_rate)
    assert position.days_overdue >= 0


@settings(max_examples=300, deadline=None)
@given(principal=money, term=st.sampled_from(sorted(RULES.installment_fee_rates)))
def test_a_plan_adds_up_to_the_fen_and_never_goes_negative(principal, term):
    plan = plan_for_term(principal, term, RULES)
    assert plan.monthly_payment * (term - 1) + plan.last_payment == plan.principal + plan.total_fee
    assert all(is_fen(x) and x >= 0 for x in (plan.monthly_payment, plan.last_payment, plan.total_fee))
    assert plan.annual_rate >= 0
    assert plan.total_fee == to_money(plan.principal * RULES.installment_fee_rates[term] * term)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=80))
def test_the_entity_normalizer_never_raises(text):
    for found in extract_entities(text, TODAY):
        assert text[found.start:found.end] == found.text
    for entity in ("amount", "installment_term", "date", "card_last4", "id_last6"):
        normalize(entity, text, TODAY)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="0123456789０１２３４５６７８９一二三四五六七八九零XxＸ卡号尾身份证后位 ", max_size=40))
def test_a_masked_verification_answer_keeps_no_digit(text):
    masked = mask_digits(text)
    assert len(masked) == len(text)
    assert not any(ch.isdigit() or ch in "一二三四五六七八九零Xx" for ch in masked)
    events = [{"event": "user", "text": text, "parse_data": {"text": text, "entities": []}},
              {"event": "slot", "name": "card_last4", "value": text or "6217"}]
    user, slot = redact_events(events)
    assert user["text"] == masked and slot["value"] == "****"


@settings(max_examples=200, deadline=None)
@given(failures=st.lists(st.integers(min_value=0, max_value=48 * 60), max_size=12))
def test_one_more_failure_never_shortens_a_lock(failures):
    policy = LockPolicy(3, timedelta(minutes=15), timedelta(hours=24), timedelta(hours=24))
    start = datetime(2026, 12, 1, tzinfo=timezone.utc)
    moments = sorted(start + timedelta(minutes=m) for m in failures)
    now = (moments[-1] if moments else start) + timedelta(seconds=1)
    before = locked_until(moments, policy, now)
    after = locked_until([*moments, now], policy, now)
    assert after is None or before is None or after >= before
    if before is not None:
        assert before - now <= policy.max_lock


@settings(max_examples=200, deadline=None)
@given(token=st.from_regex(r"[A-Za-z0-9_-]{8,40}", fullmatch=True))
def test_a_log_line_keeps_no_token(token):
    line = f'GET /conversations/x/tracker?token={token}&include_events=NONE "Authorization: Bearer {token}"'
    assert token not in redact(line)
