"""A failing action must not leave the cardholder in silence."""
from __future__ import annotations

import logging
from abc import ABCMeta, abstractmethod
from typing import Any, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

logger = logging.getLogger(__name__)


class BankAction(Action, metaclass=ABCMeta):
    """Runs `act`; on an unexpected error (database down, say) apologizes and offers a person.

    The error is logged with the conversation id, never with the message text.
    """

    @abstractmethod
    def name(self) -> Text:
        """The action's name in the domain."""

    @abstractmethod
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        """What the action does."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]) -> list[EventType]:
        try:
            return await self.act(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 - any failure gets the same honest answer
            logger.exception("action %s failed for conversation %s", self.name(), tracker.sender_id)
            dispatcher.messages.clear()
            dispatcher.utter_message(response="utter_internal_error")
            return []
