"""Identity first: every form that touches an account asks for card last 4 and ID last 6.

Who the conversation is verified as lives in the bank's database (bot.services.identity);
the `verified` and `customer_id` slots only mirror it so the forms know what to ask. A
signed-in bank-site customer was bound by the gateway and is asked nothing. Wrong answers are
counted server-side per card, conversation and client address, so /restart or a new
conversation does not reset them; the slots never keep the digits themselves.
"""
from __future__ import annotations

from abc import ABCMeta, abstractmethod
from datetime import datetime, timedelta
from typing import Any, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.context import db, rules
from bot.data.models import utcnow
from bot.domain.redaction import MASK, has_digits
from bot.domain.verification_lock import minutes_until
from bot.nlu.normalizer import normalize_card_last4, normalize_id_last6
from bot.services import identity
from bot.settings import get_settings

IDENTITY_SLOTS = ("card_last4", "id_last6")
# What each question needs, said when the answer was something else.
EXPECTED = {"card_last4": "utter_invalid_card_last4", "id_last6": "utter_invalid_id_last6"}
# Sent with the replies of a turn that read verification digits: the gateway masks that message.
VERIFICATION_ANSWER = {"verification_answer": True}


def attempt_keys(tracker: Tracker, card_last4: str | None = None) -> identity.AttemptKeys:
    """This conversation, the client address the gateway vouched for, and the card typed."""
    metadata = tracker.latest_message.get("metadata") or {}
    client = metadata.get("client") if isinstance(metadata.get("client"), str) else None
    return identity.AttemptKeys(tracker.sender_id, client, card_last4)


def identity_events(tracker: Tracker, fresh_session: bool = False) -> list[EventType]:
    """Slot events that make the dialogue's view of identity match the bank's records.

    `fresh_session`: the slots are about to be reset (session start), so compare with their
    initial values rather than with what the tracker holds now.
    """
    with db() as session:
        holder = identity.bound_cardholder(session, tracker.sender_id)
        customer_id = holder.customer_id if holder else None
        locked = customer_id is None and identity.lock_status(session, attempt_keys(tracker), rules()) is not None
    wanted = {"verified": customer_id is not None, "customer_id": customer_id, "verification_locked": locked}
    current = _INITIAL if fresh_session else {name: tracker.get_slot(name) for name in wanted}
    return [SlotSet(name, value) for name, value in wanted.items() if current.get(name) != value]


_INITIAL: dict[str, Any] = {"verified": False, "customer_id": None, "verification_locked": False}


def explain_not_verified(dispatcher: CollectingDispatcher, session: Session, tracker: Tracker) -> None:
    """A form ended without identity because verification is locked: say so, and until when
    (once: not again if the form's validation has just said it)."""
    until = identity.lock_status(session, attempt_keys(tracker), rules())
    if until is not None and not _said_this_turn(tracker, "utter_verification_locked"):
        dispatcher.utter_message(response="utter_verification_locked", minutes=minutes_until(until, utcnow()))


def _said_this_turn(tracker: Tracker, response: str) -> bool:
    """Whether the assistant has already uttered `response` since the cardholder's last message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == response:
            return True
    return False


class TaskFormValidation(FormValidationAction, metaclass=ABCMeta):
    """A task form, run after the verification form: it asks nothing of someone that form did not
    verify (locked out), so its submit action explains why instead. Abstract: not an action itself."""

    @abstractmethod
    def name(self) -> Text:
        """validate_<form name>"""

    async def required_slots(
        self, domain_slots: list[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[Text]:
        return domain_slots if tracker.get_slot("verified") else []


class ValidateVerifyForm(FormValidationAction):
    """The one verification form: every task form runs after it (data/rules/tasks.yml)."""

    def name(self) -> Text:
        return "validate_verify_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        synced = identity_events(tracker)
        tracker.add_slots(synced)
        if any(slot in tracker.slots_to_validate() for slot in IDENTITY_SLOTS):
            dispatcher.utter_message(json_message=VERIFICATION_ANSWER)
        return synced + await super().run(dispatcher, tracker, domain)

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
        both = tracker.slots_to_validate().get("id_last6")  # one message with both answers: taken together
        return self._take_answer([str(value), *([str(both)] if both else [])], "card_last4", dispatcher, tracker)

    def validate_id_last6(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        if "card_last4" in tracker.slots_to_validate():  # already taken with the card answer
            return {}
        return self._take_answer([str(value)], "id_last6", dispatcher, tracker)

    def _take_answer(
        self, texts: list[str], asked: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[Text, Any]:
        """Take the answer that was given, whichever question was asked: card digits, ID digits,
        or both. An answer that is neither counts as a wrong answer; so does a mismatch."""
        card_last4 = next(filter(None, map(normalize_card_last4, texts)), None)
        id_last6 = next(filter(None, map(normalize_id_last6, texts)), None)
        with db() as session:
            keys = attempt_keys(tracker)
            until = identity.lock_status(session, keys, rules())
            if until is not None:
                return self._locked(dispatcher, until)
            if card_last4 is None and id_last6 is None and not any(map(has_digits, texts)):
                # a question or a remark, not an attempt: say what is needed, count nothing
                left = identity.attempts_remaining(session, keys, rules())
                dispatcher.utter_message(response=EXPECTED[asked], attempts_left=left)
                return {"card_last4": None, "id_last6": None}
            if card_last4 is None and id_last6 is None:
                result = identity.wrong_answer(session, keys, rules())
            else:
                card_last4, id_last6 = identity.remember(session, tracker.sender_id, card_last4=card_last4, id_last6=id_last6)
                if card_last4 is None or id_last6 is None:  # one of two: the form asks for the other
                    if asked == "card_last4" and id_last6 is not None:
                        dispatcher.utter_message(response="utter_id_noted")
                    return {"card_last4": MASK if card_last4 else None, "id_last6": MASK if id_last6 else None}
                ttl = timedelta(minutes=get_settings().identity_ttl_minutes)
                result = identity.verify(session, attempt_keys(tracker, card_last4), id_last6, rules(), ttl)
            customer_id = result.cardholder.customer_id if result.cardholder else None
        if result.outcome is identity.Outcome.VERIFIED:
            dispatcher.utter_message(response="utter_verified")
            verified = {"card_last4": MASK, "id_last6": MASK, "verified": True, "customer_id": customer_id,
                        "verification_locked": False}
            return verified
        if result.outcome is identity.Outcome.LOCKED:
            return self._locked(dispatcher, result.locked_until)
        if card_last4 is None and id_last6 is None:  # say what was expected, not "wrong digits"
            dispatcher.utter_message(response=EXPECTED[asked], attempts_left=result.attempts_left)
        else:
            dispatcher.utter_message(response="utter_verification_mismatch", attempts_left=result.attempts_left)
        return {"card_last4": None, "id_last6": None}

    @staticmethod
    def _locked(dispatcher: CollectingDispatcher, until: datetime) -> dict[Text, Any]:
        dispatcher.utter_message(response="utter_verification_locked", minutes=minutes_until(until, utcnow()))
        return {"card_last4": None, "id_last6": None, "verification_locked": True}

