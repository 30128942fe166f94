"""Every action against a temporary database with the demo cardholders."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from actions.account import ActionExplainConsequences, ActionExplainFees, ActionRespondRefusal, ActionResumeRequest
from actions.cases import ActionAskHardshipApply, ActionSubmitDispute, ActionSubmitHardship, ValidateDisputeForm, ValidateHardshipForm
from actions.handoff import (
    ActionDefaultAskAffirmation,
    ActionFileComplaint,
    ActionHandleNotCardholder,
    ActionHandoff,
    ActionLogContact,
)
from actions.identity import ValidateVerifyForm
from actions.installment import (
    ActionAskInstallmentConfirmed,
    ActionAskInstallmentTerm,
    ActionSubmitInstallment,
    ValidateInstallmentForm,
)
from actions.promise import ActionSubmitPromise, ValidatePromiseForm
from actions.session import ActionSessionStart
from api.services.gateway import bubbles
from bot.clock import bank_today
from bot.domain.wording import format_date
from bot.data.db import session_factory, session_scope
from bot.data.models import (
    Cardholder,
    Complaint,
    ContactLog,
    DisputeCase,
    FeeWaiverRequest,
    HandoffRequest,
    HardshipApplication,
    InstallmentPlanRecord,
    PromiseToPay,
    VerificationFailure,
    utcnow,
)
from bot.services import handoff as handoff_service
from bot.services import identity
from bot.services.accounts import cardholder_by_customer_id
from bot.settings import get_settings
from tests.action_harness import (
    bind_conversation,
    make_tracker,
    one,
    responses_of,
    run_action,
    slots_of,
    user_event,
    verified_slots,
)


def texts_of(messages, domain):
    """The bubbles as the cardholder reads them: response templates filled, list lines joined."""
    replies = []
    for m in messages:
        if m.get("response"):
            response = domain["responses"][m["response"]][0]
            text = response["text"].format(**{k: v for k, v in m.items() if k != "response"})
            replies.append({"text": text, "custom": response.get("custom")})
        elif m.get("text"):
            replies.append({"text": m["text"]})
    return [text for text, _buttons in bubbles(replies)]


def next_question(slots: dict, required: list[str], filled: dict | None = None) -> str | None:
    """The slot the form asks for next: the SDK's choice, or else Rasa's (the first one missing)."""
    if "requested_slot" in slots:
        return slots["requested_slot"]
    known = {**(filled or {}), **slots}
    return next((name for name in required if known.get(name) is None), None)


# --- identity -------------------------------------------------------------------------------

def form_tracker(form: str, set_now: dict, slots: dict | None = None, **kw):
    return make_tracker(set_now=set_now, slots=slots, active_loop=form, **kw)


def _answer(sender: str, card: str, id_last6: str, domain, metadata: dict | None = None):
    """The cardholder answers both identity questions in one message, as the form sees it."""
    tracker = form_tracker("verify_form", {"card_last4": card, "id_last6": id_last6}, sender_id=sender, metadata=metadata)
    events, messages = run_action(ValidateVerifyForm(), tracker, domain)
    return slots_of(events), messages


def test_correct_card_and_id_verify_the_conversation_in_the_bank_records(database_url, sessions, domain):
    slots, messages = _answer("conversation-1", "6217", "03121x", domain)
    assert slots["verified"] is True and slots["customer_id"] == "C0001"
    assert slots["requested_slot"] is None and "utter_verified" in responses_of(messages)
    assert slots["card_last4"] == slots["id_last6"] == "****"  # no slot keeps the digits
    with sessions() as session:
        assert identity.bound_cardholder(session, "conversation-1").customer_id == "C0001"


def test_the_card_waits_for_the_id_in_the_bank_database_not_in_a_slot(database_url, domain):
    tracker = form_tracker("verify_form", {"card_last4": "6217"})
    events, _ = run_action(ValidateVerifyForm(), tracker, domain)
    assert slots_of(events)["card_last4"] == "****"
    tracker = form_tracker("verify_form", {"id_last6": "03121X"}, slots={"card_last4": "****"})
    events, _ = run_action(ValidateVerifyForm(), tracker, domain)
    assert slots_of(events)["verified"] is True and slots_of(events)["customer_id"] == "C0001"


def test_a_mismatch_is_asked_again_and_counted_server_side(database_url, sessions, domain):
    slots, messages = _answer("conversation-1", "6217", "200315", domain)
    assert slots.get("verified") is not True and slots["card_last4"] is None
    assert next_question(slots, ["card_last4", "id_last6"]) == "card_last4"
    said = [m for m in messages if m.get("response")]
    assert said[0]["response"] == "utter_verification_mismatch" and said[0]["attempts_left"] == 2
    assert {"custom": {"verification_answer": True}}.items() <= messages[0].items()  # the gateway masks it
    with sessions() as session:
        counted = {(f.scope, f.key) for f in session.scalars(select(VerificationFailure))}
    assert counted == {("conversation", "conversation-1"), ("card", "6217")}


def test_third_failure_locks_and_the_lock_outlives_restart_and_the_conversation(database_url, domain):
    for attempt in range(3):
        slots, messages = _answer("conversation-1", "6217", f"00000{attempt}", domain)
    assert slots["verification_locked"] is True and slots["requested_slot"] is None
    locked = [m for m in messages if m.get("response") == "utter_verification_locked"]
    assert responses_of(messages) == ["utter_verification_locked"] and locked[0]["minutes"] == 15
    # /restart wipes the slots, not the lock: even the right answer is not looked at now
    slots, _ = _answer("conversation-1", "8848", "200315", domain)
    assert slots.get("verified") is not True and slots["verification_locked"] is True
    # a new conversation about the same card meets the card's lock
    slots, messages = _answer("conversation-2", "6217", "03121X", domain)
    assert slots.get("verified") is not True and "utter_verification_locked" in responses_of(messages)
    # and a locked conversation asks nothing more and reveals nothing
    locked = form_tracker("verify_form", {}, intent="ask_balance")
    events, _ = run_action(ValidateVerifyForm(), locked, domain)
    assert slots_of(events)["verification_locked"] is True and slots_of(events).get("requested_slot") is None
    _, messages = run_action(ActionResumeRequest(), make_tracker(intent="ask_balance"), domain)
    assert responses_of(messages) == ["utter_verification_locked"]


def test_many_cards_from_one_address_lock_the_address(database_url, domain, rules):
    client = {"client": "address-key-1"}
    cards = [f"{n:04d}" for n in range(1000, 1000 + rules.verification_client_lock.max_failures)]
    for number, card in enumerate(cards):  # one wrong answer per conversation and card
        _answer(f"guess-{number}", card, "123456", domain, metadata=client)
    slots, _ = _answer("guess-new", "8848", "200315", domain, metadata=client)
    assert slots.get("verified") is not True and slots["verification_locked"] is True
    slots, _ = _answer("elsewhere", "8848", "200315", domain, metadata={"client": "address-key-2"})
    assert slots["verified"] is True


def test_id_digits_given_when_the_card_was_asked_are_taken(database_url, domain):
    tracker = form_tracker("verify_form", {"card_last4": "03121X"})
    events, messages = run_action(ValidateVerifyForm(), tracker, domain)
    slots = slots_of(events)
    assert responses_of(messages) == ["utter_id_noted"] and slots["id_last6"] == "****"
    assert next_question(slots, ["card_last4", "id_last6"], {"id_last6": "****"}) == "card_last4"
    tracker = form_tracker("verify_form", {"card_last4": "6217"}, slots={"id_last6": "****"})
    events, _ = run_action(ValidateVerifyForm(), tracker, domain)
    assert slots_of(events)["verified"] is True and slots_of(events)["customer_id"] == "C0001"


def test_three_malformed_answers_end_in_a_person_while_questions_are_not_counted(database_url, domain):
    for typed in ("我欠多少钱", "我忘了卡号", "怎么看卡号"):  # not attempts: explained, not counted
        events, messages = run_action(ValidateVerifyForm(), form_tracker("verify_form", {"card_last4": typed}), domain)
        said = next(m for m in messages if m.get("response"))
        assert said["response"] == "utter_invalid_card_last4" and said["attempts_left"] == 3
    for typed in ("62", "62177", "1234567"):  # attempts that fit neither answer
        events, messages = run_action(ValidateVerifyForm(), form_tracker("verify_form", {"card_last4": typed}), domain)
    assert slots_of(events)["verification_locked"] is True
    locked = next(m for m in messages if m.get("response") == "utter_verification_locked")
    assert locked["minutes"] == 15
    assert any(b["payload"] == "/request_human" for b in domain["responses"]["utter_verification_locked"][0]["buttons"])


@pytest.mark.parametrize("typed", ["62a7", "621", "62177", "卡号", "<script>alert(1)</script>"])
def test_invalid_card_digits_get_a_clear_reask(database_url, domain, typed):
    events, messages = run_action(ValidateVerifyForm(), form_tracker("verify_form", {"card_last4": typed}), domain)
    assert slots_of(events)["card_last4"] is None
    assert responses_of(messages) == ["utter_invalid_card_last4"]
    said = next(m for m in messages if m.get("response"))
    counted = any(ch.isdigit() for ch in typed)  # "卡号" is no attempt at an answer
    assert said["attempts_left"] == (2 if counted else 3) and "4位" in texts_of([said], domain)[0]


@pytest.mark.parametrize("typed", ["12345", "abcdef", "1234567", "12345Y"])
def test_invalid_id_digits_get_a_clear_reask(database_url, domain, typed):
    tracker = form_tracker("verify_form", {"id_last6": typed}, slots={"card_last4": "****"})
    events, messages = run_action(ValidateVerifyForm(), tracker, domain)
    assert slots_of(events)["id_last6"] is None
    assert responses_of(messages) == ["utter_invalid_id_last6"]


def test_a_customer_the_gateway_bound_skips_identity_questions(database_url, domain):
    bind_conversation("conversation-1", "C0002")
    tracker = form_tracker("verify_form", {}, intent="ask_balance")
    events, _ = run_action(ValidateVerifyForm(), tracker, domain)
    slots = slots_of(events)
    assert slots["verified"] is True and slots["customer_id"] == "C0002" and slots["requested_slot"] is None


def test_slots_that_claim_a_customer_prove_nothing(database_url, domain):
    forged = {"verified": True, "customer_id": "C0002"}
    _, messages = run_action(ActionResumeRequest(), make_tracker(slots=forged, intent="ask_balance"), domain)
    assert not any(m.get("response", "").startswith("utter_balance") for m in messages)
    events, _ = run_action(ValidateVerifyForm(), form_tracker("verify_form", {}, slots=forged, intent="ask_balance"), domain)
    assert slots_of(events)["verified"] is False and slots_of(events)["customer_id"] is None
    assert next_question(slots_of(events), ["card_last4", "id_last6"]) == "card_last4"


def test_an_expired_verification_is_asked_again(database_url, sessions, domain):
    with session_scope(sessions) as session:
        holder = cardholder_by_customer_id(session, "C0001")
        identity.bind(session, "conversation-1", holder, identity.CARD_AND_ID, utcnow() - timedelta(seconds=1))
    still_claimed = {"verified": True, "customer_id": "C0001"}
    _, messages = run_action(ActionResumeRequest(), make_tracker(slots=still_claimed, intent="ask_balance"), domain)
    assert not any(m.get("response", "").startswith("utter_balance") for m in messages)
    events, _ = run_action(ValidateVerifyForm(), form_tracker("verify_form", {}, slots=still_claimed), domain)
    assert slots_of(events)["verified"] is False


def test_session_start_mirrors_the_bank_records(database_url, domain):
    bind_conversation("conversation-1", "C0001")
    events, _ = run_action(ActionSessionStart(), make_tracker(), domain)
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"
    assert slots_of(events) == {"verified": True, "customer_id": "C0001"}
    events, _ = run_action(ActionSessionStart(), make_tracker(sender_id="someone-else"), domain)
    assert slots_of(events) == {}


# --- balance, payments, fee waiver ----------------------------------------------------------------

def test_balance_states_exact_figures(database_url, domain):
    tracker = make_tracker(slots=verified_slots("C0001"), intent="ask_balance", text="我欠多少",
                           history=[user_event("我欠多少", "ask_balance")])
    _, messages = run_action(ActionResumeRequest(), tracker, domain)
    text = "".join(texts_of(messages, domain))
    for figure in ("12,680.00", "1,268.00", "221.90", "63.40", "12,965.30", "逾期35天", "6217"):
        assert figure in text, figure
    assert one(session_factory(database_url), ContactLog).outcome == "informed"


def test_suspended_card_is_said(database_url, domain):
    tracker = make_tracker(slots=verified_slots("C0003"), intent="ask_balance")
    _, messages = run_action(ActionResumeRequest(), tracker, domain)
    assert "utter_card_suspended" in responses_of(messages)
    assert "58,940.00" in "".join(texts_of(messages, domain))


def test_payment_found_is_confirmed_with_posting(database_url, domain):
    tracker = make_tracker(slots=verified_slots("C0002"), intent="claim_paid", text="我已经还了")
    _, messages = run_action(ActionResumeRequest(), tracker, domain)
    found = messages[0]
    assert found["response"] == "utter_payment_found" and found["amount"] == "1,000.00"
    assert found["paid_date"] == format_date(bank_today() - timedelta(days=3), bank_today())  # 11月29日
    assert "utter_payment_posted" in responses_of(messages)
    assert "utter_balance_current" in responses_of(messages)


def test_payment_not_found_opens_a_trace_case(database_url, sessions, domain):
    tracker = make_tracker(slots=verified_slots("C0001"), intent="claim_paid", text="我昨天还了")
    _, messages = run_action(ActionResumeRequest(), tracker, domain)
    case = one(sessions, DisputeCase)
    assert case.kind == "payment_trace" and case.reference.startswith("TRC")
    assert messages[0]["response"] == "utter_payment_not_found" and messages[0]["reference"] == case.reference


def test_fee_waiver_is_recorded_for_review(database_url, sessions, domain):
    tracker = make_tracker(slots=verified_slots("C0001"), intent="request_fee_waiver")
    _, messages = run_action(ActionResumeRequest(), tracker, domain)
    waiver = one(sessions, FeeWaiverRequest)
    assert waiver.interest_at_request == Decimal("221.90") and waiver.late_fee_at_request == Decimal("63.40")
    assert messages[0]["reference"] == waiver.reference


# --- consequences, fees, refusal -------------------------------------------------------------------

def test_consequences_are_general_before_verification(database_url, domain):
    _, messages = run_action(ActionExplainConsequences(), make_tracker(intent="ask_consequence", text="逾期有什么后果"), domain)
    assert responses_of(messages) == ["utter_ask_consequence/overview", "utter_consequence_general_next", "utter_offer_options"]
    text = "".join(texts_of(messages, domain))
    assert "0.05%" in text and "5年" in text and "60天" in text and "12,680" not in text


def test_the_overview_is_all_personal_once_verified(database_url, domain):
    tracker = make_tracker(slots=verified_slots("C0001"), intent="ask_consequence/overview", text="逾期了会怎样")
    _, messages = run_action(ActionExplainConsequences(), tracker, domain)
    assert responses_of(messages)[:3] == ["utter_consequence_reported", "utter_consequence_costs", "utter_consequence_card_countdown"]
    text = "".join(texts_of(messages, domain))
    assert "逾期35天" in text and "221.90" in text and "还有26天" in text


@pytest.mark.parametrize("intent, text, answer, personal", [
    ("ask_consequence/credit_report", "会影响征信吗", "保留5年", "utter_consequence_reported"),
    ("ask_consequence/card_suspension", "卡会被停吗", "60天", "utter_consequence_card_countdown"),
    ("ask_consequence/children", "会影响孩子考公吗", "本人", None),
    ("ask_consequence/blacklist", "会进黑名单吗", "没有官方", "utter_consequence_reported"),
])
def test_each_consequence_question_gets_its_own_answer_and_the_figures_that_belong(
        database_url, domain, intent, text, answer, personal):
    tracker = make_tracker(slots=verified_slots("C0001"), intent=intent, text=text)
    _, messages = run_action(ActionExplainConsequences(), tracker, domain)
    names = responses_of(messages)
    assert names[0] == f"utter_{intent}" and answer in texts_of(messages, domain)[0]
    assert (names[1] == personal) if personal else names[1] == "utter_offer_options"
    assert "utter_ask_consequence/crime" not in names


def test_being_sued_gets_the_civil_facts_never_the_criminal_ones(database_url, domain):
    _, messages = run_action(ActionExplainConsequences(),
                             make_tracker(intent="ask_consequence/lawsuit", text="会被起诉吗"), domain)
    text = "".join(texts_of(messages, domain))
    assert "民事诉讼" in text and "刑法" not in text and "恶意透支" not in text


@pytest.mark.parametrize("intent", ["ask_consequence/crime", "ask_consequence/lawsuit", "ask_consequence"])
def test_crime_is_stated_only_when_asked_about_crime(database_url, domain, intent):
    _, messages = run_action(ActionExplainConsequences(), make_tracker(intent=intent, text="不还会坐牢吗"), domain)
    assert responses_of(messages)[:2] == ["utter_ask_consequence/crime", "utter_consequence_legal_relief"]
    _, messages = run_action(ActionExplainConsequences(), make_tracker(intent="ask_consequence/crime", text="我会抓紧还"), domain)
    assert "utter_ask_consequence/crime" not in responses_of(messages)


@pytest.mark.parametrize("intent, answer", [
    ("ask_fee/grace_days", "3天宽限期"), ("ask_fee/annual_fee", "领用合约"), ("ask_fee/late_fee", "5%"),
    ("ask_fee/installment_fee", "年化利率14.33%"), ("ask_fee/compound_interest", "0.05%"),
])
def test_each_fee_question_gets_its_own_answer(database_url, domain, intent, answer):
    _, messages = run_action(ActionExplainFees(), make_tracker(intent=intent), domain)
    assert responses_of(messages)[0] == f"utter_{intent}" and answer in texts_of(messages, domain)[0]
    assert set(responses_of(messages)[1:]) <= {"utter_fee_rate_line"}  # the rate table, a line per term


def test_fees_show_the_rates_from_the_rules(database_url, domain):
    _, messages = run_action(ActionExplainFees(), make_tracker(slots=verified_slots(), intent="ask_fee"), domain)
    text = "".join(texts_of(messages, domain))
    assert "每日0.05%" in text and "221.90" in text and "63.40" in text  # their own figures, once verified
    _, messages = run_action(ActionExplainFees(), make_tracker(intent="ask_fee/installment_fee"), domain)
    text = "".join(texts_of(messages, domain))
    # every installment rate stands beside its annualized rate (the disclosure rule)
    assert "12期：每月0.66%，年化利率14.31%" in text and "3期：每月0.75%，年化利率13.45%" in text


def test_refusal_gets_calm_facts_and_options(database_url, domain):
    _, messages = run_action(ActionRespondRefusal(), make_tracker(slots=verified_slots(), intent="refuse_to_pay"), domain)
    assert responses_of(messages) == ["utter_refusal_facts", "utter_refusal_facts_personal", "utter_offer_options"]


# --- installments ----------------------------------------------------------------------------

def test_installment_options_list_every_figure(database_url, domain):
    _, messages = run_action(ActionAskInstallmentTerm(), make_tracker(slots=verified_slots()), domain)
    assert responses_of(messages)[-1] == "utter_choose_installment_term"
    text = texts_of(messages, domain)[0]  # one bubble: the header and a line per plan
    for line in ("3期：每月4,321.77元（末期4,321.76元），总手续费285.30元，年化利率13.45%",
                 "12期：每月1,140.35元（末期1,140.41元），总手续费1,004.26元，年化利率14.31%",
                 "36期：每月434.64元（末期434.72元），总手续费2,967.12元，年化利率14.21%"):
        assert line in text
    assert [b["title"] for b in domain["responses"]["utter_choose_installment_term"][0]["buttons"]] == [
        "3期", "6期", "12期", "24期", "36期"]


def test_budget_picks_the_shortest_term_as_the_form_starts_after_verification(database_url, domain):
    tracker = form_tracker("installment_form", {}, slots={**verified_slots(), "monthly_budget": 2000}, intent="inform")
    events, messages = run_action(ValidateInstallmentForm(), tracker, domain)
    assert slots_of(events)["installment_term"] == 12  # the form asks the confirmation next
    assert "utter_installment_budget_fit" in responses_of(messages)


def test_budget_too_small_for_any_standard_plan_becomes_personalized(database_url, domain):
    tracker = form_tracker("installment_form", {"monthly_budget": 300}, slots=verified_slots(), intent="request_installment")
    events, _ = run_action(ValidateInstallmentForm(), tracker, domain)
    assert slots_of(events)["installment_term"] == 43  # 12,680 / 300 = 42.3 -> 43 months


@pytest.mark.parametrize("said, term", [(12, 12), (18, 12), (60, 60), (48, 48), (120, 60), (1, 3)])
def test_named_terms_are_mapped_to_what_the_bank_offers(database_url, domain, said, term):
    tracker = form_tracker("installment_form", {"installment_term": said}, slots=verified_slots())
    events, _ = run_action(ValidateInstallmentForm(), tracker, domain)
    assert slots_of(events)["installment_term"] == term


def test_confirmation_shows_the_chosen_plan(database_url, domain):
    tracker = make_tracker(slots={**verified_slots(), "installment_term": 6})
    _, messages = run_action(ActionAskInstallmentConfirmed(), tracker, domain)
    assert messages[0]["response"] == "utter_ask_installment_confirmed"
    assert (messages[0]["monthly"], messages[0]["fee"], messages[0]["rate"]) == ("2,202.09", "532.56", "14.26%")


def test_confirmed_plan_is_recorded_with_a_reference(database_url, sessions, domain):
    tracker = make_tracker(slots={**verified_slots(), "installment_term": 12, "installment_confirmed": True})
    events, messages = run_action(ActionSubmitInstallment(), tracker, domain)
    plan = one(sessions, InstallmentPlanRecord)
    assert (plan.term_months, plan.monthly_payment, plan.total_fee) == (12, Decimal("1140.35"), Decimal("1004.26"))
    assert plan.annual_rate.quantize(Decimal("0.0001")) == Decimal("0.1431")
    assert messages[0]["reference"] == plan.reference and plan.reference.startswith("INS")
    assert slots_of(events)["installment_term"] is None
    assert one(sessions, ContactLog).outcome == "plan_booked"


def test_declined_plan_records_nothing(database_url, sessions, domain):
    tracker = make_tracker(slots={**verified_slots(), "installment_term": 12, "installment_confirmed": False})
    _, messages = run_action(ActionSubmitInstallment(), tracker, domain)
    assert responses_of(messages) == ["utter_installment_declined"]
    with sessions() as session:
        assert session.scalars(select(InstallmentPlanRecord)).all() == []


def test_personalized_plan_becomes_an_application_and_a_handoff(database_url, sessions, domain):
    tracker = make_tracker(slots={**verified_slots("C0003"), "installment_term": 60, "installment_confirmed": True})
    events, messages = run_action(ActionSubmitInstallment(), tracker, domain)
    application = one(sessions, HardshipApplication)
    assert application.requested_term_months == 60
    handoff = one(sessions, HandoffRequest)
    assert handoff.reason == "personalized_installment"
    assert not any(e["event"] == "pause" for e in events)  # the assistant keeps answering while they wait
    assert responses_of(messages)[0] == "utter_personalized_submitted"


# --- promises to pay ----------------------------------------------------------------------------

@pytest.mark.parametrize("said, amount", [("3500", "3500.00"), ("三千五", "3500.00"), ("最低还款", "1268.00"),
                                          ("全部还清", "12965.30"), (1268.5, "1268.50")])
def test_promise_amounts(database_url, domain, said, amount):
    tracker = form_tracker("promise_form", {"promise_amount": said}, slots=verified_slots())
    events, _ = run_action(ValidatePromiseForm(), tracker, domain)
    assert slots_of(events)["promise_amount"] == amount


@pytest.mark.parametrize("said", ["0", "不知道", "-200", "💰💰"])
def test_bad_promise_amounts_are_asked_again(database_url, domain, said):
    tracker = form_tracker("promise_form", {"promise_amount": said}, slots=verified_slots())
    events, messages = run_action(ValidatePromiseForm(), tracker, domain)
    assert slots_of(events)["promise_amount"] is None
    assert responses_of(messages) == ["utter_invalid_promise_amount"]


def test_promise_dates_are_validated(database_url, domain):
    today = bank_today()
    cases = {
        "明天": (today + timedelta(days=1)).isoformat(),
        (today - timedelta(days=1)).isoformat(): None,
        (today + timedelta(days=45)).isoformat(): None,
        "随便哪天": None,
    }
    for said, expected in cases.items():
        tracker = form_tracker("promise_form", {"promise_date": said}, slots=verified_slots())
        events, messages = run_action(ValidatePromiseForm(), tracker, domain)
        assert slots_of(events)["promise_date"] == expected, said
    _, messages = run_action(ValidatePromiseForm(), form_tracker(
        "promise_form", {"promise_date": (today - timedelta(days=1)).isoformat()}, slots=verified_slots()), domain)
    assert responses_of(messages) == ["utter_promise_date_in_past"]
    _, messages = run_action(ValidatePromiseForm(), form_tracker(
        "promise_form", {"promise_date": (today + timedelta(days=45)).isoformat()}, slots=verified_slots()), domain)
    assert responses_of(messages) == ["utter_promise_date_too_far"]


def test_payday_is_asked_as_a_day_of_the_month(database_url, domain):
    events, messages = run_action(ValidatePromiseForm(), form_tracker(
        "promise_form", {"promise_date": "发工资那天"}, slots=verified_slots()), domain)
    assert slots_of(events)["promise_date"] is None and responses_of(messages) == ["utter_ask_payday"]
    events, _ = run_action(ValidatePromiseForm(), form_tracker(
        "promise_form", {"promise_date": "周末"}, slots=verified_slots()), domain)
    assert slots_of(events)["promise_date"] is not None


def test_promise_below_minimum_is_explained_and_recorded(database_url, sessions, domain):
    when = (bank_today() + timedelta(days=2)).isoformat()
    tracker = make_tracker(slots={**verified_slots(), "promise_amount": "500.00", "promise_date": when})
    events, messages = run_action(ActionSubmitPromise(), tracker, domain)
    assert responses_of(messages) == ["utter_promise_below_minimum", "utter_promise_recorded"]
    promise = one(sessions, PromiseToPay)
    assert promise.amount == Decimal("500.00") and promise.below_minimum and promise.promised_date.isoformat() == when
    assert messages[1]["reference"] == promise.reference
    assert slots_of(events) == {"promise_amount": None, "promise_date": None, "promise_to_replace": None}


# --- disputes, hardship, complaints, handoff --------------------------------------------------------

def test_dispute_needs_a_description_and_opens_a_case(database_url, sessions, domain):
    events, messages = run_action(ValidateDisputeForm(), form_tracker(
        "dispute_form", {"dispute_description": "不对"}, slots=verified_slots()), domain)
    assert slots_of(events)["dispute_description"] is None
    text = "10月12号网上商城那笔899元不是我买的"
    _, messages = run_action(ActionSubmitDispute(), make_tracker(slots={**verified_slots(), "dispute_description": text}), domain)
    case = one(sessions, DisputeCase)
    assert case.kind == "charge" and case.amount == Decimal("899.00") and case.description == text
    assert messages[0]["reference"] == case.reference
    assert domain["responses"]["utter_dispute_opened"][0]["buttons"][0]["payload"] == "/request_human"


def test_hardship_reason_is_what_they_said_before_the_identity_questions(database_url, domain):
    said = user_event("我失业半年了实在还不上", "report_hardship")
    tracker = form_tracker("hardship_form", {}, slots=verified_slots(), intent="inform", text="03121X", history=[said])
    events, _ = run_action(ValidateHardshipForm(), tracker, domain)
    assert slots_of(events)["hardship_reason"] == "我失业半年了实在还不上"
    # then income, budget and when income returns are asked, in the form's order, before any offer
    assert domain["forms"]["hardship_form"]["required_slots"] == [
        "hardship_reason", "monthly_budget", "income_return", "hardship_apply"]


@pytest.mark.parametrize("budget, income_return, offered", [
    (0.0, "不确定", "60个月"),               # nothing fits: a personalized plan, decided by an agent
    (1200.0, "不确定", "最短12期"),           # DOMAIN check values: 12 months is 1,140.35 a month
    (0.0, "下周五发工资", "还款的承诺"),      # a short delay: a promise to pay on that day
])
def test_hardship_asks_before_it_proposes_the_lightest_arrangement(database_url, domain, budget, income_return, offered):
    tracker = make_tracker(slots={**verified_slots(), "monthly_budget": budget, "income_return": income_return})
    _, messages = run_action(ActionAskHardshipApply(), tracker, domain)
    assert offered in texts_of(messages, domain)[0]


def test_a_short_delay_in_hardship_becomes_a_promise_form_with_their_date(database_url, domain):
    tracker = make_tracker(slots={**verified_slots(), "hardship_reason": "工资晚发", "monthly_budget": 0.0,
                                  "income_return": "10天后", "hardship_apply": True})
    events, _ = run_action(ActionSubmitHardship(), tracker, domain)
    assert slots_of(events)["promise_date"] == (bank_today() + timedelta(days=10)).isoformat()
    assert events[-1] == {"event": "followup", "name": "promise_form", "timestamp": None}


def test_hardship_application_is_handed_to_an_agent(database_url, sessions, domain):
    tracker = make_tracker(slots={**verified_slots(), "hardship_reason": "生病住院", "hardship_apply": True,
                                  "monthly_budget": 0.0, "income_return": "说不准，可能明年"},
                           history=[user_event("生病住院了，活不下去了", "report_hardship")])
    events, messages = run_action(ActionSubmitHardship(), tracker, domain)
    application = one(sessions, HardshipApplication)
    assert application.reason == "生病住院" and application.income_return == "说不准，可能明年"  # for the agent
    handoff = one(sessions, HandoffRequest)
    assert handoff.reason == "hardship" and handoff.summary["sentiment"] == "distressed"
    assert not any(e["event"] == "pause" for e in events)  # the assistant keeps answering while they wait


def test_complaint_about_family_calls_is_recorded_honoured_and_prioritized(database_url, sessions, domain):
    text = "你们的人天天给我爸妈打电话，别再联系我家人了"
    tracker = make_tracker(slots=verified_slots(), intent="complain", text=text)
    events, messages = run_action(ActionFileComplaint(), tracker, domain)
    complaint = one(sessions, Complaint)
    assert complaint.category == "third_party_contact" and complaint.do_not_contact_family
    with sessions() as session:
        assert session.scalar(select(Cardholder).where(Cardholder.customer_id == "C0001")).do_not_contact_family
    assert responses_of(messages)[:4] == ["utter_complaint_apology", "utter_complaint_recorded",
                                         "utter_complaint_no_third_party", "utter_complaint_hotline"]
    handoff = one(sessions, HandoffRequest)
    assert handoff.reason == "complaint" and handoff.priority >= 100
    assert not any(e["event"] == "pause" for e in events)  # the assistant keeps answering while they wait


@pytest.mark.parametrize("text, category", [("催收的人态度太差还骂人", "attitude"), ("半夜一直打电话骚扰我", "harassment"),
                                            ("我要投诉", "other"), ("我要投诉你们公司", "other"),
                                            ("我要找你们领导投诉", "other")])
def test_complaint_categories(database_url, sessions, domain, text, category, in_service_hours):
    _, messages = run_action(ActionFileComplaint(), make_tracker(intent="complain", text=text), domain)
    complaint = one(sessions, Complaint)
    assert complaint.category == category and complaint.cardholder_id is None
    # "your company" is the bank, not the cardholder's family: nothing about contacting family is said
    assert not complaint.do_not_contact_family and "utter_complaint_no_third_party" not in responses_of(messages)


def test_handoff_summary_is_masked_and_complete(database_url, sessions, domain):
    history = [user_event("我的卡号6222021234566217，欠多少", "ask_balance"), user_event("转人工", "request_human")]
    tracker = make_tracker(slots=verified_slots(), intent="request_human", text="转人工", history=history)
    events, messages = run_action(ActionHandoff(), tracker, domain)
    handoff = one(sessions, HandoffRequest)
    summary = handoff.summary
    assert summary["verified"] and summary["customer"] == {"customer_id": "C0001", "name": "张*"}
    assert summary["card"] == "**** **** **** 6217"
    assert summary["figures"]["total_due"] == "12,965.30" and summary["figures"]["days_overdue"] == 35
    assert "6222021234566217" not in str(summary) and "张伟" not in str(summary)
    assert "ask_balance" in summary["intents"]
    assert not any(e["event"] == "pause" for e in events)
    assert responses_of(messages)[0] in ("utter_handoff_queued", "utter_handoff_callback")
    assert one(sessions, ContactLog).outcome == "handoff"


def test_second_handoff_request_keeps_one_queue_entry(database_url, sessions, domain, in_service_hours):
    tracker = make_tracker(intent="request_human", text="转人工")
    run_action(ActionHandoff(), tracker, domain)
    _, messages = run_action(ActionHandoff(), tracker, domain)
    assert one(sessions, HandoffRequest).summary["verified"] is False
    assert messages[0]["response"] == "utter_handoff_queued" and messages[0]["ahead"] == 0


def test_outside_service_hours_an_anonymous_visitor_is_told_the_hours_not_promised_a_call(
    database_url, sessions, domain, monkeypatch
):
    monkeypatch.setattr(handoff_service, "within_service_hours", lambda moment, rules: False)
    _, messages = run_action(ActionHandoff(), make_tracker(intent="request_human", text="转人工"), domain)
    assert responses_of(messages) == ["utter_handoff_closed_hours"] and messages[0]["start"] == "09:00"
    with sessions() as session:
        assert session.scalars(select(HandoffRequest)).all() == []
    # a verified cardholder can be called back
    _, messages = run_action(ActionHandoff(), make_tracker(slots=verified_slots(), intent="request_human"), domain)
    assert responses_of(messages) == ["utter_handoff_callback"] and one(sessions, HandoffRequest).callback_requested


def test_not_the_cardholder_learns_nothing_and_identity_is_forgotten(database_url, sessions, domain):
    tracker = make_tracker(slots=verified_slots(), intent="not_cardholder", text="我是他老婆")
    events, messages = run_action(ActionHandleNotCardholder(), tracker, domain)
    assert responses_of(messages) == ["utter_not_cardholder"]
    assert slots_of(events)["verified"] is False and slots_of(events)["customer_id"] is None
    with sessions() as session:
        assert identity.bound_cardholder(session, "conversation-1") is None


def test_contact_log_keeps_intents_and_strongest_outcome(database_url, sessions, domain):
    history = [user_event("你好", "greet"), user_event("我欠多少", "ask_balance"), user_event("拜拜", "goodbye")]
    run_action(ActionLogContact(), make_tracker(slots=verified_slots(), history=history, intent="goodbye"), domain)
    entry = one(sessions, ContactLog)
    assert entry.intents == ["greet", "ask_balance", "goodbye"] and entry.verified and entry.outcome == "informed"


def test_fallback_asks_for_affirmation_in_chinese(database_url, domain):
    _, messages = run_action(ActionDefaultAskAffirmation(), make_tracker(intent="ask_balance"), domain)
    assert messages[0]["intent_label"] == "查询欠款"
    _, messages = run_action(ActionDefaultAskAffirmation(), make_tracker(intent="nlu_fallback"), domain)
    assert responses_of(messages) == ["utter_ask_rephrase"]


def test_budget_given_in_answer_to_the_options_chooses_the_term(database_url, domain):
    tracker = form_tracker("installment_form", {}, slots={**verified_slots(), "requested_slot": "installment_term"},
                           intent="inform", text="每月还1000",
                           entities=[{"entity": "amount", "value": 1000, "start": 2, "end": 6}])
    events, messages = run_action(ValidateInstallmentForm(), tracker, domain)
    assert slots_of(events)["installment_term"] == 24


def test_a_database_failure_gets_an_apology_not_silence(tmp_path, monkeypatch, domain):
    from actions import context

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'no-tables.db'}")
    get_settings.cache_clear()
    context._factory.cache_clear()
    try:
        tracker = make_tracker(slots={"verified": True, "customer_id": "C0001"}, intent="ask_balance")
        _, messages = run_action(ActionResumeRequest(), tracker, domain)
    finally:
        get_settings.cache_clear()
        context._factory.cache_clear()
    assert responses_of(messages) == ["utter_internal_error"]
