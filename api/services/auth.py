"""Signing in (bank-site demo, agent console) and turning tokens back into identities.

Sign-ins are throttled per account and per address (api.services.throttle); a conversation
token never outlives the bank session it came from, and a signed-in customer's conversation is
bound to them in the bank's database (bot.services.identity) for exactly as long.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from api import schemas
from api.core.config import ApiSettings
from api.core.errors import ApiError
from api.core.identity import AgentIdentity, CustomerIdentity
from api.core.security import InvalidToken, issue_token, read_token
from api.services.throttle import Guards
from bot.data.models import AgentAccount, Cardholder
from bot.data.seed import DEMO_CARDHOLDERS
from bot.domain.compliance import mask_name
from bot.services import identity
from bot.services.accounts import AccountNotFound, cardholder_by_customer_id, primary_account
from bot.services.agents import agent_by_username, authenticate, works_the_desk
from bot.services.conversations import ConversationNotFound, get_conversation, open_conversation

BANK, CONVERSATION, AGENT = "bank", "conversation", "agent"


def bank_login(
    session: Session, settings: ApiSettings, guards: Guards, customer_id: str, password: str, address: str
) -> schemas.BankSession:
    """The demo bank site's sign-in (demo mode only): a known customer id and the demo password."""

    def attempt() -> Cardholder | None:
        holder = cardholder_by_customer_id(session, customer_id)
        password_ok = hmac.compare_digest(password.encode(), settings.demo_bank_password.encode())
        return holder if holder is not None and password_ok else None

    holder = guards.sign_in(customer_id, address, attempt)
    if holder is None:
        raise ApiError("bad_credentials")
    issued = issue_token(settings.secret("bank_session_secret"), BANK, holder.customer_id, settings.bank_token_minutes)
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


def start_conversation(
    session: Session, settings: ApiSettings, guards: Guards, bank_token: str | None, address: str
) -> schemas.ConversationStarted:
    """A new conversation; with a genuine bank-site token it is bound to that customer until the
    bank session ends. New conversations are throttled per address."""
    cardholder, bank_expiry = None, None
    if bank_token is not None:
        claims = read_token(settings.secret("bank_session_secret"), BANK, bank_token)
        cardholder = cardholder_by_customer_id(session, claims["sub"])
        if cardholder is None:
            raise InvalidToken("the token names no known customer")
        bank_expiry = _expiry(claims)
    guards.new_conversation_from(address)
    conversation = open_conversation(session, cardholder, client_key(settings, address))
    customer_id = cardholder.customer_id if cardholder else None
    issued = issue_token(
        settings.secret("chat_token_secret"), CONVERSATION, conversation.id, settings.chat_token_minutes,
        not_after=bank_expiry, cid=customer_id,
    )
    if cardholder is not None:
        identity.bind(session, conversation.id, cardholder, identity.BANK_SESSION, issued.expires_at)
    return schemas.ConversationStarted(
        conversation_id=conversation.id, token=issued.token, verified_customer=cardholder is not None
    )


def client_key(settings: ApiSettings, address: str) -> str:
    """A stable stand-in for an address: wrong answers are counted per address, the address
    itself is kept nowhere outside the gateway."""
    secret = settings.secret("chat_token_secret").encode()
    return hmac.new(secret, f"client:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def conversation_identity(session: Session, settings: ApiSettings, token: str | None) -> CustomerIdentity:
    """The conversation a token opens; it must still belong to the customer it was issued to."""
    claims = read_token(settings.secret("chat_token_secret"), CONVERSATION, token)
    try:
        conversation = get_conversation(session, claims["sub"])
    except ConversationNotFound as exc:
        raise InvalidToken("the token's conversation no longer exists") from exc
    customer_id = conversation.cardholder.customer_id if conversation.cardholder else None
    if customer_id != claims.get("cid"):
        raise InvalidToken("the token does not match the conversation's customer")
    return CustomerIdentity(conversation.id, customer_id, _expiry(claims))


def agent_login(
    session: Session, settings: ApiSettings, guards: Guards, username: str, password: str, address: str
) -> schemas.AgentSession:
    account = guards.sign_in(username, address, lambda: authenticate(session, username, password))
    if account is None:
        raise ApiError("bad_credentials")
    issued = issue_token(settings.secret("agent_token_secret"), AGENT, account.username, settings.agent_token_minutes)
    return schemas.AgentSession(
        token=issued.token, username=account.username, display_name=account.display_name, role=account.role,
        expires_at=issued.expires_at,
    )


def staff_account(session: Session, settings: ApiSettings, token: str | None) -> AgentAccount:
    """The active account a staff token belongs to; a deactivated account's tokens stop working."""
    return _agent(session, read_token(settings.secret("agent_token_secret"), AGENT, token))


def agent_account(session: Session, settings: ApiSettings, token: str | None) -> AgentAccount:
    """The active agent or supervisor a console token belongs to; a trainer is refused (no bank data)."""
    account = staff_account(session, settings, token)
    if not works_the_desk(account):
        raise ApiError("forbidden")
    return account


def agent_identity(session: Session, settings: ApiSettings, token: str | None) -> AgentIdentity:
    """The console socket's holder: the active account, its role now, and when the token ends."""
    claims = read_token(settings.secret("agent_token_secret"), AGENT, token)
    account = _agent(session, claims)
    if not works_the_desk(account):
        raise InvalidToken("a trainer's token does not open the desk")
    return AgentIdentity(account.id, account.username, account.display_name, account.role, _expiry(claims))


def _agent(session: Session, claims: dict) -> AgentAccount:
    account = agent_by_username(session, claims["sub"])
    if account is None or not account.active:
        raise InvalidToken("the account is unknown or inactive")
    return account


def _expiry(claims: dict) -> datetime:
    return datetime.fromtimestamp(int(claims["exp"]), tz=timezone.utc)


def _card_last4(session: Session, holder: Cardholder) -> str | None:
    try:
        return primary_account(session, holder.id).card_last4
    except AccountNotFound:
        return None
