"""One conversation per user story, through the real Rasa server, action server and database."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import bank_today
from bot.data.models import ContactLog, HandoffRequest, InstallmentPlanRecord, PromiseToPay
from tests.action_harness import bind_conversation

pytestmark = pytest.mark.e2e


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def verify(assistant, sender, card="6217", id_last6="03121X") -> str:
    assistant.say(sender, card)
    return texts(assistant.say(sender, id_last6))


def test_balance_only_after_verification(assistant, sender):
    first = texts(assistant.say(sender, "我现在欠了多少钱"))
    assert "卡号的末四位" in first and "12,680" not in first
    assert "身份证" in texts(assistant.say(sender, "6217"))
    reply = texts(assistant.say(sender, "03121X"))
    assert "身份核实成功" in reply
    for figure in ("12,680.00", "1,268.00", "221.90", "63.40", "12,965.30", "逾期35天"):
        assert figure in reply


def test_verification_takes_the_answer_given_in_either_order(assistant, sender):
    assistant.say(sender, "我欠多少钱")
    noted = texts(assistant.say(sender, "03121X"))  # the ID, though the card was asked for
    assert "身份证后六位已记下" in noted and "卡号的末四位" in noted and "不一致" not in noted
    reply = texts(assistant.say(sender, "6217"))
    assert "身份核实成功" in reply and "12,965.30" in reply


def test_both_answers_in_one_message_verify(assistant, sender):
    assistant.say(sender, "查一下我欠了多少")
    reply = texts(assistant.say(sender, "卡号尾号8848，身份证后六位200315"))
    assert "身份核实成功" in reply and "2,457.63" in reply


def test_logged_in_customer_is_not_asked_who_they_are(assistant, sender):
    bind_conversation(sender, "C0002", assistant.database_url)  # as the gateway does for a bank-site session
    reply = texts(assistant.say(sender, "查一下我的账单"))
    assert "末四位" not in reply and "3,450.50" in reply and "没有逾期" in reply


def test_a_customer_claimed_in_the_message_is_not_trusted(assistant, sender):
    metadata = {"customer_id": "C0002", "customer_signature": "f" * 64, "verified": True}
    reply = texts(assistant.say(sender, "查一下我的账单", metadata))
    assert "末四位" in reply and "3,450.50" not in reply


def test_installment_proposed_confirmed_and_recorded(assistant, sender):
    assistant.say(sender, "我想分12期还")
    reply = verify(assistant, sender)
    assert "1,140.35" in reply and "14.31%" in reply and "1,004.26" in reply
    booked = texts(assistant.say(sender, "/affirm"))
    assert "参考编号INS" in booked
    with assistant.sessions()() as session:
        plan = session.scalars(select(InstallmentPlanRecord).where(InstallmentPlanRecord.conversation_id == sender)).one()
        assert plan.term_months == 12


def test_monthly_budget_picks_a_term(assistant, sender):
    assistant.say(sender, "每个月只能还2000，能分期吗")
    reply = verify(assistant, sender)
    assert "最短可以选12期" in reply and "1,140.35" in reply


def test_promise_to_pay_recorded(assistant, sender):
    assistant.say(sender, "我明天还三千五")
    reply = verify(assistant, sender)
    assert "参考编号PTP" in reply and "3,500.00" in reply
    with assistant.sessions()() as session:
        promise = session.scalars(select(PromiseToPay).where(PromiseToPay.conversation_id == sender)).one()
        assert promise.promised_date == bank_today() + timedelta(days=1)


def test_payment_already_made_is_found(assistant, sender):
    assistant.say(sender, "我已经还过钱了")
    reply = verify(assistant, sender, "8848", "200315")
    assert "1,000.00" in reply and "入账" in reply


def test_human_handoff_queues_and_the_assistant_keeps_answering(assistant, sender):
    assistant.say(sender, "你好")
    reply = texts(assistant.say(sender, "转人工"))
    assert "人工客服" in reply or "回电" in reply
    assert assistant.tracker(sender)["paused"] is False  # never silent while waiting for a person
    assert "不是真人" in texts(assistant.say(sender, "你是机器人吗"))
    assert "前面还有" in texts(assistant.say(sender, "转人工")) or "回电" in reply
    with assistant.sessions()() as session:
        handoff = session.scalars(select(HandoffRequest).where(HandoffRequest.conversation_id == sender)).one()
        assert handoff.status == "waiting"
        entry = session.scalars(select(ContactLog).where(ContactLog.conversation_id == sender)).one()
        assert entry.outcome == "handoff" and "request_human" in entry.intents


def test_not_the_cardholder_learns_nothing(assistant, sender):
    reply = texts(assistant.say(sender, "我不是持卡人，我是他老婆"))
    assert "隐私" in reply and "元" not in reply


def test_bot_says_it_is_automated(assistant, sender):
    assert "不是真人" in texts(assistant.say(sender, "你是机器人吗"))


@pytest.mark.parametrize("message", ["", " ", "啊" * 10_000, "😀😀😀", "hello can u help me",
                                     "<script>alert('x')</script>", "'; DROP TABLE cardholders; --"])
def test_bad_input_gets_a_sensible_reply(assistant, sender, message):
    replies = assistant.say(sender, message)
    assert replies and all(r.get("text") for r in replies)
    # and the conversation still works afterwards
    assert "不是真人" in texts(assistant.say(sender, "你是机器人吗"))


# --- several things in one message, real-life situations --------------------------------------------

def test_a_stolen_card_and_a_question_in_one_message_are_both_answered_the_card_first(assistant, sender):
    replies = [r.get("text", "") for r in assistant.say(sender, "我的信用卡被盗刷了！另外问一下，逾期会上征信吗？")]
    freeze = next(i for i, text in enumerate(replies) if "冻结" in text)
    credit = next(i for i, text in enumerate(replies) if "征信" in text and "保留5年" in text)
    assert freeze < credit


def test_a_question_and_a_promise_in_one_message_are_both_handled(assistant, sender):
    reply = texts(assistant.say(sender, "会被起诉吗？我下周五先还2000"))
    assert "民事诉讼" in reply and "恶意透支" not in reply  # the civil facts, never the criminal ones
    assert "末四位" in reply  # the promise form begins with who they are
    verify(assistant, sender)
    events = assistant.tracker(sender)["events"]
    assert any(e.get("event") == "active_loop" and e.get("name") == "promise_form" for e in events)


def test_distress_outranks_everything_in_the_message(assistant, sender):
    bind_conversation(sender, "C0001", assistant.database_url)
    reply = texts(assistant.say(sender, "我欠了这么多钱，真的不想活了，利息怎么算的"))
    assert "12356" in reply and "12,680" not in reply and "0.05%" not in reply


def test_a_contact_preference_is_recorded_without_a_call(assistant, sender):
    bind_conversation(sender, "C0001", assistant.database_url)
    reply = texts(assistant.say(sender, "别再给我打电话了，有事发短信"))
    assert "记录" in reply and "回电" not in reply


@pytest.mark.parametrize("question, answer", [
    ("宽限期有几天", "3天宽限期"),
    ("年费多少钱", "领用合约"),
    ("会不会被限制高消费", "执行阶段"),
    ("会影响孩子考公吗", "本人"),
    ("你们会上门催收吗", "不允许暴力"),
])
def test_each_question_gets_its_own_short_answer(assistant, sender, question, answer):
    reply = texts(assistant.say(sender, question))
    assert answer in reply and "恶意透支" not in reply


def test_a_short_delay_is_offered_a_promise_not_a_plan(assistant, sender):
    bind_conversation(sender, "C0001", assistant.database_url)
    reply = texts(assistant.say(sender, "我这个月工资还没发，能不能晚几天还"))
    assert "个性化分期" not in reply
    events = assistant.tracker(sender)["events"]
    assert any(e.get("event") == "active_loop" and e.get("name") == "promise_form" for e in events)
