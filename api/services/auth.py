"""Signing in (bank-site demo, agent console) and turning tokens back into identities."""
from __future__ import annotations

import hmac

from sqlalchemy.orm import Session

from api import schemas
from api.core.config import ApiSettings
from api.core.errors import ApiError
from api.core.identity import AgentIdentity, CustomerIdentity
from api.core.security import InvalidToken, issue_token, read_token
from bot.data.models import AgentAccount, Cardholder
from bot.data.seed import DEMO_CARDHOLDERS
from bot.domain.compliance import mask_name
from bot.services.accounts import AccountNotFound, cardholder_by_customer_id, primary_account
from bot.services.agents import agent_by_username, authenticate
from bot.services.conversations import ConversationNotFound, get_conversation, open_conversation

BANK, CONVERSATION, AGENT = "bank", "conversation", "agent"


def bank_login(session: Session, settings: ApiSettings, customer_id: str, password: str) -> schemas.BankSession:
    """The demo bank site's sign-in: a known customer id and the demo password."""
    holder = cardholder_by_customer_id(session, customer_id)
    password_ok = hmac.compare_digest(password.encode(), settings.demo_bank_password.encode())
    if holder is None or not password_ok:
        raise ApiError("bad_credentials")
    issued = issue_token(settings.bank_session_secret, BANK, holder.customer_id, settings.bank_token_minutes)
    return schemas.BankSession(
        token=issued.token, customer_id=holder.customer_id, name_masked=mask_name(holder.name), expires_at=issued.expires_at
    )


def demo_customers(session: Session) -> list[schemas.DemoCustomer]:
    """The seeded demo cardholders only, masked, for the demo page's login picker."""
    found = (cardholder_by_customer_id(session, demo.customer_id) for demo in DEMO_CARDHOLDERS)
    return [
        schemas.DemoCustomer(customer_id=h.customer_id, name_masked=mask_name(h.name), card_last4=_card_last4(session, h))
        for h in found if h is not None
    ]


def start_conversation(session: Session, settings: ApiSettings, bank_token: str | None) -> schemas.ConversationStarted:
    """A new conversation; with a genuine bank-site token it is bound to that customer."""
    cardholder = None
    if bank_token is not None:
        claims = read_token(settings.bank_session_secret, BANK, bank_token)
        cardholder = cardholder_by_customer_id(session, claims["sub"])
        if cardholder is None:
            raise InvalidToken("the token names no known customer")
    conversation = open_conversation(session, cardholder)
    customer_id = cardholder.customer_id if cardholder else None
    issued = issue_token(
        settings.chat_token_secret, CONVERSATION, conversation.id, settings.chat_token_minutes, cid=customer_id
    )
    return schemas.ConversationStarted(
        conversation_id=conversation.id, token=issued.token, verified_customer=cardholder is not None
    )


def conversation_identity(session: Session, settings: ApiSettings, token: str | None) -> CustomerIdentity:
    """The conversation a token opens; it must still belong to the customer it was issued to."""
    claims = read_token(settings.chat_token_secret, CONVERSATION, token)
    try:
        conversation = get_conversation(session, claims["sub"])
    except ConversationNotFound as exc:
        raise InvalidToken("the token's conversation no longer exists") from exc
    customer_id = conversation.cardholder.customer_id if conversation.cardholder else None
    if customer_id != claims.get("cid"):
        raise InvalidToken("the token does not match the conversation's customer")
    return CustomerIdentity(conversation.id, customer_id)


def agent_login(session: Session, settings: ApiSettings, username: str, password: str) -> schemas.AgentSession:
    account = authenticate(session, username, password)
    if account is None:
        raise ApiError("bad_credentials")
    issued = issue_token(settings.agent_token_secret, AGENT, account.username, settings.agent_token_minutes)
    return schemas.AgentSession(
        token=issued.token, username=account.username, display_name=account.display_name, role=account.role,
        expires_at=issued.expires_at,
    )


def agent_account(session: Session, settings: ApiSettings, token: str | None) -> AgentAccount:
    """The active account a console token belongs to; a deactivated account's tokens stop working."""
    claims = read_token(settings.agent_token_secret, AGENT, token)
    account = agent_by_username(session, claims["sub"])
    if account is None or not account.active:
        raise InvalidToken("the account is unknown or inactive")
    return account


def agent_identity(account: AgentAccount) -> AgentIdentity:
    return AgentIdentity(account.id, account.username, account.display_name, account.role)


def _card_last4(session: Session, holder: Cardholder) -> str | None:
    try:
        return primary_account(session, holder.id).card_last4
    except AccountNotFound:
        return None
