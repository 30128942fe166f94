"""Balance, payments already made, fee waivers, consequences, fees and refusals."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.base import BankAction
from actions.context import (
    Customer,
    db,
    figures,
    last_intent_among,
    record_contact,
    rule_figures,
    rules,
    say_date,
    selected_topic,
    today,
    verified_customer,
)
from actions.identity import explain_not_verified
from actions.situations import SITUATION_REQUESTS, Handler, Resumed
from bot.clock import bank_date_of
from bot.domain.business_days import add_business_days
from bot.domain.consequences import CRIME, OVERVIEW, consequence_topic, personal_responses
from bot.domain.installments import term_annual_rate
from bot.domain.money import format_percent, format_yuan
from bot.services.accounts import payments_since
from bot.services.records import open_dispute, record_fee_waiver



def utter_balance(dispatcher: CollectingDispatcher, customer: Customer) -> None:
    """The statement, then only the lines that are not zero: payments, charges, the total."""
    position, said = customer.position, figures(customer.position)
    dispatcher.utter_message(response="utter_balance", card_last4=customer.account.card_last4, **said)
    if position.paid_since_statement > 0:
        dispatcher.utter_message(response="utter_balance_paid", **said)
    if position.late_fee > 0:
        dispatcher.utter_message(response="utter_balance_charges", **said)
    elif position.interest_to_date > 0:
        dispatcher.utter_message(response="utter_balance_interest", **said)
    dispatcher.utter_message(response="utter_balance_total", **said)
    if position.is_overdue:
        dispatcher.utter_message(response="utter_balance_overdue", **figures(position))
    else:
        dispatcher.utter_message(response="utter_balance_current")
    if position.card_suspended:
        dispatcher.utter_message(response="utter_card_suspended")


def answer_balance(dispatcher: CollectingDispatcher, session: Any, tracker: Tracker, customer: Customer) -> Resumed:
    utter_balance(dispatcher, customer)
    return "informed", []


def answer_fee_waiver(dispatcher: CollectingDispatcher, session: Any, tracker: Tracker, customer: Customer) -> Resumed:
    waiver = record_fee_waiver(session, customer.account, customer.position, None, tracker.sender_id)
    dispatcher.utter_message(response="utter_fee_waiver_recorded", reference=waiver.reference, **figures(customer.position))
    return "case_opened", []


def answer_payment_claim(dispatcher: CollectingDispatcher, session: Any, tracker: Tracker, customer: Customer) -> Resumed:
    """Found: when it posts; not found: a payment-trace case."""
    product_rules = rules()
    since = today() - timedelta(days=product_rules.payment_lookup_days)
    payments = payments_since(session, customer.account.id, since)
    if not payments:
        trace = open_dispute(
            session, customer.account, "持卡人称已还款，系统未查到记录", None, tracker.sender_id, kind="payment_trace"
        )
        dispatcher.utter_message(
            response="utter_payment_not_found", days=product_rules.payment_lookup_days, reference=trace.reference
        )
        return "case_opened", []
    latest = payments[-1]
    paid_on = bank_date_of(latest.paid_at)
    dispatcher.utter_message(
        response="utter_payment_found", paid_date=say_date(paid_on), channel=latest.channel,
        amount=format_yuan(latest.amount),
    )
    post_date = add_business_days(paid_on, product_rules.payment_posting_business_days)
    if latest.posted or post_date <= today():
        dispatcher.utter_message(response="utter_payment_posted")
    else:
        dispatcher.utter_message(
            response="utter_payment_pending", days=product_rules.payment_posting_business_days,
            post_date=say_date(post_date),
        )
    utter_balance(dispatcher, customer)
    return "informed", []


class ActionResumeRequest(BankAction):
    """Runs after identity is verified: answers the request that needed it."""

    def name(self) -> Text:
        return "action_resume_request"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        handlers = {**ACCOUNT_REQUESTS, **SITUATION_REQUESTS}
        request = last_intent_among(tracker, set(handlers))
        with db() as session:
            customer = verified_customer(session, tracker)
            if customer is None:
                explain_not_verified(dispatcher, session, tracker)
                record_contact(session, tracker, "verification_failed")
                return []
            outcome, events = handlers.get(request, answer_balance)(dispatcher, session, tracker, customer)
            record_contact(session, tracker, outcome, customer)
        return events


ACCOUNT_REQUESTS: dict[str, Handler] = {
    "ask_balance": answer_balance, "claim_paid": answer_payment_claim, "request_fee_waiver": answer_fee_waiver,
}


def utter_personal(dispatcher: CollectingDispatcher, topic: str, customer: Customer) -> None:
    """The verified cardholder's own figures that belong beside the answer to `topic`."""
    product_rules, position = rules(), customer.position
    said = {
        **rule_figures(product_rules), **figures(position),
        "grace_end": say_date(position.due_date + timedelta(days=product_rules.grace_period_days)),
        "days_until_suspension": position.days_until_suspension,
    }
    for response in personal_responses(topic, position):
        dispatcher.utter_message(response=response, **said)


class ActionExplainConsequences(BankAction):
    """The one consequence asked about, with the cardholder's own facts once verified."""

    def name(self) -> Text:
        return "action_explain_consequences"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        topic = consequence_topic(selected_topic(tracker, "ask_consequence"), tracker.latest_message.get("text"))
        with db() as session:
            customer = verified_customer(session, tracker)
            if customer is None or topic != OVERVIEW:  # the overview of a verified account is all personal
                dispatcher.utter_message(response=f"utter_ask_consequence/{topic}", **rule_figures(rules()))
            if topic == CRIME:
                dispatcher.utter_message(response="utter_consequence_legal_relief")
            if customer is not None:
                utter_personal(dispatcher, topic, customer)
            elif topic == OVERVIEW:
                dispatcher.utter_message(response="utter_consequence_general_next")
            dispatcher.utter_message(response="utter_offer_options")
            record_contact(session, tracker, "informed", customer)
        return []


class ActionExplainFees(BankAction):
    """The one fee asked about; every installment rate beside its annualized rate."""

    def name(self) -> Text:
        return "action_explain_fees"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        product_rules = rules()
        topic = selected_topic(tracker, "ask_fee") or "interest"
        dispatcher.utter_message(response=f"utter_ask_fee/{topic}", **rule_figures(product_rules))
        if topic == "installment_fee":  # every monthly rate beside its annualized rate
            for term, rate in sorted(product_rules.installment_fee_rates.items()):
                dispatcher.utter_message(response="utter_fee_rate_line", term=term, rate=format_percent(rate),
                                         annual_rate=format_percent(term_annual_rate(term, rate)))
        with db() as session:
            customer = verified_customer(session, tracker)
            if customer is not None:
                utter_personal(dispatcher, topic, customer)
            record_contact(session, tracker, "informed", customer)
        return []


class ActionRespondRefusal(BankAction):
    """Calm facts and options; never a threat."""

    def name(self) -> Text:
        return "action_respond_refusal"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_refusal_facts")
        with db() as session:
            customer = verified_customer(session, tracker)
            if customer is not None and customer.position.is_overdue:
                dispatcher.utter_message(response="utter_refusal_facts_personal", **figures(customer.position))
            dispatcher.utter_message(response="utter_offer_options")
            record_contact(session, tracker, "declined", customer)
        return []
