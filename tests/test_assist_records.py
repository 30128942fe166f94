"""Assist over the bank's records: the running summary, the drafted wrap-up note, what is gathered."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from bot.clock import bank_today
from bot.data.db import session_scope
from bot.domain.agent_phrases import load_phrases
from bot.domain.installments import plan_for_term
from bot.services import assist
from bot.services.accounts import cardholder_by_customer_id, primary_account
from bot.services.conversations import add_message, open_conversation
from bot.services.records import open_dispute, open_hardship, record_plan, record_promise

PHRASES = load_phrases()


def conversation_of(session, customer_id="C0001"):
    holder = cardholder_by_customer_id(session, customer_id)
    return open_conversation(session, holder), primary_account(session, holder.id)


def test_the_summary_lists_what_was_agreed_here_and_what_is_still_open(sessions, rules):
    today = bank_today()
    with session_scope(sessions) as session:
        conversation, account = conversation_of(session)
        promise = record_promise(session, account, Decimal("1268"), today + timedelta(days=5), False, conversation.id)
        plan = record_plan(session, account, plan_for_term(Decimal("12680"), 12, rules), conversation.id)
        dispute = open_dispute(session, account, "这笔不是我消费的", Decimal("88"), "an-earlier-conversation")
        customer = assist.conversation_customer(session, conversation.id, rules)
        summary = assist.running_summary(session, conversation.id, customer, PHRASES, today)
    agreed = {item["reference"]: item for item in summary["agreed"]}
    assert set(agreed) == {promise.reference, plan.reference}
    assert agreed[promise.reference]["detail"] == f"{(today + timedelta(days=5)).month}月{(today + timedelta(days=5)).day}日还款1,268.00元"
    assert agreed[plan.reference]["detail"] == "12期，每月1,140.35元"
    assert [(i["reference"], i["kind_label"]) for i in summary["open"]] == [(dispute.reference, "账单异议")]


def test_the_note_says_the_outcome_what_was_agreed_what_is_open_and_the_next_step(sessions, rules):
    today = bank_today()
    with session_scope(sessions) as session:
        conversation, account = conversation_of(session)
        promise = record_promise(session, account, Decimal("500"), today + timedelta(days=3), True, conversation.id)
        hardship = open_hardship(session, account, "失业", None, Decimal("300"), conversation.id)
        customer = assist.conversation_customer(session, conversation.id, rules)
        note = assist.draft_note(assist.running_summary(session, conversation.id, customer, PHRASES, today),
                                 "promise_recorded", PHRASES)
    lines = note.split("\n")
    assert lines[0] == "结果：已登记还款承诺"
    assert lines[1].startswith("已约定：还款承诺 " + promise.reference) and "500.00元" in lines[1]
    assert lines[2] == f"待处理：个性化分期申请 {hardship.reference}（审核中）"
    assert lines[3].startswith("下一步：") and "核对" in lines[3]


def test_nothing_agreed_nothing_open_needs_no_follow_up(sessions, rules):
    with session_scope(sessions) as session:
        conversation, _ = conversation_of(session, "C0002")
        customer = assist.conversation_customer(session, conversation.id, rules)
        note = assist.draft_note(assist.running_summary(session, conversation.id, customer, PHRASES, bank_today()),
                                 "informed", PHRASES)
    assert note == "结果：已解答\n下一步：无需跟进"


def test_an_anonymous_conversation_gathers_no_account_and_masks_what_was_typed(sessions, rules):
    with session_scope(sessions) as session:
        conversation = open_conversation(session, None)
        add_message(session, conversation, "customer", "我的卡号6222021234566217，不想活了")
        gathered = assist.gather(session, conversation.id, rules, PHRASES, bank_today())
    assert gathered.position is None and gathered.open_kinds == ()
    assert gathered.texts == ["我的卡号**** **** **** 6217，不想活了"]
    result = assist.compose(gathered, {"intent": {"name": "distress", "confidence": 0.97}, "entities": []}, 1, rules,
                            PHRASES, bank_today())
    assert result.offer.kind == "care" and result.suggestions[0].id == "distress_care"
    assert result.reading.intent == "distress"


def test_a_fallback_is_no_intent_and_identity_digits_are_never_read_back(rules):
    parse = {"intent": {"name": "nlu_fallback", "confidence": 0.3},
             "entities": [{"entity": "card_last4", "value": "6217"}, {"entity": "amount", "value": "2000"}]}
    reading = assist.reading_of(parse, ["嗯"], bank_today())
    assert reading.intent is None
    assert reading.entities == (("amount", "2000", "2,000.00元"),)
