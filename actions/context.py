"""What every action needs: a database session, the product rules, today, who is talking."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import Any, Iterator

from rasa_sdk import Tracker
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import bank_today
from bot.data.db import session_factory, session_scope
from bot.domain.account_position import AccountPosition
from bot.domain.figures import account_figures, rule_figures  # noqa: F401  rule_figures: for every action
from bot.domain.product_rules import ProductRules, load_rules
from bot.domain.redaction import redacted_user_texts
from bot.domain.wording import format_date
from bot.services import customers
from bot.services.contact_log import log_contact
from bot.services.customers import CustomerAccount as Customer
from bot.settings import get_settings


@lru_cache(maxsize=1)
def _factory() -> sessionmaker:
    return session_factory(get_settings().database_url)


@contextmanager
def db() -> Iterator[Session]:
    with session_scope(_factory()) as session:
        yield session


def rules() -> ProductRules:
    return load_rules()


def today() -> date:
    return bank_today()


def say_date(day: date) -> str:
    """A date as the cardholder reads it (10月19日), relative to the bank's today."""
    return format_date(day, today())


def verified_customer(session: Session, tracker: Tracker) -> Customer | None:
    """None until the bank's records say this conversation is verified; slots prove nothing."""
    return customers.verified_customer(session, tracker.sender_id, rules())


def user_intents(tracker: Tracker) -> list[str]:
    names = [e.get("parse_data", {}).get("intent", {}).get("name") for e in tracker.events if e.get("event") == "user"]
    return [name for name in names if name]


def user_texts(tracker: Tracker) -> list[str]:
    """What the cardholder wrote, verification answers masked (summaries show these to agents)."""
    return redacted_user_texts(tracker.events)


def last_intent_among(tracker: Tracker, wanted: set[str]) -> str | None:
    """The most recent user intent that is one of `wanted`."""
    return next((name for name in reversed(user_intents(tracker)) if name in wanted), None)


def record_contact(session: Session, tracker: Tracker, outcome: str, customer: Customer | None = None) -> None:
    """Keep the conversation's contact-log entry current; every action that concludes something calls it."""
    log_contact(
        session,
        tracker.sender_id,
        channel=(tracker.get_latest_input_channel() or get_settings().contact_channel),
        verified=bool(tracker.get_slot("verified")),
        cardholder_id=customer.cardholder.id if customer else None,
        intents=user_intents(tracker),
        outcome=outcome,
    )


def figures(position: AccountPosition) -> dict[str, Any]:
    """An account's figures as response template arguments."""
    return account_figures(position, today())


def selected_topic(tracker: Tracker, intent: str) -> str | None:
    """The sub-question the response selector chose for a retrieval intent (grace_days, lawsuit ...)."""
    selectors = tracker.latest_message.get("response_selector") or {}
    selector = selectors.get(intent) or selectors.get("default") or {}  # one selector serves both intents
    key = (selector.get("response") or {}).get("intent_response_key") or ""
    base, _, topic = key.partition("/")
    return topic if base == intent and topic else None
