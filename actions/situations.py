"""Real-life situations: distress, someone claiming to collect for the bank, and the requests that
need identity first (a contact preference, the status of one's records, a certificate or an
objection, changing a promise to pay).

Distress comes first and never carries a figure: a caring answer, the crisis hotline, a person.
"""
from __future__ import annotations

from typing import Any, Callable, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import BankAction
from actions.context import Customer, db, record_contact, rules, say_date, verified_customer
from actions.handoff import hand_off
from bot.domain import certificates
from bot.domain.labels import CASE_KINDS, CASE_STATUSES
from bot.domain.money import format_yuan
from bot.domain.promises import wants_cancel
from bot.services.cases import cases_of, close_promise, latest_open_promise
from bot.services.records import record_certificate_request, record_collector_report, record_contact_preference

Resumed = tuple[str, list[EventType]]  # the contact-log outcome, and events for the tracker
Handler = Callable[[CollectingDispatcher, Session, Tracker, Customer], Resumed]


def last_text_of(tracker: Tracker, intent: str) -> str:
    """What the cardholder wrote when they asked for `intent` (before the identity questions)."""
    for event in reversed(tracker.events):
        parse = event.get("parse_data") or {}
        if event.get("event") == "user" and (parse.get("intent") or {}).get("name") == intent:
            return (event.get("text") or "")[:2000]
    return (tracker.latest_message.get("text") or "")[:2000]


class ActionRespondDistress(BankAction):
    """Care, the crisis hotline and a person, before anything else; never a figure."""

    def name(self) -> Text:
        return "action_respond_distress"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        product_rules = rules()
        dispatcher.utter_message(response="utter_distress", crisis_hotline=product_rules.crisis_hotline,
                                 emergency_numbers=product_rules.emergency_numbers)
        with db() as session:
            return hand_off(dispatcher, session, tracker, verified_customer(session, tracker), "distress")


class ActionCheckCollector(BankAction):
    """Is this call, message or letter really from the bank? The rule on personal accounts, and a record."""

    def name(self) -> Text:
        return "action_check_collector"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        if rules().repayment_to_personal_accounts:
            dispatcher.utter_message(response="utter_collector_official_channels")
        else:
            dispatcher.utter_message(response="utter_collector_personal_account")
        with db() as session:
            customer = verified_customer(session, tracker)
            report = record_collector_report(session, customer.cardholder if customer else None,
                                             last_text_of(tracker, "verify_collector"), tracker.sender_id)
            dispatcher.utter_message(response="utter_collector_recorded", reference=report.reference)
            record_contact(session, tracker, "case_opened", customer)
        return []


def answer_contact_preference(dispatcher: CollectingDispatcher, session: Session, tracker: Tracker,
                              customer: Customer) -> Resumed:
    """Recorded and passed on; no promise that the bank will never call about the debt."""
    preference = record_contact_preference(session, customer.cardholder, last_text_of(tracker, "stop_contact"),
                                           tracker.sender_id)
    dispatcher.utter_message(response="utter_contact_preference_recorded", reference=preference.reference)
    dispatcher.utter_message(response="utter_contact_preference_honest")
    return "informed", []


def answer_case_status(dispatcher: CollectingDispatcher, session: Session, tracker: Tracker,
                       customer: Customer) -> Resumed:
    lines = cases_of(session, customer.cardholder)
    if not lines:
        dispatcher.utter_message(response="utter_cases_none")
    else:
        dispatcher.utter_message(response="utter_cases")
    for line in lines:
        dispatcher.utter_message(response="utter_case_line", kind=CASE_KINDS[line.kind], reference=line.reference,
                                 status=CASE_STATUSES.get(line.status, line.status), created=say_date(line.created_on))
    return "informed", []


def answer_certificate(dispatcher: CollectingDispatcher, session: Session, tracker: Tracker,
                       customer: Customer) -> Resumed:
    text = last_text_of(tracker, "request_certificate")
    kind = certificates.certificate_kind(text)
    product_rules = rules()
    if kind == certificates.REMOVAL:  # nothing to record: a true record cannot be removed
        dispatcher.utter_message(response="utter_certificate_removal",
                                 retention_years=product_rules.credit_report_retention_years)
        return "informed", []
    request = record_certificate_request(session, customer.account, kind, text, tracker.sender_id)
    response = {certificates.SETTLEMENT: "utter_certificate_settlement",
                certificates.NON_MALICIOUS: "utter_certificate_non_malicious",
                certificates.CREDIT_OBJECTION: "utter_certificate_objection"}[kind]
    dispatcher.utter_message(response=response, reference=request.reference,
                             days=product_rules.credit_objection_reply_days)
    return "case_opened", []


def answer_promise_change(dispatcher: CollectingDispatcher, session: Session, tracker: Tracker,
                          customer: Customer) -> Resumed:
    """Cancel the open promise, or have the promise form record the new one in its place."""
    promise = latest_open_promise(session, customer.account)
    if promise is None:
        dispatcher.utter_message(response="utter_no_promise_to_change")
        return "informed", []
    said = {"date": say_date(promise.promised_date), "amount": format_yuan(promise.amount), "reference": promise.reference}
    if wants_cancel(last_text_of(tracker, "change_promise")):
        close_promise(session, promise, "cancelled")
        dispatcher.utter_message(response="utter_promise_cancelled", **said)
        return "declined", []
    dispatcher.utter_message(response="utter_promise_change_start", **said)
    return "informed", [SlotSet("promise_to_replace", promise.reference), FollowupAction("promise_form")]


SITUATION_REQUESTS: dict[str, Handler] = {
    "stop_contact": answer_contact_preference,
    "ask_case_status": answer_case_status,
    "request_certificate": answer_certificate,
    "change_promise": answer_promise_change,
}
