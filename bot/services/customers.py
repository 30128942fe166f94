"""The one answer to "whose account is this conversation about, and where does it stand today?".

The assistant's actions and the agent desk both ask here, so the verified cardholder, their
card and the account's position are found and refused the same way everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bot.clock import bank_today
from bot.data.models import CardAccount, Cardholder
from bot.domain.account_position import AccountPosition
from bot.domain.product_rules import ProductRules
from bot.services.accounts import account_position, primary_account
from bot.services.identity import bound_cardholder


@dataclass(frozen=True)
class CustomerAccount:
    """A verified cardholder, the card the conversation is about, and where it stands today."""

    cardholder: Cardholder
    account: CardAccount
    position: AccountPosition


def customer_account(
    session: Session, cardholder: Cardholder, rules: ProductRules, today: date | None = None
) -> CustomerAccount:
    """The cardholder's primary card and its position; raises AccountNotFound without one."""
    account = primary_account(session, cardholder.id)
    return CustomerAccount(cardholder, account, account_position(session, account, today or bank_today(), rules))


def verified_customer(session: Session, conversation_id: str, rules: ProductRules) -> CustomerAccount | None:
    """The conversation's verified cardholder and account, from the bank's records; None if unverified."""
    cardholder = bound_cardholder(session, conversation_id)
    return customer_account(session, cardholder, rules) if cardholder is not None else None
