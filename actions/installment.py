"""Installment proposal: options with every figure, budget to term, confirmation, booking."""
from __future__ import annotations

from typing import Any, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import BankAction
from actions.context import Customer, db, record_contact, rules, verified_customer
from actions.handoff import hand_off
from actions.identity import TaskFormValidation, explain_not_verified
from bot.domain.installments import (
    is_personalized_term,
    nearest_standard_term,
    plan_for_term,
    standard_options,
    term_for_budget,
)
from bot.domain.figures import plan_figures
from bot.domain.money import format_yuan, to_money
from bot.services.records import open_hardship, record_plan

FORM_SLOTS = ("installment_term", "installment_confirmed", "monthly_budget")


class ValidateInstallmentForm(TaskFormValidation):
    def name(self) -> Text:
        return "validate_installment_form"

    async def extract_installment_term(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        """A monthly budget, given up front or in answer to the options, chooses the term."""
        if tracker.get_slot("installment_term") is not None or not tracker.get_slot("verified"):
            return {}
        budget = tracker.get_slot("monthly_budget")
        if tracker.get_slot("requested_slot") == "installment_term":
            budget = next((e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == "amount"), budget)
        found = self._term_from_budget(dispatcher, tracker, budget)
        return {**found, "monthly_budget": budget} if found else {}

    def _term_from_budget(self, dispatcher: CollectingDispatcher, tracker: Tracker, budget: Any = None) -> dict[Text, Any]:
        budget = budget if budget is not None else tracker.get_slot("monthly_budget")
        if tracker.get_slot("installment_term") is not None or not budget or float(budget) <= 0:
            return {}
        with db() as session:
            customer = verified_customer(session, tracker)
        if customer is None:
            return {}
        budget = to_money(budget)
        term = term_for_budget(customer.position.outstanding_principal, budget, rules())
        if not is_personalized_term(term, rules()):
            dispatcher.utter_message(response="utter_installment_budget_fit", budget=format_yuan(budget), term=term)
        return {"installment_term": float(term)}

    def validate_installment_term(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        product_rules = rules()
        try:
            term = int(float(value))
        except (TypeError, ValueError):
            return {"installment_term": None}
        if term in product_rules.installment_fee_rates or is_personalized_term(term, product_rules):
            return {"installment_term": float(term)}
        if term > product_rules.personalized_max_months:
            return {"installment_term": float(product_rules.personalized_max_months)}
        adjusted = nearest_standard_term(term, product_rules)
        dispatcher.utter_message(response="utter_installment_term_adjusted", requested=term, term=adjusted)
        return {"installment_term": float(adjusted)}


class ActionAskInstallmentTerm(BankAction):
    """Lists every standard plan for the cardholder's balance."""

    def name(self) -> Text:
        return "action_ask_installment_term"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        with db() as session:
            customer = verified_customer(session, tracker)
            if customer is None:
                return []
            principal = customer.position.outstanding_principal
        dispatcher.utter_message(response="utter_installment_options", principal=format_yuan(principal))
        for plan in standard_options(principal, rules()):
            dispatcher.utter_message(response="utter_installment_option_line", **plan_figures(plan))
        dispatcher.utter_message(response="utter_choose_installment_term")
        return []


class ActionAskInstallmentConfirmed(BankAction):
    def name(self) -> Text:
        return "action_ask_installment_confirmed"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        term = int(tracker.get_slot("installment_term"))
        product_rules = rules()
        if is_personalized_term(term, product_rules):
            dispatcher.utter_message(
                response="utter_ask_personalized_confirmed", term=term, max_months=product_rules.personalized_max_months
            )
            return []
        with db() as session:
            customer = verified_customer(session, tracker)
            if customer is None:
                return []
            plan = plan_for_term(customer.position.outstanding_principal, term, product_rules)
        charges = {"interest": format_yuan(customer.position.interest_to_date), "late_fee": format_yuan(customer.position.late_fee)}
        dispatcher.utter_message(response="utter_ask_installment_confirmed", **plan_figures(plan), **charges)
        return []


class ActionSubmitInstallment(BankAction):
    def name(self) -> Text:
        return "action_submit_installment"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        reset: list[EventType] = [SlotSet(slot, None) for slot in FORM_SLOTS]
        with db() as session:
            customer = verified_customer(session, tracker)
            if customer is None:
                explain_not_verified(dispatcher, session, tracker)
                return reset
            if not tracker.get_slot("installment_confirmed"):
                dispatcher.utter_message(response="utter_installment_declined")
                record_contact(session, tracker, "declined", customer)
                return reset
            term = int(tracker.get_slot("installment_term"))
            if is_personalized_term(term, rules()):
                return reset + self._apply_personalized(dispatcher, session, tracker, customer, term)
            plan = plan_for_term(customer.position.outstanding_principal, term, rules())
            record = record_plan(session, customer.account, plan, tracker.sender_id)
            dispatcher.utter_message(response="utter_installment_booked", reference=record.reference, **plan_figures(plan))
            record_contact(session, tracker, "plan_booked", customer)
        return reset

    @staticmethod
    def _apply_personalized(
        dispatcher: CollectingDispatcher, session: Any, tracker: Tracker, customer: Customer, term: int
    ) -> list[EventType]:
        budget = tracker.get_slot("monthly_budget")
        application = open_hardship(
            session, customer.account, f"申请个性化分期{term}个月", term,
            to_money(budget) if budget else None, tracker.sender_id,
        )
        dispatcher.utter_message(response="utter_personalized_submitted", reference=application.reference)
        return hand_off(dispatcher, session, tracker, customer, "personalized_installment")
