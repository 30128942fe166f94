"""Promise to pay: amount and date, validated against the rules, recorded with a reference."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import BankAction
from actions.context import db, record_contact, rules, say_date, today, verified_customer
from actions.identity import TaskFormValidation, explain_not_verified
from bot.domain.money import format_yuan, to_money
from bot.domain.promises import PromiseProblem, check_amount, check_date, check_promise
from bot.nlu.dates import mentions_payday
from bot.nlu.normalizer import normalize_amount, normalize_date
from bot.services.cases import close_promise, promise_by_reference
from bot.services.records import record_promise

_MINIMUM = re.compile(r"最低|最少")
_EVERYTHING = re.compile(r"全部|全额|还清|结清|一次性")


class ValidatePromiseForm(TaskFormValidation):
    def name(self) -> Text:
        return "validate_promise_form"

    def validate_promise_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        amount = self._amount(str(value), tracker)
        if amount is None or check_amount(amount) is not None:
            dispatcher.utter_message(response="utter_invalid_promise_amount")
            return {"promise_amount": None}
        return {"promise_amount": str(amount)}

    @staticmethod
    def _amount(text: str, tracker: Tracker) -> Decimal | None:
        """A number, or the words for "the minimum" and "everything" once the account is known."""
        if _MINIMUM.search(text) or _EVERYTHING.search(text):
            with db() as session:
                customer = verified_customer(session, tracker)
                if customer is None:
                    return None
                position = customer.position
                if _MINIMUM.search(text):
                    return position.unpaid_minimum or position.minimum_payment
                return position.total_due
        return normalize_amount(text)

    def validate_promise_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[Text, Any]:
        promised = normalize_date(str(value), today())
        if promised is None:
            payday = mentions_payday(str(value))
            dispatcher.utter_message(response="utter_ask_payday" if payday else "utter_invalid_promise_date")
            return {"promise_date": None}
        max_days = rules().promise_max_days_ahead
        problem = check_date(promised, today(), max_days)
        if problem is PromiseProblem.IN_PAST:
            dispatcher.utter_message(response="utter_promise_date_in_past", date=say_date(promised))
            return {"promise_date": None}
        if problem is PromiseProblem.TOO_FAR:
            max_date = today() + timedelta(days=max_days)
            dispatcher.utter_message(response="utter_promise_date_too_far", max_date=say_date(max_date), max_days=max_days)
            return {"promise_date": None}
        return {"promise_date": promised.isoformat()}


class ActionSubmitPromise(BankAction):
    def name(self) -> Text:
        return "action_submit_promise"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        reset: list[EventType] = [SlotSet(slot, None) for slot in ("promise_amount", "promise_date", "promise_to_replace")]
        with db() as session:
            customer = verified_customer(session, tracker)
            if customer is None:
                explain_not_verified(dispatcher, session, tracker)
                return reset
            amount = to_money(tracker.get_slot("promise_amount"))
            promised = date.fromisoformat(tracker.get_slot("promise_date"))
            position = customer.position
            check = check_promise(
                amount, promised, today=today(), max_days_ahead=rules().promise_max_days_ahead,
                unpaid_minimum=position.unpaid_minimum, total_due=position.total_due,
            )
            if not check.ok:  # the form validated both; the day may have turned since
                dispatcher.utter_message(response="utter_invalid_promise_date")
                return reset
            if check.below_minimum:
                dispatcher.utter_message(
                    response="utter_promise_below_minimum", amount=format_yuan(amount), unpaid_minimum=format_yuan(position.unpaid_minimum)
                )
            promise = record_promise(session, customer.account, amount, promised, check.below_minimum, tracker.sender_id)
            dispatcher.utter_message(
                response="utter_promise_recorded", date=say_date(promised), amount=format_yuan(amount),
                reference=promise.reference,
            )
            replaced = promise_by_reference(session, tracker.get_slot("promise_to_replace") or "")
            if replaced is not None and replaced.account_id == customer.account.id:
                close_promise(session, replaced, "replaced")
                dispatcher.utter_message(response="utter_promise_replaced", reference=replaced.reference)
            record_contact(session, tracker, "promise_recorded", customer)
        return reset
