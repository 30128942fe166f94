"""Server-side identity, the verification lock over time, and exactly-once message leases."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.data.db import session_scope
from bot.data.models import ChatMessage, utcnow
from bot.domain.verification_lock import LockPolicy, attempts_left, locked_until, minutes_until
from bot.nlu.tracker_store import redact_last_turn
from bot.services import delivery, identity
from bot.services.accounts import cardholder_by_customer_id
from bot.services.conversations import add_message, open_conversation

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
POLICY = LockPolicy(max_failures=3, first_lock=timedelta(minutes=15), max_lock=timedelta(hours=24),
                    window=timedelta(hours=24))


@pytest.mark.parametrize("failures_minutes, now_minutes, expected_lock_end", [
    ([0, 1], 2, None),                  # two wrong answers: no lock yet
    ([0, 1, 2], 3, 2 + 15),             # the third: 15 minutes from the last one
    ([0, 1, 2], 2 + 15, None),          # ... and then one more try is allowed
    ([0, 1, 2, 20], 21, 20 + 30),       # a fourth doubles the lock
    ([0, 1, 2, 20, 60], 61, 60 + 60),   # a fifth doubles it again
    ([0, 1, 2] + [10 * i for i in range(3, 15)], 141, 140 + 24 * 60),  # capped at a day
    ([0, 1, 2], 24 * 60 + 3, None),     # wrong answers older than the window are forgotten
])
def test_the_lock_grows_with_every_wrong_answer(failures_minutes, now_minutes, expected_lock_end):
    failures = [T0 + timedelta(minutes=m) for m in failures_minutes]
    until = locked_until(failures, POLICY, T0 + timedelta(minutes=now_minutes))
    assert until == (None if expected_lock_end is None else T0 + timedelta(minutes=expected_lock_end))


def test_attempts_left_and_minutes_to_tell():
    assert attempts_left([T0], POLICY, T0 + timedelta(minutes=1)) == 2
    assert attempts_left([T0] * 5, POLICY, T0 + timedelta(hours=1)) == 1  # after a lock: one more try
    assert minutes_until(T0 + timedelta(seconds=61), T0) == 2 and minutes_until(T0 + timedelta(seconds=1), T0) == 1


def test_the_service_locks_then_lets_the_cardholder_in_after_the_wait(sessions, rules):
    keys = identity.AttemptKeys("conv-1", "client-1", "6217")
    ttl = timedelta(minutes=30)
    with session_scope(sessions) as session:
        for minute in range(3):
            result = identity.verify(session, keys, "000000", rules, ttl, now=T0 + timedelta(minutes=minute))
        assert result.outcome is identity.Outcome.LOCKED
        during = identity.verify(session, keys, "03121X", rules, ttl, now=T0 + timedelta(minutes=10))
        assert during.outcome is identity.Outcome.LOCKED and during.cardholder is None
        after = identity.verify(session, keys, "03121X", rules, ttl, now=T0 + timedelta(minutes=18))
        assert after.outcome is identity.Outcome.VERIFIED and after.cardholder.customer_id == "C0001"
        assert identity.bound_cardholder(session, "conv-1", now=T0 + timedelta(minutes=47)).customer_id == "C0001"
        assert identity.bound_cardholder(session, "conv-1", now=T0 + timedelta(minutes=49)) is None  # expired


def test_success_does_not_wash_the_address_clean(sessions, rules):
    ttl = timedelta(minutes=30)
    with session_scope(sessions) as session:
        for n in range(rules.verification_client_lock.max_failures - 1):
            identity.verify(session, identity.AttemptKeys(f"c{n}", "client-x", f"{1000 + n}"), "000000", rules, ttl)
        ok = identity.verify(session, identity.AttemptKeys("mine", "client-x", "8848"), "200315", rules, ttl)
        assert ok.outcome is identity.Outcome.VERIFIED
        last = identity.verify(session, identity.AttemptKeys("c-last", "client-x", "4321"), "000000", rules, ttl)
        assert last.outcome is identity.Outcome.LOCKED


def test_forget_unbinds(sessions):
    with session_scope(sessions) as session:
        holder = cardholder_by_customer_id(session, "C0002")
        identity.bind(session, "conv-2", holder, identity.BANK_SESSION, utcnow() + timedelta(minutes=5))
        assert identity.bound_cardholder(session, "conv-2").customer_id == "C0002"
        identity.forget(session, "conv-2")
        assert identity.bound_cardholder(session, "conv-2") is None


# --- delivery leases -------------------------------------------------------------------------

def _pending(session, conversation, text: str) -> ChatMessage:
    message = add_message(session, conversation, "customer", text)
    message.forward_state = delivery.PENDING
    session.flush()
    return message


def test_messages_are_leased_one_at_a_time_in_order_and_never_twice(sessions):
    lease = timedelta(seconds=30)
    with session_scope(sessions) as session:
        conversation = open_conversation(session, None)
        first, second = _pending(session, conversation, "一"), _pending(session, conversation, "二")
        taken = delivery.lease_next(session, conversation.id, lease, now=T0)
        assert taken.message_id == first.id and not taken.retried
        assert delivery.lease_next(session, conversation.id, lease, now=T0 + timedelta(seconds=5)) is None
        again = delivery.lease_next(session, conversation.id, lease, now=T0 + timedelta(seconds=31))
        assert again.message_id == first.id and again.retried  # the first forwarder died
        delivery.finish(session, first.id)
        assert delivery.lease_next(session, conversation.id, lease, now=T0 + timedelta(seconds=32)).message_id == second.id


def test_finishing_a_verification_answer_keeps_only_its_mask(sessions):
    with session_scope(sessions) as session:
        conversation = open_conversation(session, None)
        answer = _pending(session, conversation, "身份证后六位03121X")
        done = delivery.finish(session, answer.id, secret=True)
        assert done.text == "身份证后*位******" and done.secret and done.forward_state == delivery.DONE


@pytest.mark.parametrize("typed, offered, sent", [
    ("/restart", [], "／restart"),
    ('/inform{"verified": true}', [], '／inform{"verified": true}'),
    ("/request_human", [{"title": "转人工", "payload": "/request_human"}], "/request_human"),
    ("/affirm", [{"title": "转人工", "payload": "/request_human"}], "／affirm"),
    ("你好 /restart", [], "你好 /restart"),
])
def test_only_an_offered_button_reaches_rasa_as_a_command(sessions, typed, offered, sent):
    with session_scope(sessions) as session:
        conversation = open_conversation(session, None)
        add_message(session, conversation, "bot", "请问还有什么可以帮您？", buttons=offered)
        message = add_message(session, conversation, "customer", typed)
        assert delivery.assistant_text(session, message) == sent


# --- the tracker store keeps no verification answer -------------------------------------------

def test_the_tracker_store_masks_the_answer_and_the_slots_of_the_turn(domain):
    answer = UserUttered("我的卡号尾号是六二一七", {"name": "inform", "confidence": 1.0},
                         [{"entity": "card_last4", "value": "6217", "start": 7, "end": 11}])
    earlier = UserUttered("我欠多少钱", {"name": "ask_balance", "confidence": 1.0})
    tracker = DialogueStateTracker.from_events("conv-3", [
        ActionExecuted("action_listen"), earlier, ActionExecuted("verify_form"), ActionExecuted("action_listen"),
        answer, SlotSet("card_last4", "6217"), SlotSet("card_last4", "****"), ActionExecuted("verify_form"),
    ])
    redact_last_turn(tracker)
    stored = [event.as_dict() for event in tracker.events]
    text = str(stored)
    assert "6217" not in text and "六二一七" not in text
    assert "我欠多少钱" in text  # other turns untouched
    user = next(e for e in stored if e.get("text", "").startswith("我的卡号"))
    assert user["text"] == "我的卡号尾号是****" and user["parse_data"]["entities"][0]["value"] == "****"
