"""Disputes and hardship: open the case, then offer or arrange a person."""
from __future__ import annotations

from typing import Any, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import BankAction
from actions.context import db, record_contact, rule_figures, rules, verified_customer
from actions.handoff import hand_off
from actions.identity import IdentityFormValidation, explain_not_verified
from bot.domain.money import to_money
from bot.nlu.normalizer import normalize_amount
from bot.services.records import open_dispute, open_hardship

MIN_DESCRIPTION_CHARS = 4


class ValidateDisputeForm(IdentityFormValidation):
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


class ValidateHardshipForm(IdentityFormValidation):
    """The cardholder's own words count as the reason when they already said what happened."""

    def name(self) -> Text:
        return "validate_hardship_form"

    async def extract_hardship_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        latest = tracker.latest_message
        if tracker.get_slot("hardship_reason") or tracker.get_slot("requested_slot") is not None:
            return {}
        if (latest.get("intent") or {}).get("name") != "report_hardship":
            return {}
        dispatcher.utter_message(response="utter_hardship_empathy")
        text = (latest.get("text") or "").strip()
        return {"hardship_reason": text[:2000]} if len(text) >= MIN_DESCRIPTION_CHARS + 2 else {}

    def validate_hardship_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        text = str(value or "").strip()
        return {"hardship_reason": text[:2000] if text else None}


class ActionAskHardshipApply(BankAction):
    def name(self) -> Text:
        return "action_ask_hardship_apply"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_hardship_apply", **rule_figures(rules()))
        return []


class ActionSubmitHardship(BankAction):
    def name(self) -> Text:
        return "action_submit_hardship"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        reset: list[EventType] = [SlotSet("hardship_reason", None), SlotSet("hardship_apply", None)]
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
            budget = tracker.get_slot("monthly_budget")
            application = open_hardship(
                session, customer.account, tracker.get_slot("hardship_reason") or "", None,
                to_money(budget) if budget else None, tracker.sender_id,
            )
            dispatcher.utter_message(response="utter_hardship_submitted", reference=application.reference)
            return reset + hand_off(dispatcher, session, tracker, customer, "hardship")
