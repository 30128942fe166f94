"""Handing over to a person, complaints, people who are not the cardholder, the contact log."""
from __future__ import annotations

from typing import Any, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import BankAction
from actions.context import Customer, db, record_contact, rule_figures, rules, user_intents, user_texts, verified_customer
from bot.domain.complaints import asks_no_third_party_contact, complaint_category
from bot.services import identity
from bot.services.agent_desk import queue_position
from bot.services.handoff import ConversationFacts, request_handoff
from bot.services.records import record_complaint

INTENT_LABELS = {
    "ask_balance": "查询欠款", "ask_consequence": "了解逾期的影响", "ask_fee": "了解利息和费用",
    "request_installment": "办理分期", "promise_to_pay": "登记还款计划", "claim_paid": "说明已经还款",
    "ask_payment_method": "了解还款方式", "dispute_bill": "对账单有异议", "report_hardship": "说明还款困难",
    "request_fee_waiver": "申请减免", "complain": "投诉", "request_human": "转人工客服",
    "refuse_to_pay": "表达不想还款", "not_cardholder": "说明您不是持卡人", "greet": "打招呼",
    "goodbye": "结束对话", "thank": "表示感谢", "bot_challenge": "确认是否在和机器人对话",
    "report_fraud": "卡片被盗刷或遗失", "stop_contact": "告诉我们联系方式的偏好", "ask_case_status": "查询办理进度",
    "change_promise": "修改还款承诺", "request_certificate": "申请证明或征信异议", "verify_collector": "核实催收人员的身份",
}


def hand_off(
    dispatcher: CollectingDispatcher, session: Session, tracker: Tracker, customer: Customer | None, reason: str
) -> list[EventType]:
    """Queue the conversation for an agent with a summary and tell the cardholder where they stand.

    The assistant is not paused: it keeps answering while the cardholder waits (never silent),
    and the gateway stops forwarding only once an agent holds the conversation.
    """
    product_rules = rules()
    facts = ConversationFacts(
        conversation_id=tracker.sender_id,
        reason=reason,
        intents=user_intents(tracker),
        user_texts=user_texts(tracker),
        cardholder=customer.cardholder if customer else None,
        account=customer.account if customer else None,
        position=customer.position if customer else None,
    )
    hours = {"start": f"{product_rules.service_start:%H:%M}", "end": f"{product_rules.service_end:%H:%M}"}
    handoff = request_handoff(session, facts, product_rules)
    if handoff is None:  # anonymous, outside service hours: no callback can be promised
        dispatcher.utter_message(response="utter_handoff_closed_hours", **hours)
        record_contact(session, tracker, "informed", customer)
        return []
    if handoff.callback_requested:
        dispatcher.utter_message(response="utter_handoff_callback", reference=handoff.reference, **hours)
    else:
        ahead = queue_position(session, handoff) or 0
        dispatcher.utter_message(response="utter_handoff_queued", reference=handoff.reference, ahead=ahead)
    dispatcher.utter_message(json_message={"handoff": {"reference": handoff.reference, "callback": handoff.callback_requested}})
    record_contact(session, tracker, "handoff", customer)
    return []


class ActionHandoff(BankAction):
    def name(self) -> Text:
        return "action_handoff"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        reason = "verification_failed" if tracker.get_slot("verification_locked") else "requested"
        with db() as session:
            return hand_off(dispatcher, session, tracker, verified_customer(session, tracker), reason)


class ActionFileComplaint(BankAction):
    """Apologize, record the complaint with its category, honour do-not-contact, priority handoff."""

    def name(self) -> Text:
        return "action_file_complaint"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        no_third_party = asks_no_third_party_contact(text)
        dispatcher.utter_message(response="utter_complaint_apology")
        with db() as session:
            customer = verified_customer(session, tracker)
            complaint = record_complaint(
                session, customer.cardholder if customer else None, complaint_category(text), text[:2000],
                no_third_party, tracker.sender_id,
            )
            dispatcher.utter_message(response="utter_complaint_recorded", reference=complaint.reference)
            if no_third_party:
                dispatcher.utter_message(response="utter_complaint_no_third_party")
            dispatcher.utter_message(response="utter_complaint_hotline", **rule_figures(rules()))
            record_contact(session, tracker, "complaint", customer)
            return hand_off(dispatcher, session, tracker, customer, "complaint")


class ActionHandleNotCardholder(BankAction):
    """Reveal nothing, and forget any identity this conversation had verified."""

    def name(self) -> Text:
        return "action_handle_not_cardholder"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_not_cardholder")
        with db() as session:
            identity.forget(session, tracker.sender_id)
            record_contact(session, tracker, "not_cardholder")
        return [SlotSet(slot, None) for slot in ("customer_id", "card_last4", "id_last6")] + [SlotSet("verified", False)]


class ActionLogContact(BankAction):
    """Writes the contact-log entry when a conversation closes."""

    def name(self) -> Text:
        return "action_log_contact"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        with db() as session:
            record_contact(session, tracker, "informed" if len(user_intents(tracker)) > 2 else "open",
                           verified_customer(session, tracker))
        return []


class ActionDefaultAskAffirmation(BankAction):
    """The first stage of the fallback: "did you mean ...?" in Chinese, with buttons."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        guess = next((i["name"] for i in ranking if i.get("name") in INTENT_LABELS), None)
        if guess is None:
            dispatcher.utter_message(response="utter_ask_rephrase")
        else:
            dispatcher.utter_message(response="utter_ask_affirmation", intent=guess, intent_label=INTENT_LABELS[guess])
        return []
