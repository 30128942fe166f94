"""Running real actions against a real (temporary) database, the way the action server would."""
from __future__ import annotations

import asyncio
from typing import Any

from datetime import timedelta

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.data.db import session_factory, session_scope
from bot.data.models import utcnow
from bot.services import identity
from bot.services.accounts import cardholder_by_customer_id
from bot.settings import get_settings


def user_event(text: str, intent: str, entities: list[dict] | None = None, metadata: dict | None = None) -> dict:
    """`intent` may be a retrieval intent with its sub-question, as the model parses it: ask_fee/grace_days."""
    base, _, topic = intent.partition("/")
    parse = {"text": text, "intent": {"name": base, "confidence": 0.99}, "entities": entities or [],
             "intent_ranking": [{"name": base, "confidence": 0.99}], "metadata": metadata or {}}
    if topic:
        parse["response_selector"] = {"default": {"response": {"intent_response_key": intent, "confidence": 0.99}}}
    return {"event": "user", "text": text, "parse_data": parse, "metadata": metadata or {}}


def make_tracker(
    *,
    slots: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "inform",
    entities: list[dict] | None = None,
    history: list[dict] | None = None,
    set_now: dict[str, Any] | None = None,
    active_loop: str | None = None,
    metadata: dict | None = None,
    sender_id: str = "conversation-1",
) -> Tracker:
    """A tracker whose last user message is `text`; `set_now` are slots that message just set."""
    latest = user_event(text, intent, entities, metadata)
    events = [*(history or []), {"event": "action", "name": "action_listen"}, latest]
    events += [{"event": "slot", "name": name, "value": value} for name, value in (set_now or {}).items()]
    all_slots = {"verified": False, "verification_attempts": 0, "verification_locked": False, **(slots or {}), **(set_now or {})}
    return Tracker(sender_id, all_slots, latest["parse_data"], events, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def run_action(action: Action, tracker: Tracker, domain: dict) -> tuple[list[dict], list[dict]]:
    """(events returned, messages sent) of one run."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return events, dispatcher.messages


def one(sessions, model):
    """The one row of `model` in the test database (asserts there is exactly one)."""
    with sessions() as session:
        rows = session.scalars(select(model)).all()
        assert len(rows) == 1, rows
        return rows[0]


def slots_of(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses_of(messages: list[dict]) -> list[str]:
    return [m["response"] for m in messages if m.get("response")]


def verified_slots(customer_id: str = "C0001", sender_id: str = "conversation-1") -> dict[str, Any]:
    """The slots of a verified conversation, and the bank's record that makes them true
    (actions believe the record, not the slots)."""
    bind_conversation(sender_id, customer_id)
    return {"verified": True, "customer_id": customer_id}


def bind_conversation(sender_id: str, customer_id: str, database_url: str | None = None) -> None:
    """Record in the bank database that `sender_id` is verified as `customer_id`, as the
    verification code does (the test's database unless `database_url` is given)."""
    with session_scope(session_factory(database_url or get_settings().database_url)) as session:
        holder = cardholder_by_customer_id(session, customer_id)
        identity.bind(session, sender_id, holder, identity.CARD_AND_ID, utcnow() + timedelta(hours=1))
