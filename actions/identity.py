"""Identity first: every form that touches an account asks for card last 4 and ID last 6.

A customer id signed by the gateway (a logged-in bank-site session) verifies the
conversation without questions. Three failed attempts lock verification for the rest
of the conversation; the form then ends and its submit action says nothing account-specific.
"""
from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.context import db, rules
from bot.customer_assertion import verified_customer_id
from bot.nlu.normalizer import normalize_card_last4, normalize_id_last6
from bot.services.accounts import cardholder_by_customer_id, verify_identity

IDENTITY_SLOTS = ("card_last4", "id_last6")


def identity_events_from_metadata(tracker: Tracker, metadata: dict | None) -> list[EventType]:
    """Slot events that verify the conversation if the gateway vouches for the customer."""
    if tracker.get_slot("verified"):
        return []
    customer_id = verified_customer_id(metadata, tracker.sender_id)
    if customer_id is None:
        return []
    with db() as session:
        if cardholder_by_customer_id(session, customer_id) is None:
            return []
    return [SlotSet("verified", True), SlotSet("customer_id", customer_id)]


class IdentityFormValidation(FormValidationAction, metaclass=ABCMeta):
    """Shared validation of the identity slots; subclasses add their own slots.

    Abstract, so the action server does not register it as an action of its own.
    """

    @abstractmethod
    def name(self) -> Text:
        """validate_<form name>"""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        identity = identity_events_from_metadata(tracker, tracker.latest_message.get("metadata"))
        tracker.add_slots(identity)
        return identity + await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self, domain_slots: list[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[Text]:
        if tracker.get_slot("verification_locked") and not tracker.get_slot("verified"):
            return []
        if tracker.get_slot("verified"):
            return [slot for slot in domain_slots if slot not in IDENTITY_SLOTS]
        return domain_slots

    def validate_card_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        card_last4 = normalize_card_last4(str(value))
        if card_last4 is None:
            dispatcher.utter_message(response="utter_invalid_card_last4")
        return {"card_last4": card_last4}

    def validate_id_last6(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        id_last6 = normalize_id_last6(str(value))
        if id_last6 is None:
            dispatcher.utter_message(response="utter_invalid_id_last6")
            return {"id_last6": None}
        card_last4 = normalize_card_last4(str(tracker.get_slot("card_last4") or ""))
        if card_last4 is None:
            return {"id_last6": id_last6}
        with db() as session:
            holder = verify_identity(session, card_last4, id_last6)
            customer_id = holder.customer_id if holder else None
        if customer_id:
            dispatcher.utter_message(response="utter_verified")
            verified = {"card_last4": card_last4, "id_last6": id_last6, "verified": True, "customer_id": customer_id}
            return {**verified, **self.after_verification(dispatcher, tracker, customer_id)}
        return self._failed_attempt(dispatcher, tracker)

    def after_verification(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str
    ) -> dict[Text, Any]:
        """Slots a form can fill as soon as it knows whose account this is."""
        return {}

    @staticmethod
    def _failed_attempt(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[Text, Any]:
        attempts = int(tracker.get_slot("verification_attempts") or 0) + 1
        left = rules().verification_max_attempts - attempts
        reset = {"card_last4": None, "id_last6": None, "verification_attempts": float(attempts)}
        if left <= 0:
            dispatcher.utter_message(response="utter_verification_locked")
            return {**reset, "verification_locked": True}
        dispatcher.utter_message(response="utter_verification_mismatch", attempts_left=left)
        return reset


class ValidateVerifyForm(IdentityFormValidation):
    def name(self) -> Text:
        return "validate_verify_form"
