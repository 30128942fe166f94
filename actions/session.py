"""Session start: a logged-in bank-site customer is verified from the gateway's signed metadata."""
from __future__ import annotations

from typing import Any, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import identity_events_from_metadata


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[Text, Any]
    ) -> list[EventType]:
        metadata = tracker.get_slot("session_started_metadata")
        return [SessionStarted(), *identity_events_from_metadata(tracker, metadata), ActionExecuted("action_listen")]
