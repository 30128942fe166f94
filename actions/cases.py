"""Disputes and hardship: open the case, then offer or arrange a person."""
from __future__ import annotations

from typing import Any, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import BankAction
from actions.context import Customer, db, record_contact, rule_figures, rules, say_date, today, verified_customer
from actions.handoff import hand_off
from actions.situations import last_text_of
from actions.identity import TaskFormValidation, explain_not_verified
from bot.domain.hardship import HardshipOffer, OfferKind, hardship_offer
from bot.domain.money import format_yuan, to_money
from bot.nlu.normalizer import normalize_amount, normalize_date
from bot.services.records import open_dispute, open_hardship

MIN_DESCRIPTION_CHARS = 4
HARDSHIP_SLOTS = ("hardship_reason", "monthly_budget", "income_return", "hardship_apply")


class ValidateDisputeForm(TaskFormValidation):
    def name(self) -> Text:
        return "validate_dispute_form"

    def validate_dispute_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        text = str(value or "").strip()
        if len(text) < MIN_DESCRIPTION_CHARS:
            dispatcher.utter_message(response="utter_ask_dispute_description")
            return {"dispute_description": None}
        return {"dispute_description": text[:2000]}


class ActionSubmitDispute(BankAction):
    def name(self) -> Text:
        return "action_submit_dispute"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        description = tracker.get_slot("dispute_description") or ""
        with db() as session:
            customer = verified_customer(session, tracker)
            if customer is None:
                explain_not_verified(dispatcher, session, tracker)
                return [SlotSet("dispute_description", None)]
            case = open_dispute(session, customer.account, description, normalize_amount(description), tracker.sender_id)
            dispatcher.utter_message(response="utter_dispute_opened", reference=case.reference)
            record_contact(session, tracker, "case_opened", customer)
        return [SlotSet("dispute_description", None)]


class ValidateHardshipForm(TaskFormValidation):
    """The cardholder's own words count as the reason when they already said what happened."""

    def name(self) -> Text:
        return "validate_hardship_form"

    async def extract_hardship_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        if tracker.get_slot("hardship_reason") or tracker.get_slot("requested_slot") is not None:
            return {}
        text = last_text_of(tracker, "report_hardship").strip()  # said before the identity questions
        return {"hardship_reason": text[:2000]} if len(text) >= MIN_DESCRIPTION_CHARS + 2 else {}

    def validate_hardship_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        text = str(value or "").strip()
        return {"hardship_reason": text[:2000] if text else None}

    def validate_monthly_budget(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        """An amount, or 0 for "nothing fixed yet" (拿不出, 不确定): the question is not asked twice."""
        amount = value if isinstance(value, (int, float)) else normalize_amount(str(value or ""))
        return {"monthly_budget": float(amount) if amount is not None and amount > 0 else 0.0}

    def validate_income_return(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        return {"income_return": str(value or "").strip()[:200] or None}


def _offer(tracker: Tracker, customer: Customer) -> HardshipOffer:
    budget = tracker.get_slot("monthly_budget")
    income_back = normalize_date(tracker.get_slot("income_return") or "", today())
    return hardship_offer(customer.position.outstanding_principal, to_money(budget) if budget else None,
                          income_back, today(), rules())


class ActionAskHardshipApply(BankAction):
    def name(self) -> Text:
        return "action_ask_hardship_apply"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        """The lightest arrangement that fits what they said, before any application."""
        with db() as session:
            customer = verified_customer(session, tracker)
        offer = _offer(tracker, customer) if customer is not None else HardshipOffer(OfferKind.PERSONALIZED)
        if offer.kind is OfferKind.PROMISE:
            dispatcher.utter_message(response="utter_hardship_offer_promise", date=say_date(offer.pay_on))
        elif offer.kind is OfferKind.INSTALLMENT:
            dispatcher.utter_message(response="utter_hardship_offer_installment", term=offer.term_months,
                                     budget=format_yuan(to_money(tracker.get_slot("monthly_budget"))))
        else:
            dispatcher.utter_message(response="utter_ask_hardship_apply", **rule_figures(rules()))
        return []


class ActionSubmitHardship(BankAction):
    def name(self) -> Text:
        return "action_submit_hardship"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        reset: list[EventType] = [SlotSet(slot, None) for slot in HARDSHIP_SLOTS]
        with db() as session:
            customer = verified_customer(session, tracker)
            if customer is None:
                explain_not_verified(dispatcher, session, tracker)
                return reset
            if not tracker.get_slot("hardship_apply"):
                dispatcher.utter_message(response="utter_hardship_declined")
                dispatcher.utter_message(response="utter_offer_options")
                record_contact(session, tracker, "declined", customer)
                return reset
            offer = _offer(tracker, customer)
            if offer.kind is OfferKind.PROMISE:  # the promise form asks the amount, the date is theirs
                record_contact(session, tracker, "informed", customer)
                return reset + [SlotSet("promise_date", offer.pay_on.isoformat()), FollowupAction("promise_form")]
            if offer.kind is OfferKind.INSTALLMENT:  # the installment form discloses every figure
                record_contact(session, tracker, "informed", customer)
                return reset + [SlotSet("installment_term", float(offer.term_months)), FollowupAction("installment_form")]
            budget = tracker.get_slot("monthly_budget")
            application = open_hardship(
                session, customer.account, tracker.get_slot("hardship_reason") or "", None,
                to_money(budget) if budget else None, tracker.sender_id, tracker.get_slot("income_return"),
            )
            dispatcher.utter_message(response="utter_hardship_submitted", reference=application.reference)
            return reset + hand_off(dispatcher, session, tracker, customer, "hardship")
