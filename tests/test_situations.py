"""Real-life situations against a temporary database: distress, a stolen card, collectors,
contact preferences, case status, certificates, changing a promise."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from rasa.shared.nlu.training_data.message import Message
from sqlalchemy import select

from actions.account import ActionResumeRequest
from actions.promise import ActionSubmitPromise
from actions.situations import ActionCheckCollector, ActionRespondDistress
from bot.clock import bank_today
from bot.data.models import (
    CertificateRequest,
    CollectorReport,
    ContactPreference,
    HandoffRequest,
    PromiseToPay,
)
from bot.domain.certificates import CREDIT_OBJECTION, NON_MALICIOUS, REMOVAL, SETTLEMENT, certificate_kind
from bot.domain.distress import signals_distress
from bot.domain.promises import wants_cancel
from bot.nlu.distress import DistressFirst
from bot.services.accounts import cardholder_by_customer_id, primary_account
from bot.services.records import record_complaint, record_promise
from tests.action_harness import make_tracker, one, responses_of, run_action, slots_of, user_event, verified_slots


def asked(intent: str, text: str, **kw):
    """A verified conversation whose request (`intent`, `text`) came before the identity questions."""
    return make_tracker(slots=verified_slots(), intent="inform", text="03121X",
                        history=[user_event(text, intent)], **kw)


# --- distress comes first -------------------------------------------------------------------

@pytest.mark.parametrize("text, distressed", [
    ("我真的活不下去了", True), ("欠这么多，不如死了算了", True), ("我想自杀", True),
    ("我活不下去了，还要还多少钱", True), ("压力太大想一了百了", True), ("我站在楼顶，想跳楼", True),
    ("我想查一下欠款", False), ("我快被利息压死了", False), ("死活还不上", False), ("活动期间能减免吗", False),
])
def test_distress_is_recognized_in_any_message(text, distressed):
    assert signals_distress(text) is distressed


def test_distress_outranks_the_intent_the_model_chose():
    message = Message(data={"text": "我活不下去了，还要还多少钱", "intent": {"name": "ask_balance", "confidence": 0.9},
                            "intent_ranking": [{"name": "ask_balance", "confidence": 0.9}]})
    DistressFirst().process([message])
    assert message.get("intent") == {"name": "distress", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["distress", "ask_balance"]


def test_distress_gets_care_the_hotline_and_a_person_never_a_figure(database_url, sessions, domain, in_service_hours):
    tracker = make_tracker(slots=verified_slots(), intent="distress", text="我真的活不下去了")
    events, messages = run_action(ActionRespondDistress(), tracker, domain)
    assert responses_of(messages)[:2] == ["utter_distress", "utter_handoff_queued"]
    assert messages[0]["crisis_hotline"] == "12356" and messages[0]["emergency_numbers"] == "110/120"
    assert not any(key in m for m in messages for key in ("total_due", "amount", "outstanding"))
    handoff = one(sessions, HandoffRequest)
    assert handoff.reason == "distress" and handoff.priority >= 150


# --- a stolen card, a collector ---------------------------------------------------------------

def test_a_collector_question_gets_the_rule_and_a_record(database_url, sessions, domain):
    text = "有人让我把钱转到他个人账户，说是你们银行的"
    _, messages = run_action(ActionCheckCollector(), make_tracker(intent="verify_collector", text=text), domain)
    assert responses_of(messages) == ["utter_collector_personal_account", "utter_collector_recorded"]
    report = one(sessions, CollectorReport)
    assert report.description == text and report.reference == messages[1]["reference"]


# --- requests that need identity ---------------------------------------------------------------

def test_a_contact_preference_is_recorded_and_no_call_is_scheduled(database_url, sessions, domain):
    _, messages = run_action(ActionResumeRequest(), asked("stop_contact", "别再给我打电话了，发短信就行"), domain)
    assert responses_of(messages) == ["utter_contact_preference_recorded", "utter_contact_preference_honest"]
    assert one(sessions, ContactPreference).request == "别再给我打电话了，发短信就行"
    with sessions() as session:
        assert session.scalars(select(HandoffRequest)).all() == []


def test_case_status_lists_the_cardholders_records(database_url, sessions, domain):
    _, messages = run_action(ActionResumeRequest(), asked("ask_case_status", "我的申请怎么样了"), domain)
    assert responses_of(messages) == ["utter_cases_none"]
    with sessions.begin() as session:
        holder = cardholder_by_customer_id(session, "C0001")
        promise = record_promise(session, primary_account(session, holder.id), Decimal("500"),
                                 bank_today() + timedelta(days=3), True, "earlier")
        complaint = record_complaint(session, holder, "attitude", "态度不好", False, "earlier")
        references = {promise.reference, complaint.reference}
    _, messages = run_action(ActionResumeRequest(), asked("ask_case_status", "我的申请怎么样了"), domain)
    lines = [m for m in messages if m["response"] == "utter_case_line"]
    assert responses_of(messages)[0] == "utter_cases" and {m["reference"] for m in lines} == references
    assert {(m["kind"], m["status"]) for m in lines} == {("还款承诺", "处理中"), ("投诉", "处理中")}


@pytest.mark.parametrize("text, response, kind", [
    ("征信上的逾期不是我的，我要提异议", "utter_certificate_objection", CREDIT_OBJECTION),
    ("买房要非恶意逾期证明", "utter_certificate_non_malicious", NON_MALICIOUS),
    ("还清了，开个结清证明", "utter_certificate_settlement", SETTLEMENT),
])
def test_certificates_are_recorded_with_what_the_bank_does(database_url, sessions, domain, text, response, kind):
    _, messages = run_action(ActionResumeRequest(), asked("request_certificate", text), domain)
    assert responses_of(messages) == [response]
    request = one(sessions, CertificateRequest)
    assert request.kind == kind and request.reference == messages[0]["reference"]
    if kind == CREDIT_OBJECTION:
        assert messages[0]["days"] == 20


def test_a_true_record_cannot_be_removed(database_url, sessions, domain):
    _, messages = run_action(ActionResumeRequest(), asked("request_certificate", "花钱能把逾期记录删掉吗"), domain)
    assert responses_of(messages) == ["utter_certificate_removal"] and messages[0]["retention_years"] == 5
    with sessions() as session:
        assert session.scalars(select(CertificateRequest)).all() == []


@pytest.mark.parametrize("text, kind", [
    ("我要开结清证明", SETTLEMENT), ("非恶意逾期证明怎么开", NON_MALICIOUS), ("征信记录有误，申请更正", CREDIT_OBJECTION),
    ("能不能把逾期记录消除", REMOVAL), ("征信修复要多少钱", REMOVAL), ("给我出个证明", SETTLEMENT),
])
def test_certificate_kinds(text, kind):
    assert certificate_kind(text) == kind


# --- changing a promise ---------------------------------------------------------------------

def _promise(sessions) -> str:
    with sessions.begin() as session:
        account = primary_account(session, cardholder_by_customer_id(session, "C0001").id)
        return record_promise(session, account, Decimal("3000"), bank_today() + timedelta(days=5), False, "x").reference


def test_no_promise_to_change_offers_to_record_one(database_url, domain):
    _, messages = run_action(ActionResumeRequest(), asked("change_promise", "我要改还款日期"), domain)
    assert responses_of(messages) == ["utter_no_promise_to_change"]


def test_a_promise_is_cancelled_on_request(database_url, sessions, domain):
    reference = _promise(sessions)
    _, messages = run_action(ActionResumeRequest(), asked("change_promise", "帮我取消那个还款承诺"), domain)
    assert responses_of(messages) == ["utter_promise_cancelled"] and messages[0]["reference"] == reference
    assert one(sessions, PromiseToPay).status == "cancelled"


def test_a_changed_promise_is_replaced_by_the_new_one(database_url, sessions, domain):
    reference = _promise(sessions)
    events, messages = run_action(ActionResumeRequest(), asked("change_promise", "还款日期改到月底"), domain)
    assert responses_of(messages) == ["utter_promise_change_start"]
    assert slots_of(events)["promise_to_replace"] == reference
    assert {"event": "followup", "name": "promise_form"}.items() <= next(e for e in events if e["event"] == "followup").items()
    when = (bank_today() + timedelta(days=10)).isoformat()
    tracker = make_tracker(slots={**verified_slots(), "promise_amount": "2000.00", "promise_date": when,
                                  "promise_to_replace": reference})
    _, messages = run_action(ActionSubmitPromise(), tracker, domain)
    assert responses_of(messages)[-1] == "utter_promise_replaced"
    with sessions() as session:
        statuses = {p.reference: p.status for p in session.scalars(select(PromiseToPay))}
    assert statuses[reference] == "replaced" and sorted(statuses.values()) == ["open", "replaced"]


@pytest.mark.parametrize("text, cancel", [("取消还款承诺", True), ("之前的作废吧", True), ("改到下周五", False),
                                          ("金额改成两千", False)])
def test_cancel_or_change(text, cancel):
    assert wants_cancel(text) is cancel
