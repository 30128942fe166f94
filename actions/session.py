"""Session start: the dialogue's identity slots start from the bank's records of this conversation."""
from __future__ import annotations

from typing import Any, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import identity_events


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]
    ) -> list[EventType]:
        return [SessionStarted(), *identity_events(tracker, fresh_session=True), ActionExecuted("action_listen")]
